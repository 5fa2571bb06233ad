package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.BundleSigner;
import dev.custody.core.Dsse;
import dev.custody.core.HostileEnvelopes;
import dev.custody.core.Json;
import dev.custody.core.Reason;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.Stage;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 8, W2 and W12, through the whole chain: {@code a}'s model signature replaced by each
 * committed attack fixture of {@code chains/attacks/w2-*} and {@code w12-*}. The fixtures are made
 * from {@code a} by {@link #regenerate()} (opt-in: {@code -Dcustody.regenerateFixtures=true}); run
 * it again after the golden chains are regenerated.
 */
class Issue8EnvelopeFixturesTest {
  static final String TOO_MANY_SIGNATURES = "w2-too-many-signatures.sigstore.json";
  static final String UTF16_BUNDLE = "w12-utf16-bundle.sigstore.json";
  static final String UTF16_PAYLOAD = "w12-utf16-payload.sigstore.json";
  static final String BASE64URL_SIGNATURE = "w12-base64url-signature.sigstore.json";
  static final String HIGH_S = "w12-high-s-model-sig.sigstore.json";

  /** The P-256 group order. */
  private static final BigInteger P256_N =
      new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

  @TempDir Path work;

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(TOO_MANY_SIGNATURES, "exactly one signature, found 64"),
        Arguments.of(
            UTF16_BUNDLE, "model.sig (train stage): expected UTF-8 JSON (RFC 8259), found"),
        Arguments.of(UTF16_PAYLOAD, "in-toto statement: expected UTF-8 JSON (RFC 8259), found"),
        Arguments.of(BASE64URL_SIGNATURE, "found base64url character"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void verify_modelSignatureInAMalleableEncoding_malformedSayingWhatWasFound(
      String fixture, String message) throws Exception {
    Path dir = withModelSignature(fixture);

    assertThatThrownBy(() -> GoldenChains.verifier().verify(dir))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining(message);
  }

  @Test
  void verify_modelSignatureWithTheHighSTwinOfItsSignature_acceptedWithTheSameResult()
      throws Exception {
    VerifiedChain genuine = GoldenChains.verifier().verify(GoldenChains.chain(GoldenChains.A));

    VerifiedChain twin = GoldenChains.verifier().verify(withModelSignature(HIGH_S));

    assertThat(twin.rootDigest()).isEqualTo(genuine.rootDigest());
    assertThat(twin.modelSigner()).isEqualTo(genuine.modelSigner());
  }

  @Test
  void fixtures_deterministicOnes_areCraftedFromTheGoldenChain() throws Exception {
    byte[] sig = goldenSignature();

    assertThat(attack(TOO_MANY_SIGNATURES)).isEqualTo(tooManySignatures(sig));
    assertThat(attack(UTF16_BUNDLE)).isEqualTo(utf16Bundle(sig));
    assertThat(attack(BASE64URL_SIGNATURE)).isEqualTo(base64urlSignature(sig));
    assertThat(attack(HIGH_S)).isEqualTo(highS(sig));
  }

  @Test
  void fixtures_utf16Payload_isTheGoldenStatementValidlySignedByTheTrainKey() throws Exception {
    ObjectNode env = (ObjectNode) Json.parse(attack(UTF16_PAYLOAD), "bundle").get("dsseEnvelope");
    byte[] payload = Base64.getDecoder().decode(env.get("payload").asText());
    byte[] der = Base64.getDecoder().decode(env.at("/signatures/0/sig").asText());
    byte[] golden =
        Base64.getDecoder()
            .decode(Json.parse(goldenSignature(), "bundle").at("/dsseEnvelope/payload").asText());

    assertThat(new String(payload, StandardCharsets.UTF_16LE))
        .isEqualTo(new String(golden, StandardCharsets.UTF_8));
    Signature ecdsa = Signature.getInstance("SHA256withECDSA");
    ecdsa.initVerify(trainKey());
    ecdsa.update(Dsse.pae(Statement.PAYLOAD_TYPE, payload));
    assertThat(ecdsa.verify(der)).isTrue();
  }

  /** Writes the fixtures from {@code a}'s model signature and the train key. */
  @Test
  @EnabledIfSystemProperty(named = "custody.regenerateFixtures", matches = "true")
  void regenerate() throws Exception {
    Path dir =
        Path.of(System.getProperty("custody.root", ".."))
            .resolve("pipeline-verify/src/test/resources/dev/custody/verify/chains/attacks");
    byte[] sig = goldenSignature();
    Files.write(dir.resolve(TOO_MANY_SIGNATURES), tooManySignatures(sig));
    Files.write(dir.resolve(UTF16_BUNDLE), utf16Bundle(sig));
    Files.write(dir.resolve(BASE64URL_SIGNATURE), base64urlSignature(sig));
    Files.write(dir.resolve(HIGH_S), highS(sig));
    byte[] payload =
        Base64.getDecoder().decode(Json.parse(sig, "bundle").at("/dsseEnvelope/payload").asText());
    byte[] utf16 = new String(payload, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16LE);
    Files.write(
        dir.resolve(UTF16_PAYLOAD),
        BundleSigner.create(GoldenChains.key(Stage.TRAIN)).signDsse(Statement.PAYLOAD_TYPE, utf16));
  }

  // ---- crafting ----

  /** The genuine signature followed by 63 DER signatures no key made. */
  static byte[] tooManySignatures(byte[] sig) throws Exception {
    ObjectNode root = (ObjectNode) Json.parse(sig, "bundle");
    ArrayNode sigs = (ArrayNode) root.at("/dsseEnvelope/signatures");
    while (sigs.size() < 64) {
      sigs.addObject().put("sig", HostileEnvelopes.randomDerBase64()).put("keyid", "");
    }
    return Json.writePretty(root);
  }

  /** The same JSON in UTF-16LE, which Jackson alone would detect and read. */
  static byte[] utf16Bundle(byte[] sig) {
    return new String(sig, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16LE);
  }

  /** The genuine signature spelled in base64url, which protobuf's JSON parser alone accepts. */
  static byte[] base64urlSignature(byte[] sig) throws Exception {
    ObjectNode root = (ObjectNode) Json.parse(sig, "bundle");
    ObjectNode s = (ObjectNode) root.at("/dsseEnvelope/signatures/0");
    String standard = s.get("sig").asText();
    String url = standard.replace('+', '-').replace('/', '_');
    if (url.equals(standard)) {
      throw new IllegalStateException("the golden signature spells neither '+' nor '/'");
    }
    s.put("sig", url);
    return Json.writePretty(root);
  }

  /** The genuine signature with S replaced by n - S: the other valid ECDSA form. */
  static byte[] highS(byte[] sig) throws Exception {
    ObjectNode root = (ObjectNode) Json.parse(sig, "bundle");
    ObjectNode s = (ObjectNode) root.at("/dsseEnvelope/signatures/0");
    byte[] der = Base64.getDecoder().decode(s.get("sig").asText());
    s.put(
        "sig",
        Base64.getEncoder().encodeToString(HostileEnvelopes.EcdsaDer.withOtherS(der, P256_N)));
    return Json.writePretty(root);
  }

  // ---- helpers ----

  private static byte[] goldenSignature() throws Exception {
    return Files.readAllBytes(
        GoldenChains.chain(GoldenChains.A).resolve(ChainLayout.SIGNATURE_FILE));
  }

  private static byte[] attack(String name) throws Exception {
    return Files.readAllBytes(GoldenChains.attack(name));
  }

  private static ECPublicKey trainKey() throws Exception {
    String pem =
        Files.readString(GoldenChains.root().resolve("keys/train.pub"), StandardCharsets.US_ASCII);
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return (ECPublicKey)
        KeyFactory.getInstance("EC")
            .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
  }

  private Path withModelSignature(String fixture) throws Exception {
    Path dir = GoldenChains.copy(GoldenChains.chain(GoldenChains.A), work.resolve("chain"));
    Files.copy(
        GoldenChains.attack(fixture),
        dir.resolve(ChainLayout.SIGNATURE_FILE),
        StandardCopyOption.REPLACE_EXISTING);
    return dir;
  }
}
