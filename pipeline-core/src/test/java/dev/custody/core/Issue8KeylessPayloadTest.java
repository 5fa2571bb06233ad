package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, W4: keyless {@code verify-model} read the unsigned payload before checking the
 * signature, and after a subject mismatch reported "signed" digests taken from that unverified
 * manifest. The attack is model_signing's real keyless signature (../shared) with its DSSE payload
 * swapped for a forged statement; the bundle is derived at test time because it embeds the
 * fixture's certificate.
 */
class Issue8KeylessPayloadTest {
  static final String IDENTITY = "stefanb@us.ibm.com";
  static final String ISSUER = "https://sigstore.verify.ibm.com/oauth2";

  /** What the forged statement claims for signme-1 and as its subject: must never be reported. */
  static final String FORGED = "fa11".repeat(16);

  @TempDir Path tmp;
  Path model;
  Path swapped;

  @BeforeEach
  void swapPayload() throws Exception {
    Path src = Shared.require("fixtures/model-signing/v1.1.0-sigstore");
    model = Files.createDirectories(tmp.resolve("v1.1.0-sigstore"));
    for (String name : List.of("signme-1", "signme-2", "ignore-me")) {
      Files.copy(src.resolve(name), model.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      model.resolve(name).toFile().setWritable(true);
    }
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode bundle = (ObjectNode) mapper.readTree(Files.readAllBytes(src.resolve("model.sig")));
    ObjectNode envelope = (ObjectNode) bundle.get("dsseEnvelope");
    String payload =
        new String(
            Base64.getDecoder().decode(envelope.get("payload").asText()), StandardCharsets.UTF_8);
    String signme1 = "f6310066c7320497ea554260c32c43660bff648cb2a61194832cc086077085e1";
    String subject = "61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226";
    assertThat(payload).contains(signme1).contains(subject);
    String forged = payload.replace(signme1, FORGED).replace(subject, FORGED);
    envelope.put(
        "payload", Base64.getEncoder().encodeToString(forged.getBytes(StandardCharsets.UTF_8)));
    swapped = model.resolve("model.sig");
    Files.write(swapped, mapper.writeValueAsBytes(bundle));
  }

  @Test
  void verify_swappedPayload_throwsSignatureInvalidWithoutForgedDigests() throws Exception {
    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> ModelSigning.verify(model, swapped, verifier(), List.of("ignore-me")));

    assertThat(e.reason()).isEqualTo(Reason.SIGNATURE_INVALID);
    assertThat(e.getMessage()).doesNotContain(FORGED).doesNotContain("signme");
  }

  @Test
  void verify_swappedPayloadAndChangedFile_stillThrowsSignatureInvalid() throws Exception {
    Files.writeString(model.resolve("signme-1"), "changed!");

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> ModelSigning.verify(model, swapped, verifier(), List.of("ignore-me")));

    assertThat(e.reason()).isEqualTo(Reason.SIGNATURE_INVALID);
    assertThat(e.getMessage()).doesNotContain(FORGED);
  }

  @Test
  void verifyWithDigest_swappedPayload_throwsSignatureInvalidNotForgedSubjects() throws Exception {
    Sha256 root = ModelManifest.hash(model, List.of("ignore-me", "model.sig"), false).rootDigest();

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> verifier().verify(Files.readAllBytes(swapped), root));

    assertThat(e.reason()).isEqualTo(Reason.SIGNATURE_INVALID);
    assertThat(e.getMessage()).doesNotContain(FORGED);
  }

  @Test
  void verifyStatement_genuineBundle_returnsStatementForItsOwnSubject() throws Exception {
    Path genuine = Shared.require("fixtures/model-signing/v1.1.0-sigstore/model.sig");

    VerifiedStatement vs = verifier().verifyStatement(Files.readAllBytes(genuine));

    assertThat(vs.statement().subjects().get(0).sha256().hex())
        .isEqualTo("61d4849d9d90076d6215f4d525f13d6574af8e3f67aef3e6f36fc40a14fdd226");
    assertThat(vs.signer()).isEqualTo(IDENTITY + " (issuer " + ISSUER + ")");
  }

  private static KeylessBundleVerifier verifier() throws Exception {
    return KeylessBundleVerifier.builder()
        .trustedRoot(Shared.require("fixtures/trust/public-good-trusted_root.json"))
        .requireSigner(IDENTITY, ISSUER)
        .build();
  }
}
