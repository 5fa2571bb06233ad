package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.JsonParseException;
import com.google.protobuf.InvalidProtocolBufferException;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 8, W2 and W12, in the bundle reader: the envelope's signature count and the JSON reader's
 * token and nesting bounds hold before a tree is built; JSON is UTF-8 only; base64 is standard and
 * canonical; both ECDSA S forms are accepted (see {@link KeyBundleVerifier}).
 */
class Issue8EnvelopeTest {
  private static final Charset UTF_32BE = Charset.forName("UTF-32BE");

  static Stream<SigstoreBundleTest.VerifierPath> paths() throws Exception {
    return SigstoreBundleTest.paths();
  }

  static Stream<SigstoreBundleTest.VerifierPath> dssePaths() throws Exception {
    return SigstoreBundleTest.dssePaths();
  }

  private static VerificationException rejection(
      SigstoreBundleTest.VerifierPath path, byte[] bundle) {
    return assertThrows(VerificationException.class, () -> path.check().verify(bundle));
  }

  // ---- W2: bounds ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("dssePaths")
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void verify_millionsOfEmptySignaturesAtTheSizeCap_malformedBeforeTheTreeIsBuilt(
      SigstoreBundleTest.VerifierPath path) throws Exception {
    byte[] hostile =
        HostileEnvelopes.withSignatures(path.bundle(), "{}", (int) SigstoreBundle.MAX_BUNDLE_BYTES);

    VerificationException e = rejection(path, hostile);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).startsWith("bundle: too large to read").contains("Token count");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dssePaths")
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void verify_randomDerSignaturesAtTheSizeCap_malformed(SigstoreBundleTest.VerifierPath path)
      throws Exception {
    byte[] hostile =
        HostileEnvelopes.withSignatures(
            path.bundle(),
            HostileEnvelopes.randomDerSignature(),
            (int) SigstoreBundle.MAX_BUNDLE_BYTES);

    assertThat(rejection(path, hostile).reason()).isEqualTo(Reason.MALFORMED);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dssePaths")
  void verify_envelopeOfSixtyFourSignatures_malformedNamingTheCount(
      SigstoreBundleTest.VerifierPath path) throws Exception {
    ObjectNode root = (ObjectNode) Json.parse(path.bundle(), "bundle");
    ArrayNode sigs = (ArrayNode) root.path("dsseEnvelope").path("signatures");
    while (sigs.size() < 64) {
      sigs.addObject().put("sig", HostileEnvelopes.randomDerBase64()).put("keyid", "");
    }

    VerificationException e = rejection(path, Json.write(root));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).contains("exactly one signature, found 64");
  }

  @Test
  void parse_nestingAtTheBound_readsAndOneDeeper_malformed() throws Exception {
    byte[] atBound = nested(Json.MAX_NESTING_DEPTH);
    byte[] deeper = nested(Json.MAX_NESTING_DEPTH + 1);

    assertThat(Json.parse(atBound, "doc").isArray()).isTrue();
    assertThatThrownBy(() -> Json.parse(deeper, "doc"))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("doc: too large to read")
        .hasMessageContaining("nesting depth");
  }

  @Test
  void parse_documentOverTheTokenBound_malformed() {
    StringBuilder json = new StringBuilder("[");
    for (long i = 0; i < Json.MAX_TOKENS; i++) {
      json.append(i == 0 ? "0" : ",0");
    }
    byte[] overBound = json.append(']').toString().getBytes(StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> Json.parse(overBound, "doc"))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("Token count");
  }

  @Test
  void parse_statementWithOneSubjectMoreThanTheBound_malformed() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("_type", Statement.TYPE);
    ArrayNode subjects = root.putArray("subject");
    for (int i = 0; i <= Statement.MAX_SUBJECTS; i++) {
      subjects.addObject().put("name", "f" + i).putObject("digest").put("sha256", "00");
    }
    root.put("predicateType", "https://custody.dev/test/v1");
    root.putObject("predicate");

