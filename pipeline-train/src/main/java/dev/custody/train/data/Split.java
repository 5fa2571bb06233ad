package dev.custody.train.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    return of(table, testRows(labels(table), testFraction, seed, false));
  }

  /**
   * Splits {@code table} as {@link #seeded} does, but per class: the test set has {@code
   * ceil(testFraction * rows)} rows, each class gets its share rounded down and the rows left over
   * go to the classes with the largest remainders (ties to the class met first in the table), so
   * every class's test count is within one row of {@code testFraction} times its size. One {@link
   * java.util.Random} seeded with {@code seed} shuffles each class's row indices (in order of first
   * appearance) by Fisher–Yates; the first shuffled rows of each class are its test rows.
   *
   * @throws IllegalArgumentException as {@link #seeded}
   */
  public static Split stratified(TrainingTable table, double testFraction, long seed) {
    return of(table, testRows(labels(table), testFraction, seed, true));
  }

  /**
   * {@link #stratified} when {@code stratify}, else {@link #seeded}: the split a spec's {@code
   * split} section asks for.
   *
   * @throws IllegalArgumentException as {@link #seeded}
   */
  public static Split of(TrainingTable table, double testFraction, long seed, boolean stratify) {
    return of(table, testRows(labels(table), testFraction, seed, stratify));
  }

  /**
   * Which rows are test rows: {@code result[i]} for the row whose label is {@code labels.get(i)}.
   * The rule of {@link #stratified} when {@code stratify}, else of {@link #seeded}.
   *
   * @throws IllegalArgumentException as {@link #seeded}
   */
  public static boolean[] testRows(
      List<String> labels, double testFraction, long seed, boolean stratify) {
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
    }
    int n = labels.size();
    int testSize = (int) Math.ceil(testFraction * n);
    if (testSize < 1 || testSize >= n) {
      throw new IllegalArgumentException(
          "a test fraction of " + testFraction + " of " + n + " rows leaves an empty part");
    }
    boolean[] inTest = new boolean[n];
    Random random = new Random(seed);
    if (!stratify) {
      int[] order = new int[n];
      Arrays.setAll(order, i -> i);
      shuffle(order, random);
      for (int i = 0; i < testSize; i++) {
        inTest[order[i]] = true;
      }
      return inTest;
    }
    Map<String, List<Integer>> byClass = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      byClass.computeIfAbsent(labels.get(i), k -> new ArrayList<>()).add(i);
    }
    List<int[]> classes = new ArrayList<>();
    byClass.values().forEach(l -> classes.add(l.stream().mapToInt(Integer::intValue).toArray()));
    int[] share = new int[classes.size()];
    double[] remainder = new double[classes.size()];
    int given = 0;
    for (int c = 0; c < share.length; c++) {
      double exact = (double) testSize * classes.get(c).length / n;
      share[c] = (int) Math.floor(exact);
      remainder[c] = exact - share[c];
      given += share[c];
    }
    for (; given < testSize; given++) {
      int best = 0;
      for (int c = 1; c < share.length; c++) {
        if (remainder[c] > remainder[best]) {
          best = c;
        }
      }
      share[best]++;
      remainder[best] = -1;
    }
    for (int c = 0; c < share.length; c++) {
      int[] rows = classes.get(c);
      shuffle(rows, random);
      for (int i = 0; i < share[c]; i++) {
        inTest[rows[i]] = true;
      }
    }
    return inTest;
  }

  /** The split of {@code table} that {@code inTest} marks, both parts in source order. */
  public static Split of(TrainingTable table, boolean[] inTest) {
    int n = table.rows().size();
    if (inTest.length != n) {
      throw new IllegalArgumentException(inTest.length + " test marks for " + n + " rows");
    }
    List<TrainingTable.Row> train = new ArrayList<>(n);
    List<TrainingTable.Row> test = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      (inTest[i] ? test : train).add(table.rows().get(i));
    }
    return new Split(
        new TrainingTable(table.featureNames(), table.labels(), train),
        new TrainingTable(table.featureNames(), table.labels(), test));
  }

  private static void shuffle(int[] order, Random random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }

  private static List<String> labels(TrainingTable table) {
    return table.rows().stream().map(TrainingTable.Row::label).toList();
  }
}
