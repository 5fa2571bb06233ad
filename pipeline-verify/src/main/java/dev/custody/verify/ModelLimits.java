package dev.custody.verify;

import dev.custody.core.chain.ChainLimits;

/**
 * Input limits for {@link ModelLoader}: per call, never global.
 *
 * @param maxModelBytes the largest model file accepted, in bytes; larger ones are refused before
 *     they are parsed
 * @param maxNestingDepth the deepest nesting of protobuf messages accepted, counted across {@code
 *     Any}-packed messages (an ensemble member's nodes sit about fifteen levels down)
 */
public record ModelLimits(long maxModelBytes, int maxNestingDepth) {
  /**
   * Custody's default for {@link #maxModelBytes()}: {@link ChainLimits#DEFAULT_MAX_MODEL_BYTES}.
   */
  public static final long DEFAULT_MAX_MODEL_BYTES = ChainLimits.DEFAULT_MAX_MODEL_BYTES;

  /** 64, Custody's default for {@link #maxNestingDepth()}. */
  public static final int DEFAULT_MAX_NESTING_DEPTH = 64;

  /**
   * Validates the limits.
   *
   * @throws IllegalArgumentException if either limit is not positive, or {@code maxModelBytes}
   *     exceeds what a Java array can hold
   */
  public ModelLimits {
    if (maxModelBytes <= 0 || maxModelBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "maxModelBytes must be in 1.." + (Integer.MAX_VALUE - 8) + ", got " + maxModelBytes);
    }
    if (maxNestingDepth <= 0) {
      throw new IllegalArgumentException(
          "maxNestingDepth must be positive, got " + maxNestingDepth);
    }
  }

  /**
   * The default limits: {@value #DEFAULT_MAX_MODEL_BYTES} bytes, depth {@value
   * #DEFAULT_MAX_NESTING_DEPTH}.
   */
  public static ModelLimits defaults() {
    return new ModelLimits(DEFAULT_MAX_MODEL_BYTES, DEFAULT_MAX_NESTING_DEPTH);
  }

  /** These limits with a different {@link #maxModelBytes()}. */
  public ModelLimits withMaxModelBytes(long bytes) {
    return new ModelLimits(bytes, maxNestingDepth);
  }

  /** These limits with a different {@link #maxNestingDepth()}. */
  public ModelLimits withMaxNestingDepth(int depth) {
    return new ModelLimits(maxModelBytes, depth);
  }
}
