package dev.custody.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.BundleSigner;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import dev.custody.core.SigningKey;
import dev.custody.train.TrainedModel;
import dev.custody.train.evaluate.GateResult;
import dev.custody.train.evaluate.Metrics;
import dev.custody.verify.TrustPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;

/** What the pipeline commands share: loading keys and policies, printing a trained model. */
final class PipelineOptions {
  /**
   * Where the commands cache downloaded data files: {@code .custody-cache} in the working
   * directory, passed explicitly to the library (which has no default).
   */
  static final Path CACHE_DIRECTORY = Path.of(".custody-cache");

  private PipelineOptions() {}

  static SigningKey key(Path file, Passphrase passphrase) throws IOException, PipelineException {
    requireFile(file);
    return SigningKey.load(file, passphrase.read());
  }

  static TrustPolicy policy(Path file) throws IOException, PipelineException {
    requireFile(file);
    return TrustPolicy.load(file);
  }

  static void requireFile(Path file) throws NoSuchFileException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString());
    }
  }

  static BundleSigner signer(SigningKey key) {
    return BundleSigner.create(key);
  }

  /** The human summary of a trained model. */
  static void printTrained(PrintWriter out, TrainedModel m, String signer) {
    Metrics x = m.metrics();
    out.printf(
        Locale.ROOT,
        "trained %s v%d (%s) on %d rows: test accuracy %.4f, ROC AUC %.4f (%d held-out rows)%n",
        Errors.shown(m.card().name()),
        m.card().version(),
        Errors.shown(m.card().trainer()),
        m.trainRows(),
        x.accuracy(),
        x.rocAuc(),
        x.rows());
    for (Metrics.ClassMetrics c : x.classes()) {
      out.printf(
          Locale.ROOT,
          "  label %-6s precision %.4f  recall %.4f  F1 %.4f  (%d rows)%n",
          Errors.shown(c.label()),
          c.precision(),
          c.recall(),
          c.f1(),
          c.support());
    }
    if (m.gates().isEmpty()) {
      out.println("gates:   none configured in the spec");
    }
    for (GateResult g : m.gates()) {
      out.println("gate:    " + Errors.shown(g.describe()) + ": passed");
    }
    out.println("model:   " + Errors.shown(m.directory()));
    out.println("  root digest    " + m.rootDigest());
    out.println("  content digest " + m.card().contentDigest());
    out.println("  dataset D      " + m.card().dataset());
    out.println(
        "signed by "
            + Errors.shown(signer)
            + "; the provenance pins "
            + m.dependencies()
            + " classpath entries");
  }

  /**
   * The trained model as one JSON document, with {@code steps}: each step's name and wall time in
   * seconds, in the order they ran (what the step lines on stderr show).
   */
  static void printTrainedJson(CommandSpec spec, TrainedModel m, List<StderrProgress.Step> steps)
      throws PipelineException {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("name", m.card().name());
    root.put("version", m.card().version());
    root.put("directory", m.directory().toString());
    root.put("rootDigest", m.rootDigest().toString());
    root.put("contentDigest", m.card().contentDigest().toString());
    root.put("datasetDigest", m.card().dataset().toString());
    root.put("trainRows", m.trainRows());
    root.set(
        "metrics", Json.parse(m.metrics().toJson().getBytes(StandardCharsets.UTF_8), "metrics"));
    ArrayNode gates = root.putArray("gates");
    for (GateResult g : m.gates()) {
      ObjectNode o = gates.addObject();
      o.put("name", g.name());
      o.put("comparator", g.comparator());
      o.put("threshold", g.threshold());
      o.put("observed", g.observed());
      o.put("passed", g.passed());
    }
    ArrayNode stepsNode = root.putArray("steps");
    for (StderrProgress.Step step : steps) {
      // Milliseconds: enough for a step line, and the same digits whatever the locale.
      stepsNode
          .addObject()
          .put("step", step.name())
          .put("seconds", step.elapsed().toMillis() / 1000.0);
    }
    JsonReport.success(spec, root);
  }
}
