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
 *     {@link DatasetSummary#rowsRoot()}; what {@link DataDiff#between} compares)
 * @param keptRows the rows that survived the screens in canonical form, one for each row of {@code
 *     table}, in the same order (the leaves of {@link DatasetSummary#keptRoot()})
 */
public record IngestResult(
    TrainingTable table,
    DatasetSummary summary,
    List<CanonicalRow> rows,
    List<CanonicalRow> keptRows) {
  public IngestResult {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(summary, "summary");
    rows = List.copyOf(rows);
    keptRows = List.copyOf(keptRows);
    if (keptRows.size() != table.rows().size()) {
      throw new IllegalArgumentException(
          keptRows.size() + " kept canonical rows for " + table.rows().size() + " table rows");
    }
  }
}
