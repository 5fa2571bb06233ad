package dev.custody.train.evaluate;

import dev.custody.train.data.TrainingTable;
import dev.custody.train.fit.TribuoTables;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

/** Scores a classification model on labelled rows. */
public final class Evaluator {
  private Evaluator() {}

  /**
   * Predicts every row of {@code test} and compares with its label.
   *
   * @param positiveLabel the label whose score ROC AUC ranks by
   * @throws IllegalArgumentException as {@link #evaluation}
   */
  public static Metrics evaluate(Model<Label> model, TrainingTable test, String positiveLabel) {
    return evaluation(model, test, positiveLabel).metrics();
  }

  /**
   * Predicts every row of {@code test}, compares with its label, and keeps each row's prediction
   * beside the metrics computed from them (a test can then send the same rows to a server).
   *
   * @param positiveLabel the label whose score ROC AUC ranks by
   * @throws IllegalArgumentException if {@code test} has no rows, {@code positiveLabel} is not one
   *     of the table's labels or unknown to the model, or the model predicts a label the table does
   *     not declare
   */
  public static Evaluation evaluation(
      Model<Label> model, TrainingTable test, String positiveLabel) {
    if (test.rows().isEmpty()) {
      throw new IllegalArgumentException("no test rows to evaluate on");
    }
    if (!test.labels().contains(positiveLabel)) {
      throw new IllegalArgumentException(
          "positive label '" + positiveLabel + "' is not one of " + test.labels());
    }
    if (model.getOutputIDInfo().getID(new Label(positiveLabel)) < 0) {
      throw new IllegalArgumentException(
          "the model does not know the positive label '" + positiveLabel + "'");
    }
    List<Example<Label>> examples = TribuoTables.examples(test);
    List<Prediction<Label>> predictions = model.predict(examples);
    List<String> truth = new ArrayList<>(examples.size());
    List<String> predicted = new ArrayList<>(examples.size());
    List<RowPrediction> rows = new ArrayList<>(examples.size());
    double[] scores = new double[examples.size()];
    for (int i = 0; i < examples.size(); i++) {
      Prediction<Label> p = predictions.get(i);
      TrainingTable.Row row = test.rows().get(i);
      truth.add(row.label());
      predicted.add(p.getOutput().getLabel());
      Map<String, Label> byLabel = p.getOutputScores();
      Label score = byLabel.get(positiveLabel);
      scores[i] = score == null ? 0.0 : score.getScore();
      Map<String, Double> all = new HashMap<>();
      byLabel.forEach((label, l) -> all.put(label, l.getScore()));
      rows.add(new RowPrediction(row, p.getOutput().getLabel(), all));
    }
    return new Evaluation(compute(test.labels(), positiveLabel, truth, predicted, scores), rows);
  }

  /** The metrics of {@code predicted} against {@code truth}; labels outside {@code labels} fail. */
  static Metrics compute(
      List<String> labels,
      String positiveLabel,
      List<String> truth,
      List<String> predicted,
      double[] positiveScores) {
    int n = truth.size();
    if (predicted.size() != n || positiveScores.length != n) {
      throw new IllegalArgumentException(
          n
              + " true labels, "
              + predicted.size()
              + " predictions, "
              + positiveScores.length
              + " scores");
    }
    int k = labels.size();
    long[][] counts = new long[k][k];
    long correct = 0;
    for (int i = 0; i < n; i++) {
      int t = indexOf(labels, truth.get(i));
      int p = indexOf(labels, predicted.get(i));
      counts[t][p]++;
      if (t == p) {
        correct++;
      }
    }
    List<Metrics.ClassMetrics> classes = new ArrayList<>(k);
    for (int c = 0; c < k; c++) {
      long tp = counts[c][c];
      long support = 0;
      long predictedAs = 0;
      for (int j = 0; j < k; j++) {
        support += counts[c][j];
        predictedAs += counts[j][c];
      }
      double precision = ratio(tp, predictedAs);
      double recall = ratio(tp, support);
      double f1 = precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
      classes.add(new Metrics.ClassMetrics(labels.get(c), precision, recall, f1, support));
    }
    boolean[] positive = new boolean[n];
    for (int i = 0; i < n; i++) {
      positive[i] = truth.get(i).equals(positiveLabel);
    }
    List<List<Long>> matrix = new ArrayList<>(k);
    for (long[] row : counts) {
      matrix.add(Arrays.stream(row).boxed().toList());
    }
    return new Metrics(
        n,
        ratio(correct, n),
        positiveLabel,
        rocAuc(positiveScores, positive),
        classes,
        new Metrics.ConfusionMatrix(labels, matrix));
  }

  /**
   * The Mann–Whitney form of ROC AUC: the probability that a random positive row scores above a
   * random negative one, ties counting half. {@code NaN} without both positives and negatives.
   */
  static double rocAuc(double[] scores, boolean[] positive) {
    int n = scores.length;
    Integer[] order = new Integer[n];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
    double positiveRankSum = 0;
    long positives = 0;
    for (int i = 0; i < n; ) {
      int j = i;
      while (j < n && Double.compare(scores[order[j]], scores[order[i]]) == 0) {
        j++;
      }
      double averageRank = (i + 1 + j) / 2.0; // ranks i+1 .. j share their mean
      for (int m = i; m < j; m++) {
        if (positive[order[m]]) {
          positiveRankSum += averageRank;
          positives++;
        }
      }
      i = j;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  private static double ratio(long num, long den) {
    return den == 0 ? 0.0 : (double) num / den;
  }

  private static int indexOf(List<String> labels, String label) {
    int i = labels.indexOf(label);
    if (i < 0) {
      throw new IllegalArgumentException("label '" + label + "' is not one of " + labels);
    }
    return i;
  }
}
