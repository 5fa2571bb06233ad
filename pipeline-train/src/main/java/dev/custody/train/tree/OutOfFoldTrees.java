package dev.custody.train.tree;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Out-of-fold class probabilities from histogram trees, for the label-noise screen: for each fold,
 * a tree (or forest) grown on the other folds' rows predicts the fold's rows. No Tribuo model is
 * built: the trees are used where they grow. The features are binned once over every row (the bins
 * depend on the feature values alone, never on a label), and each fold's trees see only their
 * training rows, through row weights of 0 for the held-out fold. Folds run in parallel in the
 * common fork-join pool; each writes only its own rows, and each fold's random state is seeded from
 * the seed and the fold's number, so the result is the same whatever the number of threads.
 */
public final class OutOfFoldTrees {
  /** The deepest leaf of a screen's tree. */
  static final int MAX_DEPTH = 8;

  /** The least training weight of a screen tree's leaf: leaves of few rows are overconfident. */
  static final double MIN_LEAF = 20;

  /** The trees of a screen's forest. */
  static final int FOREST_TREES = 20;

  /** The fraction of the features a screen forest's split tries. */
  static final float FOREST_FEATURE_FRACTION = 0.5f;

  private OutOfFoldTrees() {}

  /**
   * Each row's out-of-fold class probabilities, {@code p[row][class]}.
   *
   * @param columns dense feature values, {@code columns[feature][row]}
   * @param label each row's class index in [0, classes)
   * @param classes the number of classes
   * @param fold each row's fold in [0, folds)
   * @param folds the number of folds
   * @param forest a forest of {@value #FOREST_TREES} bootstrapped trees trying half the features at
   *     each split; else one tree trying every feature
   * @param seed the seed of fold {@code f}'s forest is {@code seed + f}
   * @param foldDone run as each fold finishes, from the thread that ran it
   * @throws IllegalArgumentException if the arrays disagree in length or a fold is empty
   */
  public static double[][] probabilities(
      double[][] columns,
      int[] label,
      int classes,
      int[] fold,
      int folds,
      boolean forest,
      long seed,
      Runnable foldDone) {
    int n = label.length;
    if (fold.length != n) {
      throw new IllegalArgumentException("expected one fold a row");
    }
    double[] ones = new double[n];
    Arrays.fill(ones, 1.0);
    BinnedData data = BinnedData.of(columns, label, ones, classes, BinnedData.MAX_BINS);
    double[][] p = new double[n][];
    IntStream.range(0, folds)
        .parallel()
        .forEach(
            f -> {
              fold(data, columns, fold, f, forest, seed + f, p);
              foldDone.run();
            });
    return p;
  }

  /** Grows fold {@code f}'s trees on the other folds and writes {@code p} for fold f's rows. */
  private static void fold(
      BinnedData data,
      double[][] columns,
      int[] fold,
      int f,
      boolean forest,
      long seed,
      double[][] p) {
    int n = data.rows;
    int[] train = IntStream.range(0, n).filter(i -> fold[i] != f).toArray();
    if (train.length == 0 || train.length == n) {
      throw new IllegalArgumentException("fold " + f + " leaves no training or no held-out row");
    }
    Tree[] trees;
    if (forest) {
      Tree.Growth growth =
          new Tree.Growth(
              MAX_DEPTH,
              MIN_LEAF,
              HistForestTrainer.featuresPerSplit(FOREST_FEATURE_FRACTION, data.features()));
      long[] treeSeeds = HistForestTrainer.treeSeeds(seed, FOREST_TREES);
      trees = new Tree[FOREST_TREES];
      for (int t = 0; t < trees.length; t++) {
        // A bootstrap sample of the training rows, as many draws as there are of them.
        SplittableRandom random = new SplittableRandom(treeSeeds[t]);
        double[] sample = new double[n];
        for (int i = 0; i < train.length; i++) {
          sample[train[random.nextInt(train.length)]] += 1;
        }
        trees[t] = Tree.grow(data, sample, growth, random);
      }
    } else {
      double[] weight = new double[n];
      for (int i : train) {
        weight[i] = 1;
      }
      trees =
          new Tree[] {
            Tree.grow(
                data,
                weight,
                new Tree.Growth(MAX_DEPTH, MIN_LEAF, data.features()),
                // Every feature is tried at every split: nothing is drawn from it.
                new SplittableRandom(seed))
          };
    }
    for (int i = 0; i < n; i++) {
      if (fold[i] != f) {
        continue;
      }
      int row = i;
      double[] sum = new double[data.classes];
      for (Tree tree : trees) {
        double[] d = tree.distribution(feature -> columns[feature][row]);
        for (int j = 0; j < sum.length; j++) {
          sum[j] += d[j];
        }
      }
      for (int j = 0; j < sum.length; j++) {
        sum[j] /= trees.length;
      }
      p[i] = sum;
    }
  }
}
