package dev.custody.train.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * A table divided into training and test rows.
 *
 * @param train the rows to train on, in source order
 * @param test the held-out rows, in source order
 */
public record Split(TrainingTable train, TrainingTable test) {
  public Split {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
  }

  /**
   * Splits {@code table} at random, reproducibly: the row indices are shuffled by Fisher–Yates with
   * {@link java.util.Random} seeded with {@code seed} (an algorithm the JDK specifies exactly, so
   * every JVM gives the same permutation), and the first {@code ceil(testFraction * rows)} shuffled
   * rows are the test set, as in scikit-learn's {@code train_test_split}. Not stratified. Both
   * parts keep the table's feature names and labels, and their rows in source order.
   *
   * @throws IllegalArgumentException if {@code testFraction} is not in (0, 1) or either part would
   *     be empty
   */
  public static Split seeded(TrainingTable table, double testFraction, long seed) {
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
    }
    int n = table.rows().size();
    int testSize = (int) Math.ceil(testFraction * n);
    if (testSize < 1 || testSize >= n) {
      throw new IllegalArgumentException(
          "a test fraction of " + testFraction + " of " + n + " rows leaves an empty part");
    }
    int[] order = new int[n];
    Arrays.setAll(order, i -> i);
    Random random = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    boolean[] inTest = new boolean[n];
    for (int i = 0; i < testSize; i++) {
      inTest[order[i]] = true;
    }
    List<TrainingTable.Row> train = new ArrayList<>(n - testSize);
    List<TrainingTable.Row> test = new ArrayList<>(testSize);
    for (int i = 0; i < n; i++) {
      (inTest[i] ? test : train).add(table.rows().get(i));
    }
    return new Split(
        new TrainingTable(table.featureNames(), table.labels(), train),
        new TrainingTable(table.featureNames(), table.labels(), test));
  }
}
