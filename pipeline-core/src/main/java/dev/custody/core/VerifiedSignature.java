package dev.custody.core;

import java.time.Instant;
import java.util.Optional;

/**
 * Proof that a Sigstore bundle logged in a transparency log verified for an artifact: who signed,
 * when, and, for DSSE bundles, the exact payload whose signature was checked. Only {@link
 * KeylessBundleVerifier} and {@link KeyBundleTlogVerifier} create one.
 *
 * <p>Parse the in-toto statement from {@link #dssePayload()}, never from the bundle file again:
 * these are the bytes that were verified.
 */
public final class VerifiedSignature {
  private final String identity;
  private final String issuer;
  private final String keyHint;
  private final Instant integratedTime;
  private final Sha256 artifactDigest;
  private final String dssePayloadType;
  private final byte[] dssePayload;

  VerifiedSignature(
      String identity,
      String issuer,
      String keyHint,
      Instant integratedTime,
      Sha256 artifactDigest,
      String dssePayloadType,
      byte[] dssePayload) {
    this.identity = identity;
    this.issuer = issuer;
    this.keyHint = keyHint;
    this.integratedTime = integratedTime;
    this.artifactDigest = artifactDigest;
    this.dssePayloadType = dssePayloadType;
    this.dssePayload = dssePayload == null ? null : dssePayload.clone();
  }

  /**
   * A signature made with a Fulcio certificate for {@code identity}, vouched for by {@code issuer}.
   */
  static VerifiedSignature keyless(
      String identity,
      String issuer,
      Instant integratedTime,
      Sha256 artifactDigest,
      String dssePayloadType,
      byte[] dssePayload) {
    return new VerifiedSignature(
        identity, issuer, null, integratedTime, artifactDigest, dssePayloadType, dssePayload);
  }

  /** A signature made with the trusted public key {@code key}. */
  static VerifiedSignature withKey(
      VerificationKey key,
      Instant integratedTime,
      Sha256 artifactDigest,
      String dssePayloadType,
      byte[] dssePayload) {
    return new VerifiedSignature(
        null, null, key.hint(), integratedTime, artifactDigest, dssePayloadType, dssePayload);
  }

  /**
   * Who signed, in the form {@link VerifiedStatement#signer()} uses: {@code key <hint>} or {@code
   * <identity> (issuer <issuer>)}.
   */
  public String signer() {
    return keyHint != null ? "key " + keyHint : identity + " (issuer " + issuer + ")";
  }

  /**
   * The signer identity from the certificate (an e-mail address or a URI, such as a workflow);
   * empty for a signature made with a public key.
   */
  public Optional<String> identity() {
    return Optional.ofNullable(identity);
  }

  /** The OIDC issuer that vouched for {@link #identity()}; empty for a public-key signature. */
  public Optional<String> issuer() {
    return Optional.ofNullable(issuer);
  }

  /**
   * The verified signing time: the log entry's integrated time, vouched for by the log's signed
   * entry timestamp; for Rekor v2 entries, which carry no integrated time, the earliest RFC 3161
   * timestamp. A signing certificate was valid at this time.
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

  /**
   * A copy of the verified DSSE payload (the in-toto statement), for DSSE bundles; empty for
   * message-signature bundles.
   */
  public Optional<byte[]> dssePayload() {
    return dssePayload == null ? Optional.empty() : Optional.of(dssePayload.clone());
  }

  @Override
  public String toString() {
    return "VerifiedSignature{"
        + artifactDigest
        + " signed by "
        + signer()
        + " at "
        + integratedTime
        + "}";
  }
}
