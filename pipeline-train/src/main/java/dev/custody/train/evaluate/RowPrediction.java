package dev.custody.train.evaluate;

import dev.custody.train.data.TrainingTable;
import java.util.Map;
import java.util.Objects;

/**
 * The model's prediction for one held-out row, exactly as the evaluator computed it from Tribuo's
 * {@code Prediction}: what a server given the same raw row must answer.
 *
 * @param row the evaluated row (its source line, true label and features)
 * @param label the predicted label
 * @param scores the model's score for each label it knows
 */
public record RowPrediction(TrainingTable.Row row, String label, Map<String, Double> scores) {
  public RowPrediction {
    Objects.requireNonNull(row, "row");
    Objects.requireNonNull(label, "label");
    scores = Map.copyOf(scores);
  }
}
