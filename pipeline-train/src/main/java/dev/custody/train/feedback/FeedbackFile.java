package dev.custody.train.feedback;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.feedback.FeedbackJson;
import dev.custody.core.feedback.FeedbackRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads an exported feedback dataset: one canonical record line ({@link FeedbackJson}) per line,
 * each ended by a newline, read with the server's own strict reader.
 */
public final class FeedbackFile {
  private FeedbackFile() {}

  /**
   * The records of a feedback file's bytes (already checked against the spec's pin), in file order.
   *
   * @param source the file as the spec names it, for messages
   * @throws PipelineException {@link Reason#FEEDBACK_INVALID} naming the line: a line that is not a
   *     canonical record, a last line without its newline, or a record (chain and sequence number)
   *     that appears twice
   */
  public static List<FeedbackRecord> records(byte[] bytes, String source) throws PipelineException {
    List<FeedbackRecord> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int start = 0;
    long line = 0;
    while (start < bytes.length) {
      line++;
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      String where = source + " line " + line;
      if (end == bytes.length) {
        throw new PipelineException(
            Reason.FEEDBACK_INVALID,
            where + ": expected a record ended by a newline, found the end of the file");
      }
      FeedbackRecord r;
      try {
        r = FeedbackJson.parse(Arrays.copyOfRange(bytes, start, end), where);
      } catch (PipelineException e) {
        throw new PipelineException(Reason.FEEDBACK_INVALID, e.getMessage(), e);
      }
      if (!seen.add(r.chain() + "#" + r.sequence())) {
        throw new PipelineException(
            Reason.FEEDBACK_INVALID,
            where
                + ": expected each record once, found chain "
                + r.chain()
                + " record "
                + r.sequence()
                + " again");
      }
      out.add(r);
      start = end + 1;
    }
    return out;
  }
}
