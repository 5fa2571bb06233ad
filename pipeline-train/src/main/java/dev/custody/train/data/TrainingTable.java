package dev.custody.train.data;

import java.util.List;
import java.util.Objects;

/**
 * Validated, labelled rows ready for training: what ingest produces from verified data bytes and
 * what trainers, screens and evaluation consume. Rows are sparse so that text features (one feature
 * per token) fit as well as numeric columns.
 *
 * @param featureNames every feature name that may appear, in a fixed order (the model's feature
 *     map)
 * @param labels the allowed label set, in a fixed order
 * @param rows the rows, in source order
 */
public record TrainingTable(List<String> featureNames, List<String> labels, List<Row> rows) {
  public TrainingTable {
    featureNames = List.copyOf(featureNames);
    labels = List.copyOf(labels);
    rows = List.copyOf(rows);
  }

  /**
   * One labelled row.
   *
   * @param sourceLine 1-based line in the source file (header is line 1), for error reports
   * @param label the row's label, one of {@link TrainingTable#labels()}
   * @param names feature names present in this row, sorted
   * @param values the values of {@code names}, same order
   * @param weight the row's example weight in training, in (0, 1]: 1 for data rows, less for a
   *     feedback item its voters' trust does not fully back
   */
  public record Row(
      long sourceLine, String label, List<String> names, List<Double> values, double weight) {
    /** A data row, of weight 1. */
    public Row(long sourceLine, String label, List<String> names, List<Double> values) {
      this(sourceLine, label, names, values, 1.0);
    }

    public Row {
      if (!(weight > 0 && weight <= 1)) {
        throw new IllegalArgumentException(
            "row at line " + sourceLine + ": weight must be in (0, 1], was " + weight);
      }
      Objects.requireNonNull(label, "label");
      names = List.copyOf(names);
      values = List.copyOf(values);
      if (names.size() != values.size()) {
        throw new IllegalArgumentException(
            "row at line "
                + sourceLine
                + ": "
                + names.size()
                + " names, "
                + values.size()
                + " values");
      }
    }

    /** This row with another weight. */
    public Row withWeight(double w) {
      return new Row(sourceLine, label, names, values, w);
    }
  }
}
