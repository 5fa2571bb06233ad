package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one bundle reader, seen through every verifier that uses it: the same fault gives the same
 * {@link Reason} on the key, key-with-log and keyless paths.
 */
class SigstoreBundleTest {
  /** A verifier path and a bundle it accepts (not a record: it holds a byte array). */
  static final class VerifierPath {
    private final String name;
    private final byte[] bundle;
    private final Check check;

    VerifierPath(String name, byte[] bundle, Check check) {
      this.name = name;
      this.bundle = bundle.clone();
      this.check = check;
    }

    byte[] bundle() {
      return bundle.clone();
    }

    Check check() {
      return check;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Verifies a bundle on one path. */
  interface Check {
    void verify(byte[] bundle) throws Exception;
  }

  /** The key path always; the key-with-log and keyless paths where ../shared is present. */
  static Stream<VerifierPath> paths() throws Exception {
    List<VerifierPath> out = new ArrayList<>();
    SigningKey key = SigningKey.generate();
    Path artifact = Files.createTempFile("custody-bundle-test", ".txt");
    artifact.toFile().deleteOnExit();
    Files.writeString(artifact, "artifact");
    KeyBundleVerifier byKey = KeyBundleVerifier.builder().trust(key.publicKey()).build();
    out.add(
        new VerifierPath(
            "key",
            BundleSigner.create(key).signArtifact(artifact),
            b -> byKey.verifyArtifact(b, artifact)));
    Path cases = SigstoreConformanceTest.CASES;
    if (Files.isDirectory(cases)) {
      Path a = cases.resolve("a.txt");
      Path managed = cases.resolve("managed-key-happy-path");
      KeyBundleTlogVerifier withLog =
          KeyBundleTlogVerifier.builder()
              .trustedRoot(SigstoreConformanceTest.PUBLIC_GOOD)
              .publicKey(managed.resolve("key.pub"))
              .build();
      out.add(
          new VerifierPath(
              "key with log",
              Files.readAllBytes(managed.resolve("bundle.sigstore.json")),
              b -> withLog.verify(b, a)));
      out.add(
          new VerifierPath(
              "keyless",
              Files.readAllBytes(cases.resolve("happy-path-v0.3/bundle.sigstore.json")),
              b -> keyless().verify(b, a)));
    }
    return out.stream();
  }

  /** DSSE bundles on the key and keyless paths. */
  static Stream<VerifierPath> dssePaths() throws Exception {
    List<VerifierPath> out = new ArrayList<>();
    SigningKey key = SigningKey.generate();
    KeyBundleVerifier byKey = KeyBundleVerifier.builder().trust(key.publicKey()).build();
    out.add(
        new VerifierPath(
            "key",
            BundleSigner.create(key).signStatement(BundleFixturesGenerator.statement()),
            byKey::verifyStatement));
    Path cases = SigstoreConformanceTest.CASES;
    if (Files.isDirectory(cases)) {
      out.add(
          new VerifierPath(
              "keyless",
              Files.readAllBytes(
                  cases.resolve("happy-path-intoto-in-dsse-v3/bundle.sigstore.json")),
              b -> keyless().verify(b, cases.resolve("a.txt"))));
    }
    return out.stream();
  }

  private static KeylessBundleVerifier keyless() throws IOException {
    return KeylessBundleVerifier.builder()
        .trustedRoot(SigstoreConformanceTest.PUBLIC_GOOD)
        .requireSigner(
            SigstoreConformanceTest.BEACON_IDENTITY, SigstoreConformanceTest.BEACON_ISSUER)
        .build();
  }

  private static Reason rejection(VerifierPath path, byte[] bundle) {
    VerificationException e =
        assertThrows(VerificationException.class, () -> path.check().verify(bundle));
    return e.reason();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"paths", "dssePaths"})
  void verify_intactBundle_verifies(VerifierPath path) throws Exception {
    path.check().verify(path.bundle());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void verify_bundleOfExactlySizeLimit_verifies(VerifierPath path) throws Exception {
    byte[] padded = Arrays.copyOf(path.bundle(), (int) SigstoreBundle.MAX_BUNDLE_BYTES);
    Arrays.fill(padded, path.bundle().length, padded.length, (byte) ' '); // still valid JSON

    path.check().verify(padded);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void verify_bundleOverSizeLimit_throwsMalformed(VerifierPath path) {
    byte[] padded = Arrays.copyOf(path.bundle(), (int) SigstoreBundle.MAX_BUNDLE_BYTES + 1);
    Arrays.fill(padded, path.bundle().length, padded.length, (byte) ' '); // still valid JSON

    VerificationException e =
        assertThrows(VerificationException.class, () -> path.check().verify(padded));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage())
        .contains("expected at most " + SigstoreBundle.MAX_BUNDLE_BYTES + " bytes");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void verify_unknownMediaType_throwsUnsupported(VerifierPath path) throws Exception {
    ObjectNode root = (ObjectNode) Json.parse(path.bundle(), "bundle");
    root.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.4+json");

    assertThat(rejection(path, Json.write(root))).isEqualTo(Reason.UNSUPPORTED);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void verify_duplicateKey_throwsMalformed(VerifierPath path) throws Exception {
    String json = new String(path.bundle(), StandardCharsets.UTF_8);
    String mediaType = Json.parse(path.bundle(), "bundle").path("mediaType").asText();
    int brace = json.indexOf('{');
    String duplicated =
        json.substring(0, brace + 1)
            + "\"mediaType\":\""
            + mediaType
            + "\","
            + json.substring(brace + 1);

    assertThat(rejection(path, duplicated.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(Reason.MALFORMED);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void verify_trailingTokens_throwsMalformed(VerifierPath path) {
    byte[] bundle = path.bundle();
    byte[] trailing = Arrays.copyOf(bundle, bundle.length + 2);
    trailing[bundle.length] = '{';
    trailing[bundle.length + 1] = '}';

    assertThat(rejection(path, trailing)).isEqualTo(Reason.MALFORMED);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void verify_fieldOutsideBundleSchema_throwsMalformed(VerifierPath path) throws Exception {
    ObjectNode root = (ObjectNode) Json.parse(path.bundle(), "bundle");
    root.put("signedBy", "someone else");

    assertThat(rejection(path, Json.write(root))).isEqualTo(Reason.MALFORMED);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("paths")
  void verify_messageDigestInNonCanonicalBase64_throwsMalformed(VerifierPath path)
      throws Exception {
    ObjectNode root = (ObjectNode) Json.parse(path.bundle(), "bundle");
    ObjectNode digest = (ObjectNode) root.path("messageSignature").path("messageDigest");
    digest.put("digest", respell(digest.get("digest").asText()));

    VerificationException e =
        assertThrows(VerificationException.class, () -> path.check().verify(Json.write(root)));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).contains("messageSignature.messageDigest.digest");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dssePaths")
  void verify_dsseEnvelopeWithTwoSignatures_throwsMalformed(VerifierPath path) throws Exception {
    ObjectNode root = (ObjectNode) Json.parse(path.bundle(), "bundle");
    ArrayNode sigs = (ArrayNode) root.path("dsseEnvelope").path("signatures");
    sigs.add(sigs.get(0).deepCopy());

    VerificationException e =
        assertThrows(VerificationException.class, () -> path.check().verify(Json.write(root)));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).contains("exactly one signature, found 2");
  }

  @Test
  void canonicalBase64_unusedBitsSet_refused() {
    assertThat(SigstoreBundle.canonicalBase64("QUI=")).isTrue(); // "AB"
    assertThat(SigstoreBundle.canonicalBase64("QUJ=")).isFalse(); // also "AB" to a lenient decoder
    assertThat(SigstoreBundle.canonicalBase64("QQ==")).isTrue(); // "A"
    assertThat(SigstoreBundle.canonicalBase64("QR==")).isFalse();
    assertThat(SigstoreBundle.canonicalBase64("QUJD")).isTrue();
    assertThat(SigstoreBundle.canonicalBase64("QUI")).isFalse(); // unpadded: protobuf accepts it
    assertThat(SigstoreBundle.canonicalBase64("Q")).isFalse();
    assertThat(SigstoreBundle.canonicalBase64("")).isTrue();
  }

  @Test
  void canonicalBase64_lastCharacterOfEachAlphabetRange_judgedByItsValue() {
    assertThat(SigstoreBundle.canonicalBase64("QA==")).isTrue(); // 'A' = 0
    assertThat(SigstoreBundle.canonicalBase64("QUA=")).isTrue(); // 'A' = 0
    assertThat(SigstoreBundle.canonicalBase64("QUE=")).isTrue(); // 'E' = 4
    assertThat(SigstoreBundle.canonicalBase64("QUg=")).isTrue(); // 'g' = 32
    assertThat(SigstoreBundle.canonicalBase64("QUw=")).isTrue(); // 'w' = 48
    assertThat(SigstoreBundle.canonicalBase64("QU0=")).isTrue(); // '0' = 52
    assertThat(SigstoreBundle.canonicalBase64("QU4=")).isTrue(); // '4' = 56
    assertThat(SigstoreBundle.canonicalBase64("Qw==")).isTrue(); // 'w' = 48
    // 62 ('+', '-') and 63 ('/', '_') always leave a low bit set; anything else is not base64.
    assertThat(SigstoreBundle.canonicalBase64("QU+=")).isFalse();
    assertThat(SigstoreBundle.canonicalBase64("QU-=")).isFalse();
    assertThat(SigstoreBundle.canonicalBase64("QU/=")).isFalse();
    assertThat(SigstoreBundle.canonicalBase64("QU_=")).isFalse();
    assertThat(SigstoreBundle.canonicalBase64("QU*=")).isFalse();
    assertThat(SigstoreBundle.canonicalBase64("Q*==")).isFalse();
  }

  @Test
  void canonicalBase64_wrongPadding_refused() {
    assertThat(SigstoreBundle.canonicalBase64("QQ=")).isFalse(); // one '=' where two belong
    assertThat(SigstoreBundle.canonicalBase64("QQ===")).isFalse(); // three '='
    assertThat(SigstoreBundle.canonicalBase64("QUJD=")).isFalse(); // '=' after a full group
    assertThat(SigstoreBundle.canonicalBase64("=")).isFalse();
  }

  @Test
  void verifyStatement_envelopeSignatureInNonCanonicalBase64_throwsMalformed() throws Exception {
    SigningKey key = SigningKey.generate();
    KeyBundleVerifier verifier = KeyBundleVerifier.builder().trust(key.publicKey()).build();
    byte[] bundle;
    String sig;
    do { // a DER signature whose length is not a multiple of 3, so its base64 is padded
      bundle = BundleSigner.create(key).signStatement(BundleFixturesGenerator.statement());
      sig = Json.parse(bundle, "bundle").at("/dsseEnvelope/signatures/0/sig").asText();
    } while (!sig.endsWith("="));
    ObjectNode root = (ObjectNode) Json.parse(bundle, "bundle");
    ((ObjectNode) root.at("/dsseEnvelope/signatures/0")).put("sig", respell(sig));
    byte[] tampered = Json.write(root);

    VerificationException e =
        assertThrows(VerificationException.class, () -> verifier.verifyStatement(tampered));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage())
        .isEqualTo(
            "bundle.dsseEnvelope.signatures.sig: expected canonical base64 (RFC 4648 standard"
                + " alphabet, padded, no whitespace, unused bits zero), found non-zero unused bits"
                + " in the last character");
  }

  @Test
  void verifyStatement_signatureWithNonCanonicalBase64_malformed() throws Exception {
    SigningKey key = SigningKey.generate();
    Statement st = null;
    for (String name = "x"; st == null || st.toJson().length % 3 == 0; name += "x") {
      // a payload whose length is not a multiple of 3, so its base64 ends in unused bits
      st =
          new Statement(
              List.of(Statement.Subject.of(name, Sha256.of(new byte[] {1}))),
              "https://custody.dev/test/v1",
              JsonNodeFactory.instance.objectNode());
    }
    Statement signed = st;
    byte[] bundle = BundleSigner.create(key).signStatement(signed);
    KeyBundleVerifier verifier = KeyBundleVerifier.builder().trust(key.publicKey()).build();
    assertThat(verifier.verifyStatement(bundle).statement()).isEqualTo(signed);

    // The same payload bytes, spelled with a non-zero unused bit: a lenient decoder would accept
    // it.
    ObjectNode root = (ObjectNode) Json.parse(bundle, "bundle");
    ObjectNode env = (ObjectNode) root.get("dsseEnvelope");
    String payload = env.get("payload").asText();
    String spelled = respell(payload);
    env.put("payload", spelled);
    byte[] tampered = Json.write(root);

    assertThatThrownBy(() -> verifier.verifyStatement(tampered))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("dsseEnvelope.payload: expected canonical base64")
        .satisfies(
            e -> assertThat(((VerificationException) e).reason()).isEqualTo(Reason.MALFORMED));
  }

  /** Sets the lowest unused bit of the last significant character (the payload must be padded). */
  private static String respell(String b64) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int end = b64.length();
    while (b64.charAt(end - 1) == '=') {
      end--;
    }
    if (end == b64.length()) {
      throw new IllegalStateException("payload has no padding: " + b64.length() + " chars");
    }
    int v = alphabet.indexOf(b64.charAt(end - 1));
    return b64.substring(0, end - 1) + alphabet.charAt(v | 1) + b64.substring(end);
  }
}
