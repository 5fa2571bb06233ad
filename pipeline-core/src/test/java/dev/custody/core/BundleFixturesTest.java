package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed attack bundles of {@code src/test/resources/dev/custody/core/} (README there), each
 * refused with the reason its defect calls for, beside a control bundle that verifies.
 */
class BundleFixturesTest {
  static final String TRUSTED_KEY = "trusted-key.pub.pem";
  static final String CONTROL = "bundle-signed-by-trusted-key.sigstore.json";
  static final String EMBEDS_UNTRUSTED_KEY = "bundle-embeds-untrusted-key.sigstore.json";

  @TempDir Path tmp;

  static Stream<Arguments> attacks() {
    return Stream.of(
        // A verifier that trusts the key a bundle embeds (the pre-v1.1 rawBytes path) accepts it.
        arguments(EMBEDS_UNTRUSTED_KEY, Reason.UNTRUSTED_SIGNER),
        // A verifier that checks only that the embedded key is trusted, not the signature, accepts
        // it.
        arguments(
            "bundle-embeds-trusted-key-signed-by-other.sigstore.json", Reason.SIGNATURE_INVALID));
  }

  @Test
  void verifyStatement_controlBundle_verifies() throws Exception {
    VerifiedStatement v = keyVerifier().verifyStatement(read(CONTROL));

    assertThat(v.statement()).isEqualTo(BundleFixturesGenerator.statement());
    assertThat(v.signer()).isEqualTo("key " + trustedKey().hint());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("attacks")
  void verifyStatement_attackBundle_isRefused(String fixture, Reason expected) throws Exception {
    KeyBundleVerifier verifier = keyVerifier();
    byte[] bundle = read(fixture);

    VerificationException e =
        assertThrows(VerificationException.class, () -> verifier.verifyStatement(bundle));

    assertThat(e.reason()).as(e.getMessage()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("attacks")
  void modelSigningVerify_attackBundle_isRefused(String fixture, Reason expected) throws Exception {
    Path model = model();
    Path signature = tmp.resolve("model.sig");
    Files.write(signature, read(fixture));
    KeyBundleVerifier verifier = keyVerifier();

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> ModelSigning.verify(model, signature, verifier, List.of()));

    assertThat(e.reason()).as(e.getMessage()).isEqualTo(expected);
  }

  @Test
  void modelSigningVerify_controlBundle_verifies() throws Exception {
    Path model = model();
    Path signature = tmp.resolve("model.sig");
    Files.write(signature, read(CONTROL));

    VerifiedManifest v = ModelSigning.verify(model, signature, keyVerifier(), List.of());

    assertThat(v.rootDigest())
        .isEqualTo(BundleFixturesGenerator.statement().subjects().get(0).sha256());
  }

  /** The attack is refused for whom it names, not for its shape: trusting its key accepts it. */
  @Test
  void verifyStatement_untrustedKeyFixtureWithItsKeyTrusted_verifies() throws Exception {
    byte[] bundle = read(EMBEDS_UNTRUSTED_KEY);
    String rawBytes =
        Json.parse(bundle, "bundle")
            .path("verificationMaterial")
            .path("publicKey")
            .path("rawBytes")
            .asText();
    VerificationKey embedded = VerificationKey.fromPem(Base64.getDecoder().decode(rawBytes));

    VerifiedStatement v =
        KeyBundleVerifier.builder().trust(embedded).build().verifyStatement(bundle);

    assertThat(embedded).isNotEqualTo(trustedKey());
    assertThat(v.statement()).isEqualTo(BundleFixturesGenerator.statement());
  }

  @Test
  void keyBundleTlogVerify_bundleEmbeddingUntrustedKey_throwsUntrustedSigner() throws Exception {
    KeyBundleTlogVerifier verifier =
        KeyBundleTlogVerifier.builder()
            .trustedRoot(Shared.require("fixtures/trust/public-good-trusted_root.json"))
            .publicKey(resource(TRUSTED_KEY))
            .build();
    byte[] bundle = read(EMBEDS_UNTRUSTED_KEY);
    Sha256 subject = BundleFixturesGenerator.statement().subjects().get(0).sha256();

    VerificationException e =
        assertThrows(VerificationException.class, () -> verifier.verify(bundle, subject));

    assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.UNTRUSTED_SIGNER);
  }

  private Path model() throws IOException {
    Path model = tmp.resolve("model");
    Files.createDirectories(model);
    Files.writeString(model.resolve("weights.bin"), "weights");
    return model;
  }

  private static KeyBundleVerifier keyVerifier() throws Exception {
    return KeyBundleVerifier.builder().trust(trustedKey()).build();
  }

  private static VerificationKey trustedKey() throws Exception {
    return VerificationKey.fromPem(resource(TRUSTED_KEY));
  }

  static byte[] read(String name) throws IOException {
    return Files.readAllBytes(resource(name));
  }

  static Path resource(String name) {
    var url = BundleFixturesTest.class.getResource(name);
    if (url == null) {
      throw new UncheckedIOException(new IOException("test resource " + name + " is missing"));
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
