package dev.custody.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sigstore.proto.ProtoMutators;
import dev.sigstore.proto.bundle.v1.Bundle;
import dev.sigstore.proto.common.v1.HashAlgorithm;
import dev.sigstore.proto.common.v1.RFC3161SignedTimestamp;
import dev.sigstore.proto.rekor.v1.TransparencyLogEntry;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.rekor.client.RekorVerifier;
import dev.sigstore.timestamp.client.TimestampVerifier;
import io.intoto.EnvelopeOuterClass.Envelope;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.commons.codec.binary.Hex;

/**
 * Verifies Sigstore bundles signed with a known ECDSA public key (not a Fulcio certificate) whose
 * signature was recorded in a Rekor transparency log, offline against a {@code trusted_root.json}.
 *
 * <p>sigstore-java 2.0.0 cannot do this: its {@code Bundle} refuses public-key verification
 * material ("Plain public keys are not supported by this client"). This class reads the bundle's
 * protobuf form, verifies the signature with the JCA (over the artifact's SHA-256 for message
 * signatures; over the DSSE pre-authentication encoding, with lengths in bytes, for DSSE
 * envelopes), and checks the log entry with sigstore-java's {@link RekorVerifier} and RFC 3161
 * timestamps with its {@link TimestampVerifier}.
 *
 * <pre>{@code
 * KeyBundleTlogVerifier verifier = KeyBundleTlogVerifier.builder()
 *     .trustedRoot(Path.of("trusted_root.json"))
 *     .publicKey(Path.of("key.pub"))
 *     .build();
 * VerifiedSignature verified = verifier.verify(bundleJson, artifactPath);
 * }</pre>
 *
 * <h3>Security guarantees</h3>
 *
 * A bundle verifies only if: it carries public-key verification material; the bundle names the
 * artifact's digest (message digest, or an in-toto subject); the signature verifies with the
 * configured key; its single log entry is a {@code hashedrekord} or {@code dsse} v0.0.1 entry whose
 * body records this signature, this key and this artifact (or DSSE payload); the entry's inclusion
 * proof, checkpoint and signed entry timestamp verify against a log of the trusted root whose key
 * was valid at the entry's time; every RFC 3161 timestamp verifies against a timestamp authority of
 * the trusted root; there is at least one verified signing time; and no verified time lies after
 * the clock's present. Supported keys: ECDSA P-256 (DSSE hashed with SHA-256), P-384 (SHA-384) and
 * P-521 (SHA-512).
 */
public final class KeyBundleTlogVerifier {
  private final TrustedRootMaterial root;
  private final VerificationKey key;
  private final Clock clock;
  private final RekorVerifier rekor;
  private final TimestampVerifier timestamps;

