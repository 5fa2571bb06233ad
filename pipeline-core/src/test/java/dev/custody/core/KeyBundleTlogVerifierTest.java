package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link KeyBundleTlogVerifier} on DSSE bundles logged to a transparency log made up for the test:
 * its key is in a trusted root written here, and each bundle carries a signed entry timestamp, a
 * one-leaf inclusion proof and a signed checkpoint. (The conformance suite covers message
 * signatures on the real public-good and staging logs.)
 */
class KeyBundleTlogVerifierTest {
  static final String LOG_HOST = "log.example";
  static final Clock NOW = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  static final long INTEGRATED = Instant.parse("2025-06-01T12:00:00Z").getEpochSecond();
  static final ObjectMapper JSON = new ObjectMapper();
  static final Base64.Encoder B64 = Base64.getEncoder();

  @TempDir static Path tmp;
  static KeyPair log;
  static KeyPair signer;
  static byte[] logId;
  static Path trustedRoot;
  static Path keyPub;

  @BeforeAll
  static void setUp() throws Exception {
    log = ecKeyPair();
    signer = ecKeyPair();
    logId = MessageDigest.getInstance("SHA-256").digest(log.getPublic().getEncoded());
    ObjectNode root = JSON.createObjectNode();
    root.put("mediaType", "application/vnd.dev.sigstore.trustedroot+json;version=0.1");
    ObjectNode tlog = root.putArray("tlogs").addObject();
    tlog.put("baseUrl", "https://" + LOG_HOST);
    tlog.put("hashAlgorithm", "SHA2_256");
    ObjectNode pk = tlog.putObject("publicKey");
    pk.put("rawBytes", B64.encodeToString(log.getPublic().getEncoded()));
    pk.put("keyDetails", "PKIX_ECDSA_P256_SHA_256");
    pk.putObject("validFor").put("start", "2023-01-01T00:00:00Z");
    tlog.putObject("logId").put("keyId", B64.encodeToString(logId));
    trustedRoot = tmp.resolve("trusted_root.json");
    Files.write(trustedRoot, JSON.writeValueAsBytes(root));
    keyPub = tmp.resolve("key.pub");
    Files.writeString(keyPub, pem(signer.getPublic().getEncoded()), StandardCharsets.US_ASCII);
  }

