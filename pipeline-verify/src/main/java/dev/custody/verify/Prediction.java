package dev.custody.verify;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a {@link VerifiedModel} predicts for one input row.
 *
 * @param label the predicted label, one of the signed labels
 * @param scores each label's score (a probability where the model produces them; empty for a model
 *     that does not score), sorted by label
 */
public record Prediction(String label, SortedMap<String, Double> scores) {
  /** Copies the scores. */
  public Prediction {
    Objects.requireNonNull(label, "label");
    scores = Collections.unmodifiableSortedMap(new TreeMap<>(scores));
  }
}
