package dev.custody.train;

import dev.custody.train.data.CanonicalRow;
import dev.custody.train.data.Split;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.screen.DatasetSummary;
import java.util.List;
import java.util.Objects;

/**
 * What {@link Ingest#run} produced.
 *
 * @param table the validated rows that survived the screens, ready for training: the training
 *     split's rows the screens kept and every test row, in data order
 * @param split {@code table} divided as the spec's split divided the rows read, before any screen
 *     ran (the test part was never screened); without the feedback rows
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
    Split split,
    DatasetSummary summary,
    List<CanonicalRow> rows,
    List<CanonicalRow> keptRows,
    List<TrainingTable.Row> feedbackRows,
    List<TrainingTable.Row> contestedCanary) {
  /** A result without feedback. */
  public IngestResult(
      TrainingTable table,
      Split split,
      DatasetSummary summary,
      List<CanonicalRow> rows,
      List<CanonicalRow> keptRows) {
    this(table, split, summary, rows, keptRows, List.of(), List.of());
  }

  public IngestResult {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(split, "split");
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