    assertThatThrownBy(() -> Statement.parse(Json.write(root)))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining(
            "expected at most " + Statement.MAX_SUBJECTS + " subjects, found 10001");
  }

  @Test
  void rethrowError_outOfMemoryWrappedByGsonAndProtobuf_isThrownAsItIs() {
    OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
    InvalidProtocolBufferException wrapped =
        new InvalidProtocolBufferException("Failed parsing JSON source");
    wrapped.initCause(new JsonParseException("Failed parsing JSON source", oom));

    assertThatThrownBy(() -> SigstoreBundle.rethrowError(wrapped)).isSameAs(oom);
  }

  @Test
  void rethrowError_noErrorAmongTheCauses_returns() {
    SigstoreBundle.rethrowError(
        new InvalidProtocolBufferException("Expect message object but got: []"));
  }

  // ---- W12: UTF-8 only ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void verify_bundleWithUtf8ByteOrderMark_malformedSayingUtf8(
      SigstoreBundleTest.VerifierPath path) {
    byte[] bundle = path.bundle();
    byte[] withBom = new byte[bundle.length + 3];
    withBom[0] = (byte) 0xEF;
    withBom[1] = (byte) 0xBB;
    withBom[2] = (byte) 0xBF;
    System.arraycopy(bundle, 0, withBom, 3, bundle.length);

    VerificationException e = rejection(path, withBom);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage())
        .isEqualTo("bundle: expected UTF-8 JSON (RFC 8259), found a UTF-8 byte-order mark");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void verify_bundleInUtf16OrUtf32_malformedSayingUtf8(SigstoreBundleTest.VerifierPath path) {
    String json = new String(path.bundle(), StandardCharsets.UTF_8);
    for (Charset cs :
        List.of(
            StandardCharsets.UTF_16BE,
            StandardCharsets.UTF_16LE,
            StandardCharsets.UTF_16,
            UTF_32BE)) {
      VerificationException e = rejection(path, json.getBytes(cs));

      assertThat(e.reason()).as(cs.name()).isEqualTo(Reason.MALFORMED);
      assertThat(e.getMessage()).as(cs.name()).startsWith("bundle: expected UTF-8 JSON (RFC 8259)");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dssePaths")
  void verify_invalidUtf8InAnUnsignedString_malformed(SigstoreBundleTest.VerifierPath path)
      throws Exception {
    // keyid is neither signed nor used: only the encoding check can notice what it holds.
    for (byte[] invalid :
        List.of(
            new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, // overlong '/'
            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a UTF-16 surrogate
            new byte[] {(byte) 0xC3})) { // truncated
      ObjectNode root = (ObjectNode) Json.parse(path.bundle(), "bundle");
      ((ObjectNode) root.at("/dsseEnvelope/signatures/0")).put("keyid", "MARK");
      byte[] json = Json.write(root);
      byte[] bad = replace(json, "MARK".getBytes(StandardCharsets.US_ASCII), invalid);

      VerificationException e = rejection(path, bad);

      assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
      assertThat(e.getMessage())
          .startsWith("bundle: expected UTF-8 JSON (RFC 8259), found an invalid UTF-8 sequence");
    }
  }

  @Test
  void verifyStatement_payloadInUtf16_malformedSayingUtf8() throws Exception {
    SigningKey key = SigningKey.generate();
    byte[] utf16 =
        new String(BundleFixturesGenerator.statement().toJson(), StandardCharsets.UTF_8)
            .getBytes(StandardCharsets.UTF_16LE);
    byte[] bundle = BundleSigner.create(key).signDsse(Statement.PAYLOAD_TYPE, utf16);
    KeyBundleVerifier verifier = KeyBundleVerifier.builder().trust(key.publicKey()).build();

    assertThatThrownBy(() -> verifier.verifyStatement(bundle))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageStartingWith("in-toto statement: expected UTF-8 JSON (RFC 8259), found");
  }

  // ---- W12: canonical standard base64 ----

  @Test
  void verifyStatement_payloadInBase64url_malformedNamingTheCharacter() throws Exception {
    SigningKey key = SigningKey.generate();
    KeyBundleVerifier verifier = KeyBundleVerifier.builder().trust(key.publicKey()).build();
    // '?' (0x3F) in the third byte of a group of three spells '/': three in a row put one there.
    byte[] bundle =
        BundleSigner.create(key)
            .signStatement(
                new Statement(
                    List.of(Statement.Subject.of("model???", Sha256.of(new byte[] {1}))),
                    "https://custody.dev/test/v1",
                    JsonNodeFactory.instance.objectNode()));
    String payload = Json.parse(bundle, "bundle").at("/dsseEnvelope/payload").asText();
    assertThat(payload).contains("/");
    verifier.verifyStatement(bundle);
    ObjectNode root = (ObjectNode) Json.parse(bundle, "bundle");
    ((ObjectNode) root.get("dsseEnvelope"))
        .put("payload", payload.replace('+', '-').replace('/', '_'));
    byte[] urlSafe = Json.write(root);

    assertThatThrownBy(() -> verifier.verifyStatement(urlSafe))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageStartingWith("bundle.dsseEnvelope.payload: expected canonical base64")
        .hasMessageContaining("found base64url character");
  }

  @Test
  void verifyStatement_signatureInBase64url_malformedNamingTheCharacter() throws Exception {
    SigningKey key = SigningKey.generate();
    KeyBundleVerifier verifier = KeyBundleVerifier.builder().trust(key.publicKey()).build();
    byte[] bundle;
    String standard;
    do { // a signature whose base64 spells '+' or '/' (about 19 in 20 do), so base64url differs
      bundle = BundleSigner.create(key).signStatement(BundleFixturesGenerator.statement());
      standard = Json.parse(bundle, "bundle").at("/dsseEnvelope/signatures/0/sig").asText();
    } while (!standard.contains("+") && !standard.contains("/"));
    ObjectNode root = (ObjectNode) Json.parse(bundle, "bundle");
    ((ObjectNode) root.at("/dsseEnvelope/signatures/0"))
        .put("sig", standard.replace('+', '-').replace('/', '_'));
    byte[] urlSafe = Json.write(root);

    assertThatThrownBy(() -> verifier.verifyStatement(urlSafe))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageStartingWith("bundle.dsseEnvelope.signatures.sig: expected canonical base64")
        .hasMessageContaining("found base64url character");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dssePaths")
  void verify_signatureWithoutPadding_malformed(SigstoreBundleTest.VerifierPath path)
      throws Exception {
    ObjectNode root = (ObjectNode) Json.parse(path.bundle(), "bundle");
    ObjectNode sig = (ObjectNode) root.at("/dsseEnvelope/signatures/0");
    String padded = sig.get("sig").asText();
    String unpadded = padded.replace("=", "");
    // A DER ECDSA signature whose length is a multiple of 3 has no padding to drop: give it some.
    sig.put("sig", unpadded.equals(padded) ? padded + "A" : unpadded);

    VerificationException e = rejection(path, Json.write(root));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).contains("signatures.sig: expected canonical base64");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dssePaths")
  void verify_payloadWithLineBreaks_malformed(SigstoreBundleTest.VerifierPath path)
      throws Exception {
    ObjectNode root = (ObjectNode) Json.parse(path.bundle(), "bundle");
    ObjectNode env = (ObjectNode) root.get("dsseEnvelope");
    String payload = env.get("payload").asText();
    env.put("payload", payload.substring(0, 4) + "\r\n" + payload.substring(4));

    VerificationException e = rejection(path, Json.write(root));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).contains("found character U+000D at 4");
  }

  @Test
  void base64Flaw_eachKindOfFlaw_namesIt() {
    assertThat(SigstoreBundle.base64Flaw("QUJD")).isNull();
    assertThat(SigstoreBundle.base64Flaw("QU-_")).isEqualTo("base64url character '-' at 2");
    assertThat(SigstoreBundle.base64Flaw("QU J")).isEqualTo("character U+0020 at 2");
    assertThat(SigstoreBundle.base64Flaw("QUI"))
        .isEqualTo("length 3 (not padded to a multiple of 4)");
    assertThat(SigstoreBundle.base64Flaw("QUJ="))
        .isEqualTo("non-zero unused bits in the last character");
    assertThat(SigstoreBundle.base64Flaw("Q===")).isEqualTo("3 padding characters");
  }

  // ---- W12: ECDSA S in both forms ----

  @Test
  void verifyStatement_highSTwinOfAValidSignature_verifiesToTheSameResult() throws Exception {
    SigningKey key = SigningKey.generate();
    KeyBundleVerifier verifier = KeyBundleVerifier.builder().trust(key.publicKey()).build();
    byte[] bundle = BundleSigner.create(key).signStatement(BundleFixturesGenerator.statement());
    ObjectNode root = (ObjectNode) Json.parse(bundle, "bundle");
    ObjectNode sig = (ObjectNode) root.at("/dsseEnvelope/signatures/0");
    byte[] der = Base64.getDecoder().decode(sig.get("sig").asText());
    BigInteger n = ((ECPublicKey) key.publicKey().jcaKey()).getParams().getOrder();
    byte[] twin = HostileEnvelopes.EcdsaDer.withOtherS(der, n);
    sig.put("sig", Base64.getEncoder().encodeToString(twin));
    byte[] twinBundle = Json.write(root);

    VerifiedStatement original = verifier.verifyStatement(bundle);
    VerifiedStatement malleated = verifier.verifyStatement(twinBundle);

    assertThat(twin).isNotEqualTo(der);
    assertThat(HostileEnvelopes.EcdsaDer.s(der).add(HostileEnvelopes.EcdsaDer.s(twin)))
        .isEqualTo(n);
    assertThat(malleated.statement()).isEqualTo(original.statement());
    assertThat(malleated.payload()).isEqualTo(original.payload());
    assertThat(malleated.signer()).isEqualTo(original.signer());
    assertThat(malleated.key()).isEqualTo(original.key()).contains(key.publicKey());
  }

  // ---- helpers ----

  private static byte[] nested(int depth) {
    return ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] replace(byte[] in, byte[] what, byte[] with) {
    String s = new String(in, StandardCharsets.ISO_8859_1);
    String w = new String(what, StandardCharsets.ISO_8859_1);
    String r = new String(with, StandardCharsets.ISO_8859_1);
    return s.replace(w, r).getBytes(StandardCharsets.ISO_8859_1);
  }
}
