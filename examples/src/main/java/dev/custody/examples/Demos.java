package dev.custody.examples;

import dev.custody.core.PipelineException;
import dev.custody.core.SigningKey;
import dev.custody.core.chain.Stage;
import dev.custody.train.Ingest;
import dev.custody.train.data.Split;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.evaluate.Evaluator;
import dev.custody.train.evaluate.Metrics;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.TrustPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/** What the attack demos share: where the checkout is, a trust policy, the held-out split. */
final class Demos {
  private Demos() {}

  /** The project root: {@code args[0]}, else the system property {@code custody.root}, else ".". */
  static Path root(String[] args) {
    String p = args.length > 0 ? args[0] : System.getProperty("custody.root", ".");
    return Path.of(p).toAbsolutePath().normalize();
  }

  /** The work directory: {@code args[1]}, else a new temporary directory. */
  static Path work(String[] args, String prefix) throws IOException {
    return args.length > 1
        ? Files.createDirectories(Path.of(args[1]))
        : Files.createTempDirectory(prefix);
  }

  /**
   * A policy trusting {@code key} for every stage and requiring a passed gate when there is one.
   */
  static TrustPolicy trusting(SigningKey key, boolean requireGate) {
    TrustPolicy.Builder b = TrustPolicy.builder();
    if (!requireGate) {
      b.insecureAcceptUngatedModels();
    }
    for (Stage s : Stage.values()) {
      b.trustKey(s, key.publicKey());
    }
    return b.build();
  }

  /**
   * The spec's held-out rows: its one data file read against its pin, split as the pipeline does.
   */
  static TrainingTable testSplit(PipelineSpec spec) throws PipelineException, IOException {
    PipelineSpec.FileList files = (PipelineSpec.FileList) spec.data();
    TrainingTable table = Ingest.create().table(spec, files.files().get(0));
    return Split.of(
            table, spec.split().testFraction(), spec.split().seed(), spec.split().stratify())
        .test();
  }

  /** Metrics of {@code model} on {@code test}, positive label "1". */
  static Metrics evaluate(Model<Label> model, TrainingTable test) {
    return Evaluator.evaluate(model, test, "1");
  }

  /** How many test rows the model predicted as each label. */
  static Map<String, Long> predicted(Metrics m) {
    Map<String, Long> out = new TreeMap<>();
    List<String> labels = m.confusion().labels();
    for (String p : labels) {
      long n = 0;
      for (String t : labels) {
        n += m.confusion().count(t, p);
      }
      out.put(p, n);
    }
    return out;
  }
}