  private static KeyPair ecKeyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static String pem(byte[] der) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END PUBLIC KEY-----\n";
  }

  private static byte[] sign(PrivateKey key, byte[] data) throws GeneralSecurityException {
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key);
    s.update(data);
    return s.sign();
  }

  private static byte[] sha256(byte[] data) throws GeneralSecurityException {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }

  /** An in-toto statement about one subject, with a non-ASCII name. */
  private static byte[] statement(Sha256 subject) {
    return ("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"modèle-ü\","
            + "\"digest\":{\"sha256\":\""
            + subject.hex()
            + "\"}}],\"predicateType\":\"https://custody.dev/test/v1\",\"predicate\":{}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** What to build; each field can be spoiled by a test. */
  private static final class Spec {
    byte[] payload = statement(MODEL);
    byte[] loggedPayload;
    boolean paeInCharacters;
    PrivateKey setKey = log.getPrivate();
    long integratedTime = INTEGRATED;

    /** A message signature over {@code MODEL}'s content (a hashedrekord entry) instead of DSSE. */
    boolean messageSignature;

    /** Changes the log entry's body; the log still signs and includes the changed body. */
    Consumer<ObjectNode> spoilBody = body -> {};

    int logEntries = 1;

    /** The inclusion proof and checkpoint name the root of a tree the entry is not in. */
    boolean rootOfOtherTree;

    long logIndex = 7;
    long proofTreeSize = 1;
  }

  static final byte[] MODEL_BYTES = "model bytes".getBytes(StandardCharsets.UTF_8);
  static final Sha256 MODEL = Sha256.of(MODEL_BYTES);
  static final String IN_TOTO = "application/vnd.in-toto+json";

  private static byte[] bundle(Spec spec) throws Exception {
    byte[] pae =
        spec.paeInCharacters
            ? ("DSSEv1 "
                    + IN_TOTO.length()
                    + " "
                    + IN_TOTO
                    + " "
                    + new String(spec.payload, StandardCharsets.UTF_8).length()
                    + " "
                    + new String(spec.payload, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8)
            : Dsse.pae(IN_TOTO, spec.payload);
    byte[] sig = sign(signer.getPrivate(), spec.messageSignature ? MODEL_BYTES : pae);
    byte[] logged = spec.loggedPayload == null ? spec.payload : spec.loggedPayload;
    String signerPem =
        B64.encodeToString(
            pem(signer.getPublic().getEncoded()).getBytes(StandardCharsets.US_ASCII));
    String kind = spec.messageSignature ? "hashedrekord" : "dsse";

    ObjectNode body = JSON.createObjectNode();
    body.put("apiVersion", "0.0.1");
    body.put("kind", kind);
    ObjectNode bodySpec = body.putObject("spec");
    if (spec.messageSignature) {
      bodySpec
          .putObject("data")
          .putObject("hash")
          .put("algorithm", "sha256")
          .put("value", MODEL.hex());
      ObjectNode bodySig = bodySpec.putObject("signature");
      bodySig.put("content", B64.encodeToString(sig));
      bodySig.putObject("publicKey").put("content", signerPem);
    } else {
      bodySpec
          .putObject("payloadHash")
          .put("algorithm", "sha256")
          .put("value", Sha256.of(logged).hex());
      ObjectNode bodySig = bodySpec.putArray("signatures").addObject();
      bodySig.put("signature", B64.encodeToString(sig));
      bodySig.put("verifier", signerPem);
    }
    spec.spoilBody.accept(body);
    byte[] bodyBytes = JSON.writeValueAsBytes(body);

    String logIdHex = Sha256.ofRaw(logId).hex();
    String signable =
        "{\"body\":\""
            + B64.encodeToString(bodyBytes)
            + "\",\"integratedTime\":"
            + spec.integratedTime
            + ",\"logID\":\""
            + logIdHex
            + "\",\"logIndex\":"
            + spec.logIndex
            + "}";
    byte[] set = sign(spec.setKey, signable.getBytes(StandardCharsets.UTF_8));

    byte[] leaf = new byte[bodyBytes.length + 1];
    System.arraycopy(bodyBytes, 0, leaf, 1, bodyBytes.length);
    byte[] rootHash = sha256(leaf); // a one-leaf tree: the root is the leaf hash
    if (spec.rootOfOtherTree) {
      rootHash = sha256("another tree".getBytes(StandardCharsets.UTF_8));
    }
    String header = LOG_HOST + " - 42\n1\n" + B64.encodeToString(rootHash) + "\n";
    byte[] cpSig = sign(log.getPrivate(), header.getBytes(StandardCharsets.UTF_8));
    byte[] hintAndSig = new byte[4 + cpSig.length];
    System.arraycopy(logId, 0, hintAndSig, 0, 4);
    System.arraycopy(cpSig, 0, hintAndSig, 4, cpSig.length);
    String checkpoint =
        header + "\n\u2014 " + LOG_HOST + " " + B64.encodeToString(hintAndSig) + "\n";

    ObjectNode b = JSON.createObjectNode();
    b.put("mediaType", "application/vnd.dev.sigstore.bundle.v0.3+json");
    ObjectNode vm = b.putObject("verificationMaterial");
    vm.putObject("publicKey").put("hint", "");
    ObjectNode e = vm.putArray("tlogEntries").addObject();
    e.put("logIndex", Long.toString(spec.logIndex));
    e.putObject("logId").put("keyId", B64.encodeToString(logId));
    e.putObject("kindVersion").put("kind", kind).put("version", "0.0.1");
    e.put("integratedTime", Long.toString(spec.integratedTime));
    e.putObject("inclusionPromise").put("signedEntryTimestamp", B64.encodeToString(set));
    ObjectNode proof = e.putObject("inclusionProof");
    proof.put("logIndex", "0");
    proof.put("rootHash", B64.encodeToString(rootHash));
    proof.put("treeSize", Long.toString(spec.proofTreeSize));
    proof.putArray("hashes");
    proof.putObject("checkpoint").put("envelope", checkpoint);
    e.put("canonicalizedBody", B64.encodeToString(bodyBytes));
    ArrayNode entries = (ArrayNode) vm.get("tlogEntries");
    while (entries.size() > spec.logEntries) {
      entries.remove(0);
    }
    while (entries.size() < spec.logEntries) {
      entries.add(e.deepCopy());
    }
    if (spec.messageSignature) {
      ObjectNode ms = b.putObject("messageSignature");
      ms.putObject("messageDigest")
          .put("algorithm", "SHA2_256")
          .put("digest", B64.encodeToString(MODEL.bytes()));
      ms.put("signature", B64.encodeToString(sig));
    } else {
      ObjectNode env = b.putObject("dsseEnvelope");
      env.put("payload", B64.encodeToString(spec.payload));
      env.put("payloadType", IN_TOTO);
      env.putArray("signatures").addObject().put("sig", B64.encodeToString(sig)).put("keyid", "");
    }
    return JSON.writeValueAsBytes(b);
  }

  private static KeyBundleTlogVerifier verifier() throws Exception {
    return KeyBundleTlogVerifier.builder()
        .trustedRoot(trustedRoot)
        .publicKey(keyPub)
        .clock(NOW)
        .build();
  }

  private static Reason rejection(Spec spec, Sha256 artifact) throws Exception {
    byte[] bundle = bundle(spec);
    KeyBundleTlogVerifier v = verifier();
    return assertThrows(VerificationException.class, () -> v.verify(bundle, artifact)).reason();
  }

  @Test
  void verify_dsseBundleWithMultiByteUtf8Payload_returnsVerifiedPayload() throws Exception {
    Spec spec = new Spec();

    VerifiedSignature v = verifier().verify(bundle(spec), MODEL);

    assertThat(v.dssePayload()).hasValueSatisfying(p -> assertThat(p).isEqualTo(spec.payload));
    assertThat(v.dssePayloadType()).contains(IN_TOTO);
    assertThat(v.artifactDigest()).isEqualTo(MODEL);
    assertThat(v.integratedTime()).isEqualTo(Instant.ofEpochSecond(INTEGRATED));
    assertThat(v.signer())
        .isEqualTo("key " + VerificationKey.fromDer(signer.getPublic().getEncoded()).hint());
    assertThat(v.identity()).isEmpty();
  }

  @Test
  void dssePayload_returnedArrayMutated_resultUnchanged() throws Exception {
    Spec spec = new Spec();
    VerifiedSignature v = verifier().verify(bundle(spec), MODEL);

    byte[] copy = v.dssePayload().orElseThrow();
    Arrays.fill(copy, (byte) 0);

    assertThat(v.dssePayload().orElseThrow()).isEqualTo(spec.payload);
  }

  @Test
  void verify_signatureOverCharacterCountedPae_throwsSignatureInvalid() throws Exception {
    Spec spec = new Spec();
    spec.paeInCharacters = true; // what sigstore-java 2.0.0's getPAE() computes

    assertThat(rejection(spec, MODEL)).isEqualTo(Reason.SIGNATURE_INVALID);
  }

  @Test
  void verify_otherArtifact_throwsDigestMismatch() throws Exception {
    Sha256 other = Sha256.of("other model".getBytes(StandardCharsets.UTF_8));

    assertThat(rejection(new Spec(), other)).isEqualTo(Reason.DIGEST_MISMATCH);
  }

  @Test
  void verify_logEntryForOtherPayload_throwsTlogInvalid() throws Exception {
    Spec spec = new Spec();
    spec.loggedPayload = statement(Sha256.of("other".getBytes(StandardCharsets.UTF_8)));

    assertThat(rejection(spec, MODEL)).isEqualTo(Reason.TLOG_INVALID);
  }

  @Test
  void verify_signedEntryTimestampByOtherKey_throwsTlogInvalid() throws Exception {
    Spec spec = new Spec();
    spec.setKey = signer.getPrivate();

    assertThat(rejection(spec, MODEL)).isEqualTo(Reason.TLOG_INVALID);
  }

  @Test
  void verify_integratedTimeAfterClock_throwsTlogInvalid() throws Exception {
    Spec spec = new Spec();
    spec.integratedTime = NOW.instant().getEpochSecond() + 3600;

    assertThat(rejection(spec, MODEL)).isEqualTo(Reason.TLOG_INVALID);
  }

  @Test
  void verify_integratedTimeBeforeLogKeyValidity_throwsTlogInvalid() throws Exception {
    Spec spec = new Spec();
    spec.integratedTime = Instant.parse("2022-06-01T00:00:00Z").getEpochSecond();

    assertThat(rejection(spec, MODEL)).isEqualTo(Reason.TLOG_INVALID);
  }

  @Test
  void verify_otherKey_throwsSignatureInvalid() throws Exception {
    Path otherPub = tmp.resolve("other.pub");
    Files.writeString(
        otherPub, pem(ecKeyPair().getPublic().getEncoded()), StandardCharsets.US_ASCII);
    KeyBundleTlogVerifier v =
        KeyBundleTlogVerifier.builder()
            .trustedRoot(trustedRoot)
            .publicKey(otherPub)
            .clock(NOW)
            .build();
    byte[] bundle = bundle(new Spec());

    VerificationException e =
        assertThrows(VerificationException.class, () -> v.verify(bundle, MODEL));

    assertThat(e.reason()).isEqualTo(Reason.SIGNATURE_INVALID);
  }

  @Test
  void build_noPublicKey_throwsIllegalState() {
    assertThatThrownBy(() -> KeyBundleTlogVerifier.builder().trustedRoot(trustedRoot).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a public key is required");
  }

  @Test
  void build_notAPemKey_throwsIllegalArgument() throws Exception {
    Path junk = tmp.resolve("junk.pub");
    Files.writeString(junk, "not a key".toUpperCase(Locale.ROOT), StandardCharsets.US_ASCII);

    assertThatThrownBy(
            () -> KeyBundleTlogVerifier.builder().trustedRoot(trustedRoot).publicKey(junk).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void verify_messageSignatureBundle_returnsVerifiedDigest() throws Exception {
    Spec spec = new Spec();
    spec.messageSignature = true;

    VerifiedSignature v = verifier().verify(bundle(spec), MODEL);

    assertThat(v.artifactDigest()).isEqualTo(MODEL);
    assertThat(v.dssePayload()).isEmpty();
    assertThat(v.integratedTime()).isEqualTo(Instant.ofEpochSecond(INTEGRATED));
  }

  @Test
  void verify_messageSignatureOverOtherArtifact_throwsDigestMismatch() throws Exception {
    Spec spec = new Spec();
    spec.messageSignature = true;
    Sha256 other = Sha256.of("other model".getBytes(StandardCharsets.UTF_8));

    assertThat(rejection(spec, other)).isEqualTo(Reason.DIGEST_MISMATCH);
  }

  /** A log entry the log really holds, but about something else than this bundle's signature. */
  static Stream<Arguments> entriesAboutSomethingElse() {
    String otherPem =
        B64.encodeToString(pem(otherKey().getEncoded()).getBytes(StandardCharsets.US_ASCII));
    String otherSig = B64.encodeToString(new byte[] {48, 6, 2, 1, 1, 2, 1, 1});
    String notAPem = B64.encodeToString("not a key".getBytes(StandardCharsets.US_ASCII));
    return Stream.of(
        entry(
            false,
            "payload hash sha512",
            b -> at(b, "/spec/payloadHash").put("algorithm", "sha512")),
        entry(
            false,
            "two signatures",
            b -> ((ArrayNode) b.at("/spec/signatures")).add(b.at("/spec/signatures/0").deepCopy())),
        entry(
            false, "other signature", b -> at(b, "/spec/signatures/0").put("signature", otherSig)),
        entry(
            false,
            "other verifier key",
            b -> at(b, "/spec/signatures/0").put("verifier", otherPem)),
        entry(
            false, "verifier not a key", b -> at(b, "/spec/signatures/0").put("verifier", notAPem)),
        entry(
            true, "artifact hash sha512", b -> at(b, "/spec/data/hash").put("algorithm", "sha512")),
        entry(
            true,
            "other artifact hash",
            b -> at(b, "/spec/data/hash").put("value", Sha256.of(new byte[0]).hex())),
        entry(true, "other signature", b -> at(b, "/spec/signature").put("content", otherSig)),
        entry(
            true,
            "other public key",
            b -> at(b, "/spec/signature/publicKey").put("content", otherPem)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entriesAboutSomethingElse")
  void verify_logEntryAboutSomethingElse_throwsTlogInvalid(
      String name, boolean messageSignature, Consumer<ObjectNode> spoil) throws Exception {
    Spec spec = new Spec();
    spec.messageSignature = messageSignature;
    spec.spoilBody = spoil;
    byte[] bundle = bundle(spec);
    KeyBundleTlogVerifier v = verifier();

    VerificationException e =
        assertThrows(VerificationException.class, () -> v.verify(bundle, MODEL));

    assertThat(e.reason()).isEqualTo(Reason.TLOG_INVALID);
    assertThat(e.getMessage()).startsWith("log entry body: expected ");
  }

  @Test
  void verify_entryAtLogIndexZero_verifies() throws Exception {
    Spec spec = new Spec();
    spec.logIndex = 0;

    assertThat(verifier().verify(bundle(spec), MODEL).artifactDigest()).isEqualTo(MODEL);
  }

  @Test
  void verify_proofIndexNotBelowTreeSize_throwsTlogInvalidBeforeTheProofIsChecked()
      throws Exception {
    Spec spec = new Spec();
    spec.proofTreeSize = 0; // index 0 in a tree of 0

    byte[] bundle = bundle(spec);
    KeyBundleTlogVerifier v = verifier();
    VerificationException e =
        assertThrows(VerificationException.class, () -> v.verify(bundle, MODEL));

    assertThat(e.reason()).isEqualTo(Reason.TLOG_INVALID);
    assertThat(e.getMessage())
        .isEqualTo(
            "inclusion proof: expected 0 <= index < tree size, found index 0 in a tree of 0");
  }

  @Test
  void verify_noLogEntry_throwsTlogInvalid() throws Exception {
    Spec spec = new Spec();
    spec.logEntries = 0;

    assertThat(rejection(spec, MODEL)).isEqualTo(Reason.TLOG_INVALID);
  }

  @Test
  void verify_twoLogEntries_throwsUnsupported() throws Exception {
    Spec spec = new Spec();
    spec.logEntries = 2;

    assertThat(rejection(spec, MODEL)).isEqualTo(Reason.UNSUPPORTED);
  }

  @Test
  void verify_inclusionProofForOtherTree_throwsTlogInvalid() throws Exception {
    Spec spec = new Spec();
    spec.rootOfOtherTree = true; // the checkpoint is signed, but the entry is not in that tree

    assertThat(rejection(spec, MODEL)).isEqualTo(Reason.TLOG_INVALID);
  }

  @Test
  void verify_trustedLogWithoutValidityStart_throwsTlogInvalid() throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(Files.readAllBytes(trustedRoot));
    ((ObjectNode) root.at("/tlogs/0/publicKey")).remove("validFor");
    Path unbounded = tmp.resolve("trusted_root-unbounded-log.json");
    Files.write(unbounded, JSON.writeValueAsBytes(root));
    KeyBundleTlogVerifier v =
        KeyBundleTlogVerifier.builder().trustedRoot(unbounded).publicKey(keyPub).clock(NOW).build();
    byte[] bundle = bundle(new Spec());

    VerificationException e =
        assertThrows(VerificationException.class, () -> v.verify(bundle, MODEL));

    assertThat(e.reason()).isEqualTo(Reason.TLOG_INVALID);
    assertThat(e.getMessage()).contains("expected publicKey.validFor.start, found none");
  }

  private static Arguments entry(
      boolean messageSignature, String name, Consumer<ObjectNode> spoil) {
    return Arguments.arguments(
        (messageSignature ? "hashedrekord: " : "dsse: ") + name, messageSignature, spoil);
  }

  private static ObjectNode at(ObjectNode body, String pointer) {
    return (ObjectNode) body.at(pointer);
  }

  private static java.security.PublicKey otherKey() {
    try {
      return ecKeyPair().getPublic();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
