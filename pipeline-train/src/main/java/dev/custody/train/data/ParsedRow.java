package dev.custody.train.data;

/**
 * One validated row in its three forms: canonical (for the Merkle tree, diffs and duplicate
 * detection), sparse features (for training) and the numeric columns in schema order (for outlier
 * statistics).
 */
public final class ParsedRow {
  private final CanonicalRow canonical;
  private final TrainingTable.Row row;
  private final double[] numeric;

  /** A row from its canonical form, its features and its numeric columns in schema order. */
  public ParsedRow(CanonicalRow canonical, TrainingTable.Row row, double[] numeric) {
    this.canonical = canonical;
    this.row = row;
    this.numeric = numeric;
  }

  /** The canonical form, for the Merkle tree, diffs and duplicate detection. */
  public CanonicalRow canonical() {
    return canonical;
  }

  /** The row as features and label, for training. */
  public TrainingTable.Row row() {
    return row;
  }

  /** The row's label. */
  public String label() {
    return row.label();
  }

  /** This row with another training weight ({@link TrainingTable.Row#weight()}). */
  public ParsedRow withWeight(double weight) {
    return new ParsedRow(canonical, row.withWeight(weight), numeric);
  }

  /** The value of the i-th numeric column of the schema. */
  public double numeric(int i) {
    return numeric[i];
  }
}
