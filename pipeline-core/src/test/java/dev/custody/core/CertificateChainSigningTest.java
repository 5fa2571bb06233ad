package dev.custody.core;

import static dev.custody.core.ModelSigningCertificateFixturesTest.testPki;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate-chain signing ({@code model_signing sign certificate}'s bundle) and the failures of
 * its verification, with model_signing's fixture PKI and the committed test PKI
 * (src/test/resources/certs/generate.sh).
 */
class CertificateChainSigningTest {
  private static final String KEYS = "fixtures/model-signing/keys/certificate/";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  Path model;
  Path sig;

  @BeforeEach
  void model() throws Exception {
    model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("weights.bin"), "weights");
    Files.writeString(model.resolve("config.json"), "{}");
    sig = tmp.resolve("model.sig");
  }

  @Test
  void signThenVerify_fixtureKeyWithIntermediateChain_verifiesWithRootCa() throws Exception {
    BundleSigner signer =
        BundleSigner.create(
            privateKey(Shared.require(KEYS + "signing-key.pem")),
            Shared.require(KEYS + "signing-key-cert.pem"),
            List.of(Shared.require(KEYS + "int-ca-cert.pem")));
    ModelManifest signed = ModelSigning.sign(model, sig, signer, List.of());

    VerifiedManifest v = ModelSigning.verify(model, sig, rootCa(), List.of());

    assertThat(v.rootDigest()).isEqualTo(signed.rootDigest());
    assertThat(v.signer()).isEqualTo("certificate CN=intermediate-ca (CA CN=root-ca)");
    JsonNode material = JSON.readTree(sig.toFile()).path("verificationMaterial");
    assertThat(material.has("publicKey")).isFalse();
    JsonNode chain = material.path("x509CertificateChain").path("certificates");
    assertThat(chain).hasSize(2);
    assertThat(certificate(chain.get(0)).getEncoded())
        .isEqualTo(pem(Shared.require(KEYS + "signing-key-cert.pem")).getEncoded());
    assertThat(certificate(chain.get(1)).getEncoded())
        .isEqualTo(pem(Shared.require(KEYS + "int-ca-cert.pem")).getEncoded());
  }

  @Test
  void verify_signedWithoutIntermediate_needsItAmongTheTrustedCertificates() throws Exception {
    BundleSigner signer =
        BundleSigner.create(
            privateKey(Shared.require(KEYS + "signing-key.pem")),
            Shared.require(KEYS + "signing-key-cert.pem"),
            List.of());
    ModelSigning.sign(model, sig, signer, List.of());

    assertThatThrownBy(() -> ModelSigning.verify(model, sig, rootCa(), List.of()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("does not chain to a trusted CA")
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.CERTIFICATE_INVALID);
    CertificateChainVerifier withIntermediate =
        CertificateChainVerifier.builder()
            .trust(Shared.require(KEYS + "ca-cert.pem"))
            .trust(Shared.require(KEYS + "int-ca-cert.pem"))
            .build();
    assertThat(ModelSigning.verify(model, sig, withIntermediate, List.of()).manifest().resources())
        .hasSize(2);
  }

  @Test
  void signThenVerify_testPkiLeaf_verifiesWithTestCaOnly() throws Exception {
    ModelSigning.sign(model, sig, testSigner("leaf"), List.of());

    VerifiedManifest v = ModelSigning.verify(model, sig, testCa(Clock.systemUTC()), List.of());

    assertThat(v.signer()).isEqualTo("certificate CN=custody-test-leaf (CA CN=custody-test-ca)");
    assertThatThrownBy(() -> ModelSigning.verify(model, sig, rootCa(), List.of()))
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.CERTIFICATE_INVALID);
  }

  @Test
  void verify_expiredLeaf_failsWithCertificateInvalid() throws Exception {
    ModelSigning.sign(model, sig, testSigner("expired"), List.of());

    assertThatThrownBy(() -> ModelSigning.verify(model, sig, testCa(Clock.systemUTC()), List.of()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("CN=custody-test-expired")
        .hasMessageContaining("expired on 2021-01-01T00:00:00Z")
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.CERTIFICATE_INVALID);
  }

  @Test
  void verify_validLeafAfterItsExpiry_failsWithCertificateInvalid() throws Exception {
    // model_signing checks the chain at the certificate's notBefore; Custody at the present.
    ModelSigning.sign(model, sig, testSigner("leaf"), List.of());
    Clock in2037 = Clock.fixed(Instant.parse("2037-01-01T00:00:00Z"), ZoneOffset.UTC);

    assertThatThrownBy(() -> ModelSigning.verify(model, sig, testCa(in2037), List.of()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("expired on 2036-01-01T00:00:00Z (checked at 2037-01-01T00:00:00Z)")
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.CERTIFICATE_INVALID);
  }

  @Test
  void verify_leafWithoutDigitalSignatureOrCodeSigning_failsWithCertificateInvalid()
      throws Exception {
    ModelSigning.sign(model, sig, testSigner("not-signing"), List.of());

    assertThatThrownBy(() -> ModelSigning.verify(model, sig, testCa(Clock.systemUTC()), List.of()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining(
            "expected key usage digitalSignature or extended key usage codeSigning, found key"
                + " usage without digitalSignature and extended key usage [1.3.6.1.5.5.7.3.1]")
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.CERTIFICATE_INVALID);
  }

  @Test
  void verify_certificateNotMatchingTheSignature_failsWithSignatureInvalid() throws Exception {
    // Signed by model_signing's fixture key; the bundle then claims the test PKI's leaf signed it.
    ModelSigning.sign(
        model,
        sig,
        BundleSigner.create(
            privateKey(Shared.require(KEYS + "signing-key.pem")),
            Shared.require(KEYS + "signing-key-cert.pem"),
            List.of()),
        List.of());
    ObjectNode bundle = (ObjectNode) JSON.readTree(sig.toFile());
    ArrayNode certs =
        (ArrayNode)
            bundle.path("verificationMaterial").path("x509CertificateChain").path("certificates");
    ((ObjectNode) certs.get(0))
        .put("rawBytes", Base64.getEncoder().encodeToString(pem(testPki("leaf.pem")).getEncoded()));
    Files.write(sig, JSON.writeValueAsBytes(bundle));

    assertThatThrownBy(() -> ModelSigning.verify(model, sig, testCa(Clock.systemUTC()), List.of()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining(
            "does not verify with the key of signing certificate CN=custody-test-leaf")
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.SIGNATURE_INVALID);
  }

  @Test
  void create_keyNotMatchingTheCertificate_failsWithKeyInvalid() throws Exception {
    SigningKey other = SigningKey.generate(Curve.P384);
    assertThatThrownBy(
            () ->
                BundleSigner.create(
                    other, Shared.require(KEYS + "signing-key-cert.pem"), List.of()))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining(
            "expected the public key of the private key (key " + other.publicKey().hint())
        .extracting(e -> ((PipelineException) e).reason())
        .isEqualTo(Reason.KEY_INVALID);
  }

  @Test
  void create_signingCertificateFileHoldingTwoCertificates_failsWithCertificateInvalid()
      throws Exception {
    Path two = tmp.resolve("two.pem");
    Files.write(
        two,
        (Files.readString(Shared.require(KEYS + "signing-key-cert.pem"))
                + Files.readString(Shared.require(KEYS + "int-ca-cert.pem")))
            .getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(
            () ->
                BundleSigner.create(
                    privateKey(Shared.require(KEYS + "signing-key.pem")), two, List.of()))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("expected one signing certificate, found 2")
        .extracting(e -> ((PipelineException) e).reason())
        .isEqualTo(Reason.CERTIFICATE_INVALID);
  }

  @Test
  void trust_fileWithoutACertificate_failsWithCertificateInvalid() throws Exception {
    assertThatThrownBy(
            () ->
                CertificateChainVerifier.builder()
                    .trust(Shared.require(KEYS + "signing-key-pub.pem")))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("expected only CERTIFICATE PEM blocks")
        .extracting(e -> ((PipelineException) e).reason())
        .isEqualTo(Reason.CERTIFICATE_INVALID);
  }

  @Test
  void pythonBytesRepr_matchesPythonsRepr() {
    // Expected values printed by python3: repr(bytes([0, 10, 92, 255, 120, 9, 13, 127])) etc.
    assertThat(
            CertificateChainVerifier.pythonBytesRepr(
                new byte[] {0, 10, 92, (byte) 255, 120, 9, 13, 127}))
        .isEqualTo("b'\\x00\\n\\\\\\xffx\\t\\r\\x7f'");
    assertThat(CertificateChainVerifier.pythonBytesRepr("a'b".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo("b\"a'b\"");
    assertThat(CertificateChainVerifier.pythonBytesRepr("a\"b".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo("b'a\"b'");
    assertThat(
            CertificateChainVerifier.pythonBytesRepr("a'\"b".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo("b'a\\'\"b'");
  }

  private static CertificateChainVerifier rootCa() throws Exception {
    return CertificateChainVerifier.builder().trust(Shared.require(KEYS + "ca-cert.pem")).build();
  }

  private static CertificateChainVerifier testCa(Clock clock) throws Exception {
    return CertificateChainVerifier.builder().trust(testPki("test-ca.pem")).clock(clock).build();
  }

  private BundleSigner testSigner(String name) throws Exception {
    return BundleSigner.create(
        privateKey(testPki(name + "-key.pem")), testPki(name + ".pem"), List.of());
  }

  /** A private key file copied owner-only, as SigningKey.load requires. */
  private SigningKey privateKey(Path file) throws Exception {
    Path copy = Files.createTempFile(tmp, "key", ".pem");
    Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-------"));
    return SigningKey.load(copy, null);
  }

  private static X509Certificate certificate(JsonNode rawBytes) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(
                new java.io.ByteArrayInputStream(
                    Base64.getDecoder().decode(rawBytes.path("rawBytes").asText())));
  }

  private static X509Certificate pem(Path file) throws Exception {
    try (var in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
