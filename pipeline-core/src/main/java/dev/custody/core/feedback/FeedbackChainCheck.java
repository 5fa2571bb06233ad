package dev.custody.core.feedback;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks the links of feedback records read in store order (chain by chain, each in sequence
 * order): each record follows the one before it in its chain, with the next sequence number and
 * that record's hash as its {@code previous}; a chain starts at 1 with {@link
 * FeedbackRecord#GENESIS}. What this checks is what makes a dropped, added, changed or reordered
 * record visible: the journal checks its file with it when it opens and reads, an export's reader
 * checks the exported file.
 *
 * <p>Not thread-safe: one instance per read.
 */
public final class FeedbackChainCheck {
  private final Map<String, FeedbackRecord> last = new LinkedHashMap<>();

  /**
   * Takes the next record read; {@code Optional.empty()} if it links to the one before it in its
   * chain, else what was expected and what was found (the record is then not taken).
   */
  public Optional<String> next(FeedbackRecord r) {
    FeedbackRecord before = last.get(r.chain());
    long expectedSeq = before == null ? 1 : before.sequence() + 1;
    if (r.sequence() != expectedSeq) {
      return Optional.of(
          "expected sequence "
              + expectedSeq
              + " of chain '"
              + r.chain()
              + "', found "
              + r.sequence()
              + " (a record was dropped, added or moved)");
    }
    var expectedPrev = before == null ? FeedbackRecord.GENESIS : before.hash();
    if (!r.previous().matches(expectedPrev)) {
      return Optional.of(
          "expected prev "
              + expectedPrev.hex()
              + (before == null
                  ? " (the first record of chain '" + r.chain() + "')"
                  : " (the hash of sequence " + before.sequence() + ")")
              + ", found "
              + r.previous().hex()
              + " (the record before it was changed or removed)");
    }
    last.put(r.chain(), r);
    return Optional.empty();
  }

  /** The last record taken of each chain, in the order the chains were first seen. */
  public List<FeedbackRecord> heads() {
    return new ArrayList<>(last.values());
  }
}
