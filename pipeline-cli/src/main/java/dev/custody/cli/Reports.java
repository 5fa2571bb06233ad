package dev.custody.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.AtomicFiles;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.chain.Provenance;
import dev.custody.train.Ingest;
import dev.custody.train.IngestResult;
import dev.custody.train.Pipeline;
import dev.custody.train.Progress;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.evaluate.Evaluation;
import dev.custody.train.evaluate.Evaluator;
import dev.custody.train.evaluate.RowPrediction;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.VerifiedChain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Writes the HTML report of a verified chain ({@link HtmlReport}), and finds the per-row test
 * scores its curves need. The gate attestation records metrics, not per-row scores, so they come
 * either from the run that just evaluated the model, or by re-predicting the test split of the
 * verified data with the verified model.
 */
final class Reports {
  private Reports() {}

  /** Where {@code custody run} writes a model's report: beside the directory, not inside it. */
  static Path besideModel(Path modelDir) {
    Path abs = modelDir.toAbsolutePath().normalize();
    return abs.resolveSibling(abs.getFileName() + ".report.html");
  }

  /** The positive label's score for each of the evaluator's predictions. */
  static List<Curves.Scored> scored(List<RowPrediction> predictions, String positive) {
    return predictions.stream()
        .map(
            p ->
                new Curves.Scored(
                    p.row().label().equals(positive), p.scores().getOrDefault(positive, 0.0)))
        .toList();
  }

  /**
   * Re-predicts the test split with the verified model, from the data that the spec in the verified
   * provenance names, resolved against {@code specDir}. The data must be what was signed: ingest
   * checks each file against the spec's pinned digest, the kept rows must have the verified dataset
   * digest D, and the re-computed metrics must equal the signed card's, exactly.
   *
   * @throws PipelineException {@link Reason#DIGEST_MISMATCH} if the data is not the signed data,
   *     {@link Reason#MODEL_MISMATCH} if the re-prediction gives other metrics than the card
   */
  static List<Curves.Scored> repredict(VerifiedChain chain, Path specDir)
      throws PipelineException, IOException {
    Provenance.Spec signed = chain.provenance().predicate().spec();
    PipelineSpec spec =
        PipelineSpec.parse(signed.bytes(), specDir.toAbsolutePath().normalize(), signed.name());
    IngestResult r =
        Ingest.builder()
            .cacheDirectory(PipelineOptions.CACHE_DIRECTORY)
            .build()
            .run(spec, Progress.none());
    if (!r.summary().keptRoot().matches(chain.datasetDigest())) {
      throw new PipelineException(
          Reason.DIGEST_MISMATCH,
          "report: the data under "
              + Errors.shown(specDir)
              + " gives dataset digest "
              + r.summary().keptRoot()
              + ", the verified chain names "
              + chain.datasetDigest());
    }
    TrainingTable test = Pipeline.testSplit(r);
    String positive = chain.card().positiveLabel();
    Evaluation e = Evaluator.evaluation(chain.load().tribuoModel(), test, positive);
    JsonNode recomputed =
        Json.parse(e.metrics().toJson().getBytes(StandardCharsets.UTF_8), "metrics");
    if (!recomputed.equals(chain.card().metrics())) {
      throw new PipelineException(
          Reason.MODEL_MISMATCH,
          "report: re-predicting the test split gives other metrics than the signed card"
              + " (accuracy "
              + recomputed.path("accuracy")
              + " on "
              + recomputed.path("rows")
              + " rows, card "
              + chain.card().metrics().path("accuracy")
              + " on "
              + chain.card().metrics().path("rows")
              + "): this Custody splits the data differently from the one that trained the model");
    }
    return scored(e.predictions(), positive);
  }

  /** Renders and writes the page atomically. */
  static void write(
      Path target, VerifiedChain chain, Optional<List<Curves.Scored>> scored, String source)
      throws IOException {
    AtomicFiles.write(
        target, new HtmlReport(chain, scored, source).render().getBytes(StandardCharsets.UTF_8));
  }
}
