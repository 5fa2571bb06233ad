package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KeyBundleVerifier} on message-signature bundles, where the signature is checked while the
 * file is read, and on bundles that name no key.
 */
class KeyBundleVerifierTest {
  @TempDir Path dir;
  Path artifact;
  SigningKey trusted;
  SigningKey other;
  KeyBundleVerifier verifier;

  @BeforeEach
  void setUp() throws Exception {
    artifact = dir.resolve("model.tribuo");
    Files.writeString(artifact, "weights");
    trusted = SigningKey.generate();
    other = SigningKey.generate();
    verifier = KeyBundleVerifier.builder().trust(trusted.publicKey()).build();
  }

  @Test
  void verifyArtifact_signedByOtherKeyUnderTrustedHint_throwsSignatureInvalid() throws Exception {
    // The digest matches the file, and the bundle names the trusted key: only the signature is
    // wrong.
    byte[] bundle =
        withHint(BundleSigner.create(other).signArtifact(artifact), trusted.publicKey().hint());

    VerificationException e =
        assertThrows(VerificationException.class, () -> verifier.verifyArtifact(bundle, artifact));

    assertThat(e.reason()).isEqualTo(Reason.SIGNATURE_INVALID);
    assertThat(e.getMessage())
        .isEqualTo(
            "bundle: the signature does not verify with trusted key(s) ["
                + trusted.publicKey().hint()
                + "]");
  }

  @Test
  void verifyArtifact_signatureNotDer_throwsSignatureInvalid() throws Exception {
    ObjectNode root = (ObjectNode) Json.parse(sign(trusted), "bundle");
    ((ObjectNode) root.get("messageSignature"))
        .put("signature", Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}));
    byte[] bundle = Json.write(root);

    VerificationException e =
        assertThrows(VerificationException.class, () -> verifier.verifyArtifact(bundle, artifact));

    assertThat(e.reason()).isEqualTo(Reason.SIGNATURE_INVALID);
  }

  @Test
  void verifyArtifact_fileChanged_messageNamesBothDigests() throws Exception {
    byte[] bundle = sign(trusted);
    Sha256 signed = Digests.sha256(artifact);
    Files.writeString(artifact, "weightz");

    VerificationException e =
        assertThrows(VerificationException.class, () -> verifier.verifyArtifact(bundle, artifact));

    assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH);
    assertThat(e.getMessage())
        .isEqualTo(
            "digest mismatch: bundle " + signed + " != artifact " + Digests.sha256(artifact));
  }

  @Test
  void verifyArtifact_noHint_triesEveryTrustedKey() throws Exception {
    KeyBundleVerifier both =
        KeyBundleVerifier.builder().trust(List.of(other.publicKey(), trusted.publicKey())).build();
    byte[] bundle = withHint(sign(trusted), "");

    assertThat(both.verifyArtifact(bundle, artifact)).isEqualTo(Digests.sha256(artifact));
  }

  @Test
  void verifyArtifact_noHintAndUntrustedSigner_throwsSignatureInvalid() throws Exception {
    byte[] bundle = withHint(sign(other), "");

    VerificationException e =
        assertThrows(VerificationException.class, () -> verifier.verifyArtifact(bundle, artifact));

    assertThat(e.reason()).isEqualTo(Reason.SIGNATURE_INVALID);
  }

  @Test
  void verifyStatement_signatureNotDer_throwsSignatureInvalid() throws Exception {
    byte[] signed = BundleSigner.create(trusted).signStatement(BundleFixturesGenerator.statement());
    ObjectNode root = (ObjectNode) Json.parse(signed, "bundle");
    ((ObjectNode) root.get("dsseEnvelope").get("signatures").get(0))
        .put("sig", Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}));
    byte[] bundle = Json.write(root);

    VerificationException e =
        assertThrows(VerificationException.class, () -> verifier.verifyStatement(bundle));

    assertThat(e.reason()).isEqualTo(Reason.SIGNATURE_INVALID);
    assertThat(e.getMessage())
        .isEqualTo(
            "bundle: no DSSE signature verifies with trusted key(s) ["
                + trusted.publicKey().hint()
                + "]");
  }

  private byte[] sign(SigningKey key) throws Exception {
    return BundleSigner.create(key).signArtifact(artifact);
  }

  /** The bundle with its {@code publicKey.hint} replaced (it is not signed). */
  private static byte[] withHint(byte[] bundle, String hint) throws Exception {
    ObjectNode root = (ObjectNode) Json.parse(bundle, "bundle");
    ObjectNode pk = (ObjectNode) root.get("verificationMaterial").get("publicKey");
    if (hint.isEmpty()) {
      pk.remove("hint");
    } else {
      pk.put("hint", hint);
    }
    return Json.write(root);
  }
}
