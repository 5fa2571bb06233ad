package dev.custody.train.evaluate;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.fit.TribuoTables;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.TrustPolicy;
import dev.custody.verify.VerifiedChain;
import dev.custody.verify.VerifiedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

/**
 * Evaluates a spec's release gates on a trained model: minimum metrics on the held-out test split
 * and on a golden set, the canary set, and the largest drop of each metric against a baseline model
 * that is verified and loaded only through pipeline-verify.
 */
public final class GateEvaluator {
  /** Reads a gate data set (golden or canary) into a table, after checking its pinned digest. */
  @FunctionalInterface
  public interface TableSource {
    /**
     * The verified rows of {@code source}.
     *
     * @throws PipelineException if the file does not match its pinned digest or fails the schema
     */
    TrainingTable table(PipelineSpec.Source source) throws PipelineException, IOException;
  }

  static final String TEST_SPLIT = "test-split";
  private static final int CANARY_ROWS_NAMED = 10;

  private final PipelineSpec spec;
  private final TableSource tables;
  private final TrustPolicy policy;
  private final String positiveLabel;

  /**
   * A gate evaluator for {@code spec}'s gates.
   *
   * @param tables reads the golden and canary sets
   * @param policy verifies the baseline model of a max-change gate
   * @param positiveLabel the label the binary metrics are computed for
   */
  public GateEvaluator(
      PipelineSpec spec, TableSource tables, TrustPolicy policy, String positiveLabel) {
    this.spec = spec;
    this.tables = tables;
    this.policy = policy;
    this.positiveLabel = positiveLabel;
  }

  /**
   * Every configured gate, in order: test-split minimums, golden minimums, canary, max change.
   *
   * @param testMetrics the model's metrics on {@code test}
   * @param testDigest the Merkle root of the test rows
   */
  public List<GateResult> evaluate(
      Model<Label> model, TrainingTable test, Metrics testMetrics, Sha256 testDigest)
      throws PipelineException, IOException {
    PipelineSpec.Gates gates = spec.gates();
    List<GateResult> out = new ArrayList<>();
    minimums("test-", gates.minimum(), testMetrics, TEST_SPLIT, testDigest, out);
    if (gates.golden() != null) {
      PipelineSpec.Source src = gates.golden().data();
      TrainingTable golden = tables.table(src);
      Metrics m = evaluate(model, golden, "golden set " + src.display());
      minimums("golden-", gates.golden().minimum(), m, fileName(src.display()), src.sha256(), out);
    }
    if (gates.canary() != null) {
      out.add(canary(model, gates.canary().data()));
    }
    if (gates.maxChange() != null) {
      maxChange(gates.maxChange(), test, testMetrics, testDigest, out);
    }
    return out;
  }

  /** Refuses when any gate failed, naming each with observed and required values. */
  public static void requirePassed(List<GateResult> results) throws PipelineException {
    List<String> failed = new ArrayList<>();
    for (GateResult g : results) {
      if (!g.passed()) {
        failed.add(g.describe());
      }
    }
    if (!failed.isEmpty()) {
      throw new PipelineException(
          Reason.GATE_FAILED,
          (failed.size() == 1 ? "gate failed" : failed.size() + " gates failed")
              + ", nothing exported: "
              + String.join("; ", failed));
    }
  }

  private void minimums(
      String prefix,
      Map<String, Double> minimum,
      Metrics m,
      String dataset,
      Sha256 digest,
      List<GateResult> out) {
    for (Map.Entry<String, Double> e : minimum.entrySet()) {
      double observed = metric(m, e.getKey());
      out.add(
          new GateResult(
              prefix + e.getKey(),
              e.getKey(),
              ">=",
              e.getValue(),
              observed,
              observed >= e.getValue(),
              m.rows(),
              dataset,
              digest,
              null,
              null,
              ""));
    }
  }

  private GateResult canary(Model<Label> model, PipelineSpec.Source src)
      throws PipelineException, IOException {
    TrainingTable canary = tables.table(src);
    if (canary.rows().isEmpty()) {
      throw new PipelineException(
          Reason.DATA_INVALID, "canary set " + src.display() + " has no rows");
    }
    return canary("canary", model, canary, fileName(src.display()), src.sha256());
  }

  /**
   * The contested canary: every item that received feedback against the served prediction in the
   * protected direction must keep the served label ("known spam stays spam").
   *
   * @param rows the contested rows, each labelled with the served label
   * @param dataset the feedback file's name
   * @param digest the feedback file's SHA-256
   */
  public static GateResult contestedCanary(
      Model<Label> model, List<TrainingTable.Row> rows, String dataset, Sha256 digest) {
    Set<String> names = new LinkedHashSet<>();
    rows.forEach(r -> names.addAll(r.names()));
    List<String> labels = new ArrayList<>();
    model.getOutputIDInfo().getDomain().forEach(l -> labels.add(l.getLabel()));
    return canary(
        "canary-contested",
        model,
        new TrainingTable(new ArrayList<>(names), labels, rows),
        dataset,
        digest);
  }

