package dev.custody.train;

import dev.custody.train.data.CanonicalRow;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.screen.DatasetSummary;
import java.util.List;
import java.util.Objects;

/**
 * What {@link Ingest#run} produced.
 *
 * @param table the validated rows that survived the screens, ready for training
 * @param summary digests, counts, Merkle roots, schema and screen reports
 * @param rows every validated row in canonical form, before screening, in data order (the leaves of
 *     {@link DatasetSummary#rowsRoot()}; what {@link dev.custody.train.data.DataDiff#between}
 *     compares)
 * @param keptRows the rows that survived the screens in canonical form, one for each row of {@code
 *     table}, in the same order (with {@code feedbackRows}, the leaves of {@link
 *     DatasetSummary#keptRoot()})
 * @param feedbackRows the weighted examples the feedback defences let through: training rows only,
 *     appended to the training split after the split (never in the test split)
 * @param contestedCanary the contested feedback items with their served labels, for the canary gate
 */
public record IngestResult(
    TrainingTable table,
    DatasetSummary summary,
    List<CanonicalRow> rows,
    List<CanonicalRow> keptRows,
    List<TrainingTable.Row> feedbackRows,
    List<TrainingTable.Row> contestedCanary) {
  /** A result without feedback. */
  public IngestResult(
      TrainingTable table,
      DatasetSummary summary,
      List<CanonicalRow> rows,
      List<CanonicalRow> keptRows) {
    this(table, summary, rows, keptRows, List.of(), List.of());
  }

  public IngestResult {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(summary, "summary");
    rows = List.copyOf(rows);
    keptRows = List.copyOf(keptRows);
    feedbackRows = List.copyOf(feedbackRows);
    contestedCanary = List.copyOf(contestedCanary);
    if (keptRows.size() != table.rows().size()) {
      throw new IllegalArgumentException(
          keptRows.size() + " kept canonical rows for " + table.rows().size() + " table rows");
    }
  }
}
