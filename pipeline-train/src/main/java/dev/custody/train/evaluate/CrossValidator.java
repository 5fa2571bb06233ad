package dev.custody.train.evaluate;

import dev.custody.core.PipelineException;
import dev.custody.core.chain.GatePredicate;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.fit.Trainers;
import dev.custody.train.spec.TrainerSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Stratified, seeded k-fold cross-validation of a trainer on the training split: each fold is held
 * out once while a fresh trainer learns the other folds. Fold assignment: per class (in order of
 * first appearance) the row indices are shuffled by Fisher–Yates with one {@link Random} seeded
 * with {@code seed}, then dealt to the folds round-robin, continuing from class to class, so every
 * fold holds each class within one row of its share.
 */
public final class CrossValidator {
  private CrossValidator() {}

  /** The fold of each row of {@code labels}, in [0, folds). */
  public static int[] folds(List<String> labels, int folds, long seed) {
    Map<String, List<Integer>> byClass = new LinkedHashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      byClass.computeIfAbsent(labels.get(i), k -> new ArrayList<>()).add(i);
    }
    Random random = new Random(seed);
    int[] fold = new int[labels.size()];
    int next = 0;
    for (List<Integer> rows : byClass.values()) {
      for (int i = rows.size() - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        Integer t = rows.get(i);
        rows.set(i, rows.get(j));
        rows.set(j, t);
      }
      for (int row : rows) {
        fold[row] = next;
        next = (next + 1) % folds;
      }
    }
    return fold;
  }

  /**
   * Cross-validates {@code trainer} on {@code train}: accuracy per fold, and ROC AUC for {@code
   * positiveLabel} when the labels are binary.
   *
   * @throws PipelineException {@code TRAINING_FAILED} when a fold cannot be trained
   * @throws IllegalArgumentException if there are fewer rows than folds
   */
  public static GatePredicate.CrossValidation run(
      TrainerSpec trainer, TrainingTable train, int folds, long seed, String positiveLabel)
      throws PipelineException {
    int n = train.rows().size();
    if (n < folds) {
      throw new IllegalArgumentException(
          "cross-validation: expected at least " + folds + " training rows, found " + n);
    }
    int[] fold = folds(train.rows().stream().map(TrainingTable.Row::label).toList(), folds, seed);
    List<Double> accuracy = new ArrayList<>();
    List<Double> auc = new ArrayList<>();
    for (int f = 0; f < folds; f++) {
      List<TrainingTable.Row> in = new ArrayList<>();
      List<TrainingTable.Row> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        (fold[i] == f ? out : in).add(train.rows().get(i));
      }
      Metrics m =
          Evaluator.evaluate(
              Trainers.train(trainer, table(train, in)), table(train, out), positiveLabel);
      accuracy.add(m.accuracy());
      auc.add(m.rocAuc());
    }
    Map<String, GatePredicate.FoldMetric> metrics = new LinkedHashMap<>();
    metrics.put("accuracy", GatePredicate.FoldMetric.of(accuracy));
    if (train.labels().size() == 2 && auc.stream().noneMatch(v -> Double.isNaN(v))) {
      metrics.put("auc", GatePredicate.FoldMetric.of(auc));
    }
    return new GatePredicate.CrossValidation(folds, seed, n, metrics);
  }

  private static TrainingTable table(TrainingTable like, List<TrainingTable.Row> rows) {
    return new TrainingTable(like.featureNames(), like.labels(), rows);
  }
}
