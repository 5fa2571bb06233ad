package dev.custody.core.chain;

/**
 * The largest file of each kind read from a model directory or written into one: one set of limits
 * for the writer and every reader, per instance (never global).
 *
 * <p>The defaults:
 *
 * <ul>
 *   <li>{@link #DEFAULT_MAX_MODEL_BYTES} (256 MiB) for {@code model.tribuo}: the file is held in
 *       one array and then deserialized, which takes several times its size again, so the default
 *       keeps loading within the heap a JVM gets by default on a small machine (a quarter of its
 *       memory); the largest model Custody's tests train is a few MiB. Larger models are accepted
 *       by raising the limit for that verifier.
 *   <li>{@link #DEFAULT_MAX_EVIDENCE_BYTES} (16 MiB) for {@code model-card.json}, {@code model.sig}
 *       and each attestation bundle: the biggest of them, the provenance, holds the spec and one
 *       entry of about 150 bytes per classpath jar, and the card one name per feature (a text model
 *       with 100,000 tokens needs about 3 MiB); 16 MiB bounds what an attacker can make a verifier
 *       parse while leaving room to spare.
 * </ul>
 *
 * @param maxModelBytes the largest {@code model.tribuo}
 * @param maxCardBytes the largest {@code model-card.json}
 * @param maxAttestationBytes the largest attestation bundle ({@code attestations/*.sigstore.json})
 * @param maxSignatureBytes the largest {@code model.sig}
 */
public record ChainLimits(
    long maxModelBytes, long maxCardBytes, long maxAttestationBytes, long maxSignatureBytes) {
  /** 256 MiB: the default {@link #maxModelBytes()} everywhere a model file is read. */
  public static final long DEFAULT_MAX_MODEL_BYTES = 256L << 20;

  /** 16 MiB: the default for the card, the model signature and each attestation. */
  public static final long DEFAULT_MAX_EVIDENCE_BYTES = 16L << 20;

  /** The most a Java array can hold, which bounds every limit (a file is read into one array). */
  public static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8L;

  /**
   * Validates the limits.
   *
   * @throws IllegalArgumentException if a limit is not positive or exceeds {@link #MAX_ARRAY_BYTES}
   */
  public ChainLimits {
    check("maxModelBytes", maxModelBytes);
    check("maxCardBytes", maxCardBytes);
    check("maxAttestationBytes", maxAttestationBytes);
    check("maxSignatureBytes", maxSignatureBytes);
  }

  /** The defaults (see the class description). */
  public static ChainLimits defaults() {
    return new ChainLimits(
        DEFAULT_MAX_MODEL_BYTES,
        DEFAULT_MAX_EVIDENCE_BYTES,
        DEFAULT_MAX_EVIDENCE_BYTES,
        DEFAULT_MAX_EVIDENCE_BYTES);
  }

  /** These limits with another {@link #maxModelBytes()}. */
  public ChainLimits withMaxModelBytes(long bytes) {
    return new ChainLimits(bytes, maxCardBytes, maxAttestationBytes, maxSignatureBytes);
  }

  /** These limits with another {@link #maxAttestationBytes()}. */
  public ChainLimits withMaxAttestationBytes(long bytes) {
    return new ChainLimits(maxModelBytes, maxCardBytes, bytes, maxSignatureBytes);
  }

  private static void check(String what, long value) {
    if (value <= 0 || value > MAX_ARRAY_BYTES) {
      throw new IllegalArgumentException(
          what + " must be in 1.." + MAX_ARRAY_BYTES + ", got " + value);
    }
  }
}
