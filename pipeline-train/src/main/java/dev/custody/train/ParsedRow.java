package dev.custody.train;

/**
 * One validated row in its three forms: canonical (for the Merkle tree, diffs and duplicate
 * detection), sparse features (for training) and the numeric columns in schema order (for outlier
 * statistics).
 */
final class ParsedRow {
  private final CanonicalRow canonical;
  private final TrainingTable.Row row;
  private final double[] numeric;

  ParsedRow(CanonicalRow canonical, TrainingTable.Row row, double[] numeric) {
    this.canonical = canonical;
    this.row = row;
    this.numeric = numeric;
  }

  CanonicalRow canonical() {
    return canonical;
  }

  TrainingTable.Row row() {
    return row;
  }

  String label() {
    return row.label();
  }

  /** The value of the i-th numeric column of the schema. */
  double numeric(int i) {
    return numeric[i];
  }
}