  private static GateResult canary(
      String name, Model<Label> model, TrainingTable canary, String dataset, Sha256 digest) {
    List<Prediction<Label>> predictions = model.predict(TribuoTables.examples(canary));
    List<String> changed = new ArrayList<>();
    int kept = 0;
    for (int i = 0; i < predictions.size(); i++) {
      TrainingTable.Row row = canary.rows().get(i);
      String predicted = predictions.get(i).getOutput().getLabel();
      if (predicted.equals(row.label())) {
        kept++;
      } else if (changed.size() < CANARY_ROWS_NAMED) {
        changed.add(
            "line " + row.sourceLine() + " expected " + row.label() + ", predicted " + predicted);
      }
    }
    int n = canary.rows().size();
    String detail =
        kept == n
            ? ""
            : (n - kept)
                + " of "
                + n
                + " canary rows changed label: "
                + String.join(", ", changed)
                + (n - kept > changed.size() ? ", …" : "");
    return new GateResult(
        name,
        "canary-agreement",
        "==",
        1.0,
        kept / (double) n,
        kept == n,
        n,
        dataset,
        digest,
        null,
        null,
        detail);
  }

  private void maxChange(
      PipelineSpec.MaxChangeGate gate,
      TrainingTable test,
      Metrics current,
      Sha256 testDigest,
      List<GateResult> out)
      throws PipelineException, IOException {
    Path dir = spec.baseDirectory().resolve(gate.baseline()).normalize();
    Baseline baseline = loadBaseline(dir, policy);
    Metrics before = evaluate(baseline.model().tribuoModel(), test, "baseline " + gate.baseline());
    for (Map.Entry<String, Double> e : gate.metrics().entrySet()) {
      double drop = metric(before, e.getKey()) - metric(current, e.getKey());
      out.add(
          new GateResult(
              "max-change-" + e.getKey(),
              e.getKey() + "-drop",
              "<=",
              e.getValue(),
              drop,
              drop <= e.getValue(),
              current.rows(),
              TEST_SPLIT,
              testDigest,
              gate.baseline(),
              baseline.rootDigest(),
              ""));
    }
  }

  /** A baseline model: its whole chain verified under the policy, loaded by the safe loader. */
  record Baseline(VerifiedModel model, Sha256 rootDigest) {}

  /**
   * Verifies a baseline model directory's whole chain of custody under {@code policy} ({@link
   * ChainVerifier}) and loads the model from the bytes that were verified.
   */
  static Baseline loadBaseline(Path dir, TrustPolicy policy) throws PipelineException, IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "baseline model directory");
    }
    VerifiedChain chain = ChainVerifier.builder(policy).build().verify(dir);
    return new Baseline(chain.load(), chain.rootDigest());
  }

  private Metrics evaluate(Model<Label> model, TrainingTable table, String what)
      throws PipelineException {
    if (table.rows().isEmpty()) {
      throw new PipelineException(Reason.DATA_INVALID, what + " has no rows");
    }
    try {
      return Evaluator.evaluate(model, table, positiveLabel);
    } catch (IllegalArgumentException e) {
      throw new PipelineException(Reason.MODEL_MISMATCH, what + ": " + e.getMessage(), e);
    }
  }

  /** A metric by its spec name; {@code NaN} when undefined (ROC AUC of a one-label set). */
  static double metric(Metrics m, String name) {
    int colon = name.indexOf(':');
    if (colon < 0) {
      return switch (name) {
        case "accuracy" -> m.accuracy();
        case "auc" -> m.rocAuc();
        case "macroF1" ->
            m.classes().stream().mapToDouble(Metrics.ClassMetrics::f1).average().orElse(Double.NaN);
        default -> throw new IllegalArgumentException("unknown metric " + name);
      };
    }
    Metrics.ClassMetrics c = m.of(name.substring(colon + 1));
    return switch (name.substring(0, colon)) {
      case "precision" -> c.precision();
      case "recall" -> c.recall();
      case "f1" -> c.f1();
      default -> throw new IllegalArgumentException("unknown metric " + name);
    };
  }

  /**
   * The file name of a data source's display form (its path or URL, without a query), as the gate
   * and provenance statements name it.
   */
  public static String fileName(String display) {
    String s = display;
    int q = s.indexOf('?');
    if (q >= 0 && s.contains("://")) {
      s = s.substring(0, q);
    }
    return s.substring(s.lastIndexOf('/') + 1);
  }
}
