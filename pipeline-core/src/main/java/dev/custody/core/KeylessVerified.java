package dev.custody.core;

import java.time.Instant;
import java.util.Optional;

/**
 * Proof that a keyless Sigstore bundle verified: who signed, when, and, for DSSE bundles, the exact
 * payload whose signature was checked. Only {@link KeylessBundleVerifier} creates one.
 *
 * <p>Parse the in-toto statement from {@link #dssePayload()}, never from the bundle file again:
 * these are the bytes that were verified.
 */
public final class KeylessVerified {
  private final String identity;
  private final String issuer;
  private final Instant integratedTime;
  private final Sha256 artifactDigest;
  private final String dssePayloadType;
  private final byte[] dssePayload;

  KeylessVerified(
      String identity,
      String issuer,
      Instant integratedTime,
      Sha256 artifactDigest,
      String dssePayloadType,
      byte[] dssePayload) {
    this.identity = identity;
    this.issuer = issuer;
    this.integratedTime = integratedTime;
    this.artifactDigest = artifactDigest;
    this.dssePayloadType = dssePayloadType;
    this.dssePayload = dssePayload == null ? null : dssePayload.clone();
  }

  /** The signer identity from the certificate (an e-mail address or a URI, such as a workflow). */
  public String identity() {
    return identity;
  }

  /** The OIDC issuer that vouched for {@link #identity()}. */
  public String issuer() {
    return issuer;
  }

  /**
   * The verified signing time: the log entry's integrated time, vouched for by the log's signed
   * entry timestamp; for Rekor v2 entries, which carry no integrated time, the earliest RFC 3161
   * timestamp. The signing certificate was valid at this time.
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
    return "KeylessVerified{"
        + artifactDigest
        + " signed by "
        + identity
        + " ("
        + issuer
        + ") at "
        + integratedTime
        + "}";
  }
}
