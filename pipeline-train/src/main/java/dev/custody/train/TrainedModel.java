package dev.custody.train;

import dev.custody.core.Sha256;
import dev.custody.core.chain.ModelCard;
import dev.custody.train.evaluate.GateResult;
import dev.custody.train.evaluate.Metrics;
import dev.custody.train.evaluate.RowPrediction;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A model that passed its gates and was exported, signed, to a model directory.
 *
 * @param directory the model directory
 * @param card its model card (name, version, labels, features, digests, test metrics)
 * @param rootDigest the model root digest R (the subject of the signature, provenance and gate)
 * @param metrics the metrics on the held-out test split
 * @param gates every gate evaluated, all passed
 * @param trainRows rows trained on
 * @param dependencies jar and directory entries recorded in the provenance
 * @param testPredictions the evaluator's prediction for each held-out row, in the test split's row
 *     order: the predictions {@code metrics} was computed from (kept in memory, never signed)
 */
public record TrainedModel(
    Path directory,
    ModelCard card,
    Sha256 rootDigest,
    Metrics metrics,
    List<GateResult> gates,
    long trainRows,
    int dependencies,
    List<RowPrediction> testPredictions) {
  public TrainedModel {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(card, "card");
    Objects.requireNonNull(rootDigest, "rootDigest");
    Objects.requireNonNull(metrics, "metrics");
    gates = List.copyOf(gates);
    testPredictions = List.copyOf(testPredictions);
  }
}
