package dev.custody.train.evaluate;

import java.util.List;
import java.util.Objects;

/**
 * A model scored on labelled rows: the metrics and the per-row predictions they were computed from.
 *
 * @param metrics the metrics
 * @param predictions one prediction per evaluated row, in the table's row order
 */
public record Evaluation(Metrics metrics, List<RowPrediction> predictions) {
  public Evaluation {
    Objects.requireNonNull(metrics, "metrics");
    predictions = List.copyOf(predictions);
  }
}
