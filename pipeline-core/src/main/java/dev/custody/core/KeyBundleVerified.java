package dev.custody.core;

import java.time.Instant;
import java.util.Optional;

/**
 * Proof that a public-key Sigstore bundle with a transparency-log entry verified. Only {@link
 * KeyBundleTlogVerifier} creates one.
 */
public final class KeyBundleVerified {
  private final Sha256 keyId;
  private final Instant integratedTime;
  private final Sha256 artifactDigest;
  private final String dssePayloadType;
  private final byte[] dssePayload;

  KeyBundleVerified(
      Sha256 keyId,
      Instant integratedTime,
      Sha256 artifactDigest,
      String dssePayloadType,
      byte[] dssePayload) {
    this.keyId = keyId;
    this.integratedTime = integratedTime;
    this.artifactDigest = artifactDigest;
    this.dssePayloadType = dssePayloadType;
    this.dssePayload = dssePayload == null ? null : dssePayload.clone();
  }

  /** SHA-256 of the verifying public key's DER (SubjectPublicKeyInfo) encoding. */
  public Sha256 keyId() {
    return keyId;
  }

  /**
   * The verified signing time: the log entry's integrated time, vouched for by the log's signed
   * entry timestamp, or else the earliest RFC 3161 timestamp.
   */
  public Instant integratedTime() {
    return integratedTime;
  }

  /** The artifact digest the signature covers (for DSSE: a subject digest of the statement). */
  public Sha256 artifactDigest() {
    return artifactDigest;
  }

  /** The DSSE payload type, for DSSE bundles; empty for message-signature bundles. */
  public Optional<String> dssePayloadType() {
    return Optional.ofNullable(dssePayloadType);
  }

  /** A copy of the verified DSSE payload, for DSSE bundles; empty for message-signature bundles. */
  public Optional<byte[]> dssePayload() {
    return dssePayload == null ? Optional.empty() : Optional.of(dssePayload.clone());
  }

  @Override
  public String toString() {
    return "KeyBundleVerified{"
        + artifactDigest
        + " signed by key "
        + keyId
        + " at "
        + integratedTime
        + "}";
  }
}