  private KeyBundleTlogVerifier(TrustedRootMaterial root, VerificationKey key, Clock clock) {
    this.root = root;
    this.key = key;
    this.clock = clock;
    this.rekor = RekorVerifier.newRekorVerifier(root.trusted());
    try {
      this.timestamps = TimestampVerifier.newTimestampVerifier(root.trusted());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "trusted root has unusable timestamp authorities: " + e.getMessage(), e);
    }
  }

  /** A builder; a trusted root and a public key are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Verifies a bundle for an artifact read from a file (hashed with SHA-256 first).
   *
   * @throws VerificationException if the bundle does not check out
   * @throws IOException if the artifact cannot be read
   */
  public VerifiedSignature verify(byte[] bundleJson, Path artifact)
      throws VerificationException, IOException {
    return verify(bundleJson, Digests.sha256(artifact));
  }

  /**
   * Verifies a bundle for an artifact given by its SHA-256 digest.
   *
   * @throws VerificationException {@link Reason#MALFORMED} for an unreadable bundle, {@link
   *     Reason#UNTRUSTED_SIGNER} for a bundle that embeds another key, {@link
   *     Reason#DIGEST_MISMATCH} when the bundle is for other content, {@link
   *     Reason#SIGNATURE_INVALID} when the signature does not verify with the key, {@link
   *     Reason#TLOG_INVALID} for the log entry, its proofs or timestamps, {@link
   *     Reason#UNSUPPORTED} for certificate bundles, several signatures or log entries, or other
   *     entry kinds
   */
  public VerifiedSignature verify(byte[] bundleJson, Sha256 artifactDigest)
      throws VerificationException {
    Objects.requireNonNull(bundleJson, "bundleJson");
    Objects.requireNonNull(artifactDigest, "artifactDigest");
    SigstoreBundle.Parsed parsed = SigstoreBundle.parse(bundleJson);
    Bundle bundle = parsed.bundle();
    if (!bundle.getVerificationMaterial().hasPublicKey()) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "bundle verification material: expected a public key, found "
              + bundle.getVerificationMaterial().getContentCase());
    }
    if (parsed.embeddedKey().isPresent() && !parsed.embeddedKey().get().equals(key)) {
      throw new VerificationException(
          Reason.UNTRUSTED_SIGNER,
          "bundle: signed by key "
              + parsed.embeddedKey().get().hint()
              + ", expected one of ["
              + key.hint()
              + "]");
    }

    byte[] signature;
    String payloadType = null;
    byte[] payload = null;
    if (bundle.hasMessageSignature()) {
      var ms = bundle.getMessageSignature();
      if (ms.hasMessageDigest()) {
        if (ms.getMessageDigest().getAlgorithm() != HashAlgorithm.SHA2_256) {
          throw new VerificationException(
              Reason.UNSUPPORTED,
              "message digest: expected SHA2_256, found " + ms.getMessageDigest().getAlgorithm());
        }
        byte[] signed = ms.getMessageDigest().getDigest().toByteArray();
        if (!MessageDigest.isEqual(signed, artifactDigest.bytes())) {
          throw new VerificationException(
              Reason.DIGEST_MISMATCH,
              "digest mismatch: bundle sha256:"
                  + Hex.encodeHexString(signed)
                  + " != artifact "
                  + artifactDigest);
        }
      }
      signature = ms.getSignature().toByteArray();
      verifySignature("NONEwithECDSA", artifactDigest.bytes(), signature, "artifact digest");
    } else if (bundle.hasDsseEnvelope()) {
      Envelope env = bundle.getDsseEnvelope();
      payloadType = env.getPayloadType();
      payload = env.getPayload().toByteArray();
      if (!Statement.PAYLOAD_TYPE.equals(payloadType)) {
        throw new VerificationException(
            Reason.UNSUPPORTED,
            "DSSE payload type: expected " + Statement.PAYLOAD_TYPE + ", found " + payloadType);
      }
      SigstoreChecks.checkInTotoSubject(payload, artifactDigest);
      signature = env.getSignatures(0).getSig().toByteArray(); // SigstoreBundle admits exactly one
      verifySignature(
          key.curve().signatureAlgorithm(),
          Dsse.pae(payloadType, payload),
          signature,
          "DSSE envelope");
    } else {
      throw new VerificationException(
          Reason.MALFORMED, "bundle: expected a message signature or a DSSE envelope, found none");
    }

    SigstoreChecks.checkLogMaterial(bundle);
    TransparencyLogEntry tle = bundle.getVerificationMaterial().getTlogEntries(0);
    checkBody(tle, signature, artifactDigest, payload);

    List<byte[]> rfc3161 = new ArrayList<>();
    for (RFC3161SignedTimestamp ts :
        bundle
            .getVerificationMaterial()
            .getTimestampVerificationData()
            .getRfc3161TimestampsList()) {
      rfc3161.add(ts.getSignedTimestamp().toByteArray());
    }
    List<Instant> tsaTimes = SigstoreChecks.verifyTimestamps(timestamps, rfc3161, signature, clock);
    RekorEntry entry;
    try {
      entry = ProtoMutators.toRekorEntry(tle);
    } catch (RuntimeException e) {
      throw new VerificationException(Reason.MALFORMED, "log entry: unreadable");
    }
    Optional<Instant> integrated = SigstoreChecks.verifyEntryTime(root, entry, tsaTimes, clock);
    SigstoreChecks.verifyInclusion(rekor, entry);
    if (integrated.isEmpty() && tsaTimes.isEmpty()) {
      throw new VerificationException(
          Reason.TLOG_INVALID,
          "bundle: expected a verified signing time (signed entry timestamp or RFC 3161"
              + " timestamp), found none");
    }
    Instant when =
        integrated.orElseGet(() -> tsaTimes.stream().min(Comparator.naturalOrder()).get());
    return VerifiedSignature.withKey(key, when, artifactDigest, payloadType, payload);
  }

  private void verifySignature(String algorithm, byte[] signed, byte[] sig, String what)
      throws VerificationException {
    boolean ok;
    try {
      Signature s = Signature.getInstance(algorithm);
      s.initVerify(key.jcaKey());
      s.update(signed);
      ok = s.verify(sig);
    } catch (java.security.SignatureException e) {
      ok = false; // not a DER ECDSA signature
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks " + algorithm, e);
    }
    if (!ok) {
      throw new VerificationException(
          Reason.SIGNATURE_INVALID,
          "signature over the " + what + " does not verify with key " + key.hint());
    }
  }

  /** Checks that the log entry's body records this signature, key and content. */
  private void checkBody(
      TransparencyLogEntry tle, byte[] signature, Sha256 artifactDigest, byte[] dssePayload)
      throws VerificationException {
    String kind = tle.getKindVersion().getKind();
    String version = tle.getKindVersion().getVersion();
    JsonNode body;
    try {
      body = Json.parse(tle.getCanonicalizedBody().toByteArray(), "log entry body");
    } catch (PipelineException e) {
      throw new VerificationException(Reason.TLOG_INVALID, e.getMessage(), e);
    }
    if (!kind.equals(body.path("kind").asText())
        || !version.equals(body.path("apiVersion").asText())) {
      throw new VerificationException(
          Reason.TLOG_INVALID,
          "log entry body: expected kind "
              + kind
              + " "
              + version
              + ", found "
              + body.path("kind").asText()
              + " "
              + body.path("apiVersion").asText());
    }
    JsonNode spec = body.path("spec");
    if ("hashedrekord".equals(kind) && "0.0.1".equals(version) && dssePayload == null) {
      JsonNode hash = spec.path("data").path("hash");
      expect("sha256".equals(hash.path("algorithm").asText()), "a sha256 artifact hash");
      expect(
          artifactDigest.hex().equals(hash.path("value").asText()),
          "the artifact digest " + artifactDigest);
      expect(
          MessageDigest.isEqual(signature, base64(spec.path("signature").path("content"))),
          "the bundle's signature");
      expect(
          sameKey(spec.path("signature").path("publicKey").path("content")),
          "the key " + key.hint());
    } else if ("dsse".equals(kind) && "0.0.1".equals(version) && dssePayload != null) {
      JsonNode payloadHash = spec.path("payloadHash");
      expect("sha256".equals(payloadHash.path("algorithm").asText()), "a sha256 payload hash");
      expect(
          Sha256.of(dssePayload).hex().equals(payloadHash.path("value").asText()),
          "the DSSE payload's digest");
      JsonNode sigs = spec.path("signatures");
      expect(sigs.isArray() && sigs.size() == 1, "exactly one signature");
      expect(
          MessageDigest.isEqual(signature, base64(sigs.get(0).path("signature"))),
          "the envelope's signature");
      expect(sameKey(sigs.get(0).path("verifier")), "the key " + key.hint());
    } else {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "log entry: expected hashedrekord 0.0.1 (message signature) or dsse 0.0.1 (DSSE), found "
              + kind
              + " "
              + version);
    }
  }

  private static void expect(boolean ok, String what) throws VerificationException {
    if (!ok) {
      throw new VerificationException(
          Reason.TLOG_INVALID, "log entry body: expected " + what + ", found something else");
    }
  }

  private static byte[] base64(JsonNode node) throws VerificationException {
    try {
      return Base64.getDecoder().decode(node.asText());
    } catch (IllegalArgumentException e) {
      throw new VerificationException(Reason.TLOG_INVALID, "log entry body: invalid base64");
    }
  }

  /** Whether a base64 PEM public key in the log entry body is the configured key. */
  private boolean sameKey(JsonNode base64Pem) throws VerificationException {
    try {
      return VerificationKey.fromPem(base64(base64Pem)).equals(key);
    } catch (PipelineException e) {
      return false;
    }
  }

  /** Builds a {@link KeyBundleTlogVerifier}. */
  public static final class Builder {
    private Path trustedRoot;
    private Path publicKey;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The Sigstore trusted root ({@code trusted_root.json}) with the Rekor logs. Required. */
    public Builder trustedRoot(Path trustedRootJson) {
      this.trustedRoot = Objects.requireNonNull(trustedRootJson, "trustedRootJson");
      return this;
    }

    /** The signer's ECDSA public key, a PEM {@code PUBLIC KEY} file. Required. */
    public Builder publicKey(Path pemFile) {
      this.publicKey = Objects.requireNonNull(pemFile, "pemFile");
      return this;
    }

    /** The clock that says what "now" is (nothing logged in the future verifies). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Reads the trusted root and the key and builds the verifier.
     *
     * @throws IllegalStateException if the trusted root or the key is missing
     * @throws IllegalArgumentException if either file is not what it should be
     * @throws IOException if a file cannot be read
     */
    public KeyBundleTlogVerifier build() throws IOException {
      if (publicKey == null) {
        throw new IllegalStateException("a public key is required");
      }
      if (trustedRoot == null) {
        throw new IllegalStateException("a trusted root is required");
      }
      VerificationKey key;
      try {
        key = VerificationKey.fromPem(publicKey);
      } catch (PipelineException e) {
        throw new IllegalArgumentException(
            "public key " + publicKey + ": expected a PEM ECDSA public key", e);
      }
      return new KeyBundleTlogVerifier(TrustedRootMaterial.read(trustedRoot), key, clock);
    }
  }
}
