package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The offline half of keyless signing: what happens to the bundle sigstore-java's {@code
 * KeylessSigner.attest} returns before Custody writes it (serialized by sigstore-java, read back by
 * Custody's strict reader, verified for the token's identity), fed real keyless bundles made by
 * model_signing on the public-good instance; and every refusal before the network is reached.
 */
class KeylessSigningTest {
  static final String IDENTITY = "stefanb@us.ibm.com";
  static final String ISSUER = "https://sigstore.verify.ibm.com/oauth2";

  @TempDir Path tmp;

  private KeylessSigning signing(String email) throws Exception {
    Path config =
        TrustConfigs.write(
            tmp.resolve("trust.json"),
            Shared.require("fixtures/trust/public-good-trusted_root.json"),
            TrustConfigs.SIGNING_REKOR_V2);
    String jwt = Jwts.signed(Map.of("iss", ISSUER, "sub", "stefanb", "email", email));
    return KeylessSigning.create(
        IdentityToken.parse(jwt, "SIGSTORE_ID_TOKEN"), TrustConfig.read(config));
  }

  /** The bundle as sigstore-java's {@code Bundle.toJson} writes it, and its DSSE payload. */
  private static byte[][] roundTripped(String version) throws Exception {
    Path sig = Shared.require("fixtures/model-signing/" + version + "/model.sig");
    String json = Files.readString(sig, StandardCharsets.UTF_8);
    String written = dev.sigstore.bundle.Bundle.from(new StringReader(json)).toJson();
    JsonNode envelope = new ObjectMapper().readTree(json).path("dsseEnvelope");
    byte[] payload = Base64.getDecoder().decode(envelope.path("payload").asText());
    return new byte[][] {written.getBytes(StandardCharsets.UTF_8), payload};
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"v1.0.0-sigstore", "v1.0.1-sigstore", "v1.1.0-sigstore"})
  void checked_sigstoreJavaBundleForTheTokensIdentity_isWrittenAsVerifiedV03(String version)
      throws Exception {
    byte[][] b = roundTripped(version);
    KeylessSigning s = signing(IDENTITY);

    byte[] bundle = s.checked(b[0], b[1]);

    assertThat(new ObjectMapper().readTree(bundle).path("mediaType").asText())
        .isEqualTo("application/vnd.dev.sigstore.bundle.v0.3+json");
    VerifiedStatement v = s.verifier().verifyStatement(bundle);
    assertThat(v.payload()).isEqualTo(b[1]);
    assertThat(v.signer()).contains(IDENTITY).contains(ISSUER);
    assertThat(s.signer()).isEqualTo(IDENTITY + " (" + ISSUER + ")");
  }

  @Test
  void checked_certificateForAnotherIdentity_failsClosed() throws Exception {
    byte[][] b = roundTripped("v1.0.0-sigstore");
    KeylessSigning s = signing("mallory@example.com");

    PipelineException e = assertThrows(PipelineException.class, () -> s.checked(b[0], b[1]));

    assertThat(e.reason()).isEqualTo(Reason.SIGNING_FAILED);
    assertThat(e.getMessage())
        .contains("does not verify for mallory@example.com")
        .contains("UNTRUSTED_SIGNER")
        .contains("nothing written");
  }

  @Test
  void checked_payloadOtherThanTheOneGiven_failsClosed() throws Exception {
    byte[][] b = roundTripped("v1.0.0-sigstore");
    byte[] other = b[1].clone();
    other[other.length - 2] ^= 1;

    PipelineException e =
        assertThrows(PipelineException.class, () -> signing(IDENTITY).checked(b[0], other));

    assertThat(e.reason()).isEqualTo(Reason.SIGNING_FAILED);
    assertThat(e.getMessage()).contains("DIGEST_MISMATCH");
  }

  @Test
  void checked_tamperedSignature_failsClosed() throws Exception {
    byte[][] b = roundTripped("v1.1.0-sigstore");
    JsonNode tree = new ObjectMapper().readTree(b[0]);
    var sigNode =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            tree.path("dsseEnvelope").path("signatures").get(0);
    byte[] sig = Base64.getDecoder().decode(sigNode.path("sig").asText());
    sig[sig.length - 1] ^= 1;
    sigNode.put("sig", Base64.getEncoder().encodeToString(sig));

    PipelineException e =
        assertThrows(
            PipelineException.class,
            () -> signing(IDENTITY).checked(new ObjectMapper().writeValueAsBytes(tree), b[1]));

    assertThat(e.reason()).isEqualTo(Reason.SIGNING_FAILED);
  }

  @Test
  void signDsse_otherPayloadType_isRefusedBeforeTheNetwork() throws Exception {
    PipelineException e =
        assertThrows(
            PipelineException.class,
            () -> signing(IDENTITY).signDsse("text/plain", "x".getBytes(StandardCharsets.UTF_8)));

    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
  }

  @Test
  void signDsse_nonAsciiStatement_isRefusedBeforeTheNetwork() throws Exception {
    PipelineException e =
        assertThrows(
            PipelineException.class,
            () ->
                signing(IDENTITY)
                    .signDsse(
                        Statement.PAYLOAD_TYPE,
                        "{\"_type\":\"caf\u00e9\"}".getBytes(StandardCharsets.UTF_8)));

    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
    assertThat(e.getMessage()).contains("ASCII");
  }

  @Test
  void create_instanceWithRekorV1Only_throwsUnsupported() throws Exception {
    Path config =
        TrustConfigs.write(
            tmp.resolve("v1.json"),
            Shared.require("fixtures/trust/public-good-trusted_root.json"),
            TrustConfigs.SIGNING_REKOR_V1_ONLY);
    IdentityToken token =
        IdentityToken.parse(
            Jwts.signed(Map.of("iss", ISSUER, "sub", "s", "email", IDENTITY)), "SIGSTORE_ID_TOKEN");

    PipelineException e =
        assertThrows(
            PipelineException.class, () -> KeylessSigning.create(token, TrustConfig.read(config)));

    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
  }

  @Test
  void bundleSigner_keyless_describesTheIdentityAndHasNoPublicKey() throws Exception {
    BundleSigner signer = BundleSigner.keyless(signing(IDENTITY));

    assertThat(signer.describe()).isEqualTo("keyless " + IDENTITY + " (" + ISSUER + ")");
    assertThrows(IllegalStateException.class, signer::publicKey);
    assertThrows(IllegalStateException.class, () -> signer.signArtifact(tmp));
  }

  @Test
  void bundleSigner_keylessRefusal_isCarriedUncheckedWithItsReason() throws Exception {
    BundleSigner signer = BundleSigner.keyless(signing(IDENTITY));

    UncheckedPipelineException e =
        assertThrows(
            UncheckedPipelineException.class, () -> signer.signDsse("text/plain", new byte[] {1}));

    assertThat(e.getCause().reason()).isEqualTo(Reason.UNSUPPORTED);
  }
}
