package dev.custody.core.feedback;

import dev.custody.core.Sha256;
import java.util.Objects;

/**
 * A feedback entry at its place in a store's hash chain.
 *
 * @param sequence 1-based position in the chain; a store with several chains (one per replica)
 *     numbers each chain on its own
 * @param chain the chain's name: {@code "journal"} for the journal file, the replica id in
 *     PostgreSQL
 * @param entry what was recorded
 * @param previous the {@link #hash} of the record before it in the same chain; {@link #GENESIS} for
 *     the first
 * @param hash SHA-256 of this record's canonical line ({@code FeedbackJson.line}), which includes
 *     {@code previous}: changing, dropping or reordering any earlier record breaks every later hash
 */
public record FeedbackRecord(
    long sequence, String chain, FeedbackEntry entry, Sha256 previous, Sha256 hash) {

  /** The {@code previous} of the first record of a chain: 64 zeros. */
  public static final Sha256 GENESIS = new Sha256("0".repeat(64));

  public FeedbackRecord {
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be >= 1, was " + sequence);
    }
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(previous, "previous");
    Objects.requireNonNull(hash, "hash");
  }
}
