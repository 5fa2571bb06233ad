package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSigningTest {
  @TempDir Path dir;
  Path model;
  Path sig;
  SigningKey key;
  KeyBundleVerifier verifier;

  @BeforeEach
  void signModel() throws Exception {
    model = dir.resolve("credit-model");
    Files.createDirectories(model.resolve("sub"));
    Files.writeString(model.resolve("model.tribuo"), "weights");
    Files.writeString(model.resolve("card.json"), "{}");
    Files.writeString(model.resolve("sub/extra.bin"), "xyz");
    sig = model.resolve(ModelSigning.DEFAULT_SIGNATURE);
    key = SigningKey.generate();
    ModelSigning.sign(model, sig, BundleSigner.create(key), List.of());
    verifier = KeyBundleVerifier.builder().trust(key.publicKey()).build();
  }

  @Test
  void verify_untouchedModel_returnsSignedManifest() throws Exception {
    VerifiedManifest v = ModelSigning.verify(model, sig, verifier, List.of());
    assertThat(v.manifest().resources())
        .extracting(ModelManifest.Resource::name)
        .containsExactly("card.json", "model.tribuo", "sub/extra.bin");
    assertThat(v.signer()).isEqualTo("key " + key.publicKey().hint());
    assertThat(v.rootDigest())
        .isEqualTo(ModelManifest.hash(model, List.of("model.sig"), false).rootDigest());
  }

  @Test
  void verify_oneByteChanged_failsNamingTheFile() throws Exception {
    Files.writeString(model.resolve("model.tribuo"), "weightz");
    assertMismatch("changed: model.tribuo");
  }

  @Test
  void verify_fileAdded_failsNamingTheExtraFile() throws Exception {
    Files.writeString(model.resolve("sub/backdoor.bin"), "!");
    assertMismatch("extra: sub/backdoor.bin");
  }

  @Test
  void verify_fileRemoved_failsNamingTheMissingFile() throws Exception {
    Files.delete(model.resolve("card.json"));
    assertMismatch("missing: card.json");
  }

  @Test
  void verify_fileRenamed_failsNamingBothNames() throws Exception {
    Files.move(model.resolve("sub/extra.bin"), model.resolve("sub/other.bin"));
    // Refused by name, before the unsigned file is hashed: a rename shows as missing + extra.
    assertMismatch("missing: sub/extra.bin; extra: sub/other.bin");
  }

  @Test
  void verify_symlinkAdded_isRefused() throws Exception {
    Files.createSymbolicLink(model.resolve("link"), model.resolve("card.json"));
    assertMismatch("link is a symbolic link");
  }

  @Test
  void verify_otherTrustedKey_failsWithUntrustedSigner() throws Exception {
    KeyBundleVerifier other =
        KeyBundleVerifier.builder().trust(SigningKey.generate().publicKey()).build();
    assertThatThrownBy(() -> ModelSigning.verify(model, sig, other, List.of()))
        .isInstanceOf(VerificationException.class)
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.UNTRUSTED_SIGNER);
  }

  @Test
  void verify_signatureBytesFlipped_failsWithSignatureInvalid() throws Exception {
    String json = Files.readString(sig);
    // Re-sign a different statement with another key but keep our hint: the signature no longer
    // verifies.
    String otherSig =
        new String(
            BundleSigner.create(SigningKey.generate())
                .signStatement(
                    ModelManifest.hash(model, List.of("model.sig"), false).toStatement()),
            StandardCharsets.UTF_8);
    String forged =
        otherSig.replaceAll(
            "\"hint\": \"[0-9a-f]+\"", "\"hint\": \"" + key.publicKey().hint() + "\"");
    Files.writeString(sig, forged);
    assertThat(forged).isNotEqualTo(json);
    assertThatThrownBy(() -> ModelSigning.verify(model, sig, verifier, List.of()))
        .isInstanceOf(VerificationException.class)
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.SIGNATURE_INVALID);
  }

  @Test
  void verify_bundleOfAnotherModel_failsWithManifestMismatch() throws Exception {
    Path other = dir.resolve("other-model");
    Files.createDirectories(other);
    Files.writeString(other.resolve("model.tribuo"), "different");
    Path otherSig = dir.resolve("other.sig");
    ModelSigning.sign(other, otherSig, BundleSigner.create(key), List.of());
    assertThatThrownBy(() -> ModelSigning.verify(model, otherSig, verifier, List.of()))
        .isInstanceOf(VerificationException.class)
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.MANIFEST_MISMATCH);
  }

  @Test
  void verify_notJson_failsWithMalformed() throws Exception {
    Files.writeString(sig, "{not json");
    assertThatThrownBy(() -> ModelSigning.verify(model, sig, verifier, List.of()))
        .isInstanceOf(VerificationException.class)
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.MALFORMED);
  }

  @Test
  void sign_writesModelSigningStatementWithIgnoredSignature() throws Exception {
    VerifiedStatement vs = verifier.verifyStatement(Files.readAllBytes(sig));
    assertThat(vs.statement().predicateType()).isEqualTo(ModelManifest.PREDICATE_TYPE);
    assertThat(vs.statement().predicate().path("serialization").path("ignore_paths").toString())
        .contains("model.sig");
    assertThat(vs.statement().subjects().get(0).name()).isEqualTo("credit-model");
  }

  @Test
  void sign_returnsTheManifestItSigned() throws Exception {
    ModelManifest signed = ModelSigning.sign(model, sig, BundleSigner.create(key), List.of());

    assertThat(signed.rootDigest())
        .isEqualTo(ModelSigning.verify(model, sig, verifier, List.of()).rootDigest());
    assertThat(signed.resources())
        .extracting(ModelManifest.Resource::name)
        .containsExactly("card.json", "model.tribuo", "sub/extra.bin");
  }

  @Test
  void verify_signatureFileOfExactlySizeLimit_verifies() throws Exception {
    byte[] bundle = Files.readAllBytes(sig);
    byte[] padded = java.util.Arrays.copyOf(bundle, (int) SigstoreBundle.MAX_BUNDLE_BYTES);
    java.util.Arrays.fill(padded, bundle.length, padded.length, (byte) ' '); // still valid JSON
    Files.write(sig, padded);

    assertThat(ModelSigning.verify(model, sig, verifier, List.of()).signer())
        .isEqualTo("key " + key.publicKey().hint());
  }

  @Test
  void signArtifact_roundTripsAndDetectsChange() throws Exception {
    Path file = model.resolve("model.tribuo");
    byte[] bundle = BundleSigner.create(key).signArtifact(file);
    assertThat(verifier.verifyArtifact(bundle, file)).isEqualTo(Digests.sha256(file));
    Files.writeString(file, "weights!");
    assertThatThrownBy(() -> verifier.verifyArtifact(bundle, file))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("digest mismatch")
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.DIGEST_MISMATCH);
  }

  @Test
  void builder_noTrustedKey_isRejected() {
    assertThatThrownBy(() -> KeyBundleVerifier.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("at least one trusted public key");
  }

  private void assertMismatch(String expected) {
    assertThatThrownBy(() -> ModelSigning.verify(model, sig, verifier, List.of()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining(expected)
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.MANIFEST_MISMATCH);
  }
}
