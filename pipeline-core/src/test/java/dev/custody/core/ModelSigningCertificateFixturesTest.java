package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Signatures made by {@code model_signing sign certificate}, read in place from
 * ../shared/fixtures/model-signing, verified as ORIGIN.md says model_signing verifies them: the
 * model is the directory, {@code ignore-me} ignored from v1.0.1 on, trusting {@code ca-cert.pem}.
 */
class ModelSigningCertificateFixturesTest {
  private static final String KEYS = "fixtures/model-signing/keys/certificate/";

  @TempDir Path tmp;

  /** Folder and the paths the verifier ignores. */
  static Stream<Arguments> certificateFixtures() {
    return Stream.of(
        arguments("v0.2.0-certificate", List.of()),
        arguments("v0.3.1-certificate", List.of()),
        arguments("v1.0.0-certificate", List.of()),
        arguments("v1.0.1-certificate", List.of("ignore-me")),
        arguments("v1.1.0-certificate", List.of("ignore-me")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("certificateFixtures")
  void verify_modelSigningCertificateFixture_verifiesWithRootCa(String folder, List<String> ignore)
      throws Exception {
    Path dir = Shared.require("fixtures/model-signing/" + folder);
    VerifiedManifest v =
        ModelSigning.verify(dir, dir.resolve("model.sig"), verifier("ca-cert.pem"), ignore);
    assertThat(v.signer()).isEqualTo("certificate CN=intermediate-ca (CA CN=root-ca)");
    assertThat(v.manifest().resources())
        .extracting(ModelManifest.Resource::name)
        .containsExactly("signme-1", "signme-2");
    assertThat(v.manifest().modelName()).isEqualTo(folder);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("certificateFixtures")
  void verify_modelSigningCertificateFixture_verifiesWithIntermediateAdded(
      String folder, List<String> ignore) throws Exception {
    Path dir = Shared.require("fixtures/model-signing/" + folder);
    CertificateChainVerifier verifier =
        CertificateChainVerifier.builder()
            .trust(Shared.require(KEYS + "ca-cert.pem"))
            .trust(Shared.require(KEYS + "int-ca-cert.pem"))
            .build();
    VerifiedManifest v = ModelSigning.verify(dir, dir.resolve("model.sig"), verifier, ignore);
    assertThat(v.manifest().resources()).hasSize(2);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("certificateFixtures")
  void verify_certificateFixtureWithOneByteChanged_failsWithManifestMismatch(
      String folder, List<String> ignore) throws Exception {
    Path copy = copyOf(folder);
    Path file = copy.resolve("signme-2");
    byte[] b = Files.readAllBytes(file);
    b[b.length - 1] ^= 0x01;
    Files.write(file, b);
    assertThatThrownBy(
            () ->
                ModelSigning.verify(
                    copy, copy.resolve("model.sig"), verifier("ca-cert.pem"), ignore))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("changed: signme-2")
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.MANIFEST_MISMATCH);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("certificateFixtures")
  void verify_certificateFixtureTrustingAnotherCa_failsWithCertificateInvalid(
      String folder, List<String> ignore) throws Exception {
    Path dir = Shared.require("fixtures/model-signing/" + folder);
    CertificateChainVerifier other =
        CertificateChainVerifier.builder().trust(testPki("other-ca.pem")).build();
    assertThatThrownBy(() -> ModelSigning.verify(dir, dir.resolve("model.sig"), other, ignore))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("does not chain to a trusted CA [CN=custody-other-ca]")
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.CERTIFICATE_INVALID);
  }

  @Test
  void verify_certificateFixtureWithOnlyTheIntermediateTrusted_failsAsOpenSslDoes()
      throws Exception {
    // An intermediate is not an anchor: model_signing's OpenSSL store needs a self-signed root.
    assertThatThrownBy(
            () ->
                CertificateChainVerifier.builder()
                    .trust(Shared.require(KEYS + "int-ca-cert.pem"))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("self-signed");
  }

  @Test
  void verify_certificateFixtureWithAKey_saysItIsACertificateChainNotKeyless() throws Exception {
    Path dir = Shared.require("fixtures/model-signing/v1.1.0-certificate");
    KeyBundleVerifier keyVerifier =
        KeyBundleVerifier.builder()
            .trust(VerificationKey.fromPem(Shared.require(KEYS + "signing-key-pub.pem")))
            .build();
    assertThatThrownBy(
            () -> ModelSigning.verify(dir, dir.resolve("model.sig"), keyVerifier, List.of()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("certificate chain and no transparency-log entry")
        .hasMessageContaining("--certificate-chain")
        .hasMessageNotContaining("keyless");
  }

  @Test
  void verify_keySignedFixtureWithACertificateVerifier_failsWithUnsupported() throws Exception {
    Path dir = Shared.require("fixtures/model-signing/v1.1.0-elliptic-key");
    assertThatThrownBy(
            () ->
                ModelSigning.verify(
                    dir, dir.resolve("model.sig"), verifier("ca-cert.pem"), List.of("ignore-me")))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("expected a certificate chain")
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.UNSUPPORTED);
  }

  static CertificateChainVerifier verifier(String caFile) throws Exception {
    return CertificateChainVerifier.builder().trust(Shared.require(KEYS + caFile)).build();
  }

  /** A file of the committed test PKI (src/test/resources/certs, made by its generate.sh). */
  static Path testPki(String name) throws URISyntaxException {
    return Path.of(ModelSigningCertificateFixturesTest.class.getResource("/certs/" + name).toURI());
  }

  private Path copyOf(String folder) throws IOException {
    Path src = Shared.require("fixtures/model-signing/" + folder);
    Path dst = tmp.resolve(folder);
    Files.createDirectories(dst);
    try (Stream<Path> files = Files.list(src)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, dst.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        dst.resolve(f.getFileName()).toFile().setWritable(true);
      }
    }
    return dst;
  }
}
