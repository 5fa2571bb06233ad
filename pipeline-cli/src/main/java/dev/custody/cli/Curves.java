package dev.custody.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * ROC, precision-recall and reliability (calibration) curves of one label's scores on the test
 * rows, one-vs-rest: the points a report draws.
 */
final class Curves {
  /** Bins of the reliability curve: ten, as scikit-learn's {@code calibration_curve} default. */
  static final int CALIBRATION_BINS = 10;

  private Curves() {}

  /**
   * One test row: whether its true label is the positive one, and the model's score for it.
   *
   * @param positive the true label is the positive label
   * @param score the model's score for the positive label
   */
  record Scored(boolean positive, double score) {}

  /**
   * One reliability bin.
   *
   * @param meanScore mean score of the rows in the bin
   * @param fractionPositive fraction of them whose label is positive
   * @param rows how many rows
   */
  record Bin(double meanScore, double fractionPositive, long rows) {}

  /**
   * ROC points (false positive rate, true positive rate) from (0, 0) to (1, 1), one per distinct
   * score, highest first; empty unless both classes occur.
   */
  static List<double[]> roc(List<Scored> rows) {
    long p = rows.stream().filter(Scored::positive).count();
    long n = rows.size() - p;
    List<double[]> points = new ArrayList<>();
    if (p == 0 || n == 0) {
      return points;
    }
    points.add(new double[] {0, 0});
    walk(rows, (tp, fp) -> points.add(new double[] {(double) fp / n, (double) tp / p}));
    return points;
  }

  /**
   * Precision-recall points (recall, precision), one per distinct score, highest first; empty if no
   * row is positive.
   */
  static List<double[]> precisionRecall(List<Scored> rows) {
    long p = rows.stream().filter(Scored::positive).count();
    List<double[]> points = new ArrayList<>();
    if (p == 0) {
      return points;
    }
    walk(rows, (tp, fp) -> points.add(new double[] {(double) tp / p, (double) tp / (tp + fp)}));
    return points;
  }

  /** Rows with scores in [0, 1] in ten equal bins; empty bins are left out. */
  static List<Bin> reliability(List<Scored> rows) {
    double[] sum = new double[CALIBRATION_BINS];
    long[] pos = new long[CALIBRATION_BINS];
    long[] count = new long[CALIBRATION_BINS];
    for (Scored r : rows) {
      int b = Math.min(CALIBRATION_BINS - 1, (int) Math.floor(r.score() * CALIBRATION_BINS));
      sum[b] += r.score();
      count[b]++;
      if (r.positive()) {
        pos[b]++;
      }
    }
    List<Bin> bins = new ArrayList<>();
    for (int b = 0; b < CALIBRATION_BINS; b++) {
      if (count[b] > 0) {
        bins.add(new Bin(sum[b] / count[b], (double) pos[b] / count[b], count[b]));
      }
    }
    return bins;
  }

  /** Whether every score is a probability, so a reliability curve means something. */
  static boolean probabilities(List<Scored> rows) {
    return rows.stream().allMatch(r -> r.score() >= 0 && r.score() <= 1);
  }

  private interface Point {
    void at(long truePositives, long falsePositives);
  }

  /** Lowers the threshold through every distinct score: tied rows enter together. */
  private static void walk(List<Scored> rows, Point point) {
    List<Scored> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingDouble(Scored::score).reversed());
    long tp = 0;
    long fp = 0;
    for (int i = 0; i < sorted.size(); i++) {
      if (sorted.get(i).positive()) {
        tp++;
      } else {
        fp++;
      }
      if (i == sorted.size() - 1 || sorted.get(i + 1).score() != sorted.get(i).score()) {
        point.at(tp, fp);
      }
    }
  }
}
