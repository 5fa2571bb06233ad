package dev.custody.train.data;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

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
      values = values instanceof Doubles ? values : doubles(values);
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

    /** This row with another weight (its names and values are shared, not copied). */
    public Row withWeight(double w) {
      return new Row(sourceLine, label, names, values, w);
    }
  }

  /**
   * An unmodifiable list of {@code values} (copied), held unboxed: a row keeps its values until
   * training, and a boxed {@code Double} takes about three times the memory of a {@code double}.
   */
  public static List<Double> doubles(double... values) {
    return new Doubles(values.clone());
  }

  private static List<Double> doubles(List<Double> values) {
    double[] out = new double[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i); // a null value throws, as List.copyOf does
    }
    return new Doubles(out);
  }

  /** An unmodifiable list over a double array no one else holds. */
  private static final class Doubles extends AbstractList<Double> implements RandomAccess {
    private final double[] values;

    Doubles(double[] values) {
      this.values = values;
    }

    @Override
    public Double get(int index) {
      return values[index];
    }

    @Override
    public int size() {
      return values.length;
    }

    // The screens key maps by rows' values: List's contract without boxing every element
    // (Arrays.hashCode and Arrays.equals compare doubles as Double.hashCode and Double.equals do).
    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Doubles d ? Arrays.equals(values, d.values) : super.equals(o);
    }
  }
}
