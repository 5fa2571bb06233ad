package dev.custody.train.screen;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one data screen found.
 *
 * @param screen the screen's key in the spec ({@code duplicates}, {@code conflicts}, {@code
 *     outliers}, {@code labelNoise})
 * @param policy {@code fail}, {@code warn} or {@code drop}
 * @param rowsChecked rows the screen looked at (after earlier screens' drops)
 * @param flagged rows it flagged
 * @param dropped rows it removed from the training table ({@code flagged} under {@code drop}, else
 *     0)
 * @param statistics screen-specific figures (thresholds, medians, group counts), in a fixed order
 * @param firstRows the first flagged rows, in data order, up to the screen's {@code reportRows}
 */
public record ScreenReport(
    String screen,
    String policy,
    long rowsChecked,
    long flagged,
    long dropped,
    Map<String, Double> statistics,
    List<FlaggedRow> firstRows) {
  public ScreenReport {
    Objects.requireNonNull(screen, "screen");
    Objects.requireNonNull(policy, "policy");
    statistics = Collections.unmodifiableMap(new LinkedHashMap<>(statistics));
    firstRows = List.copyOf(firstRows);
  }

  /**
   * A flagged row.
   *
   * @param source the data file
   * @param line the 1-based line in that file
   * @param id the row's id, or the empty string
   * @param label the row's label
   * @param detail why it was flagged
   */
  public record FlaggedRow(String source, long line, String id, String label, String detail) {}
}
