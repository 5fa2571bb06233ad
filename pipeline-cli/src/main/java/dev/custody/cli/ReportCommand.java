package dev.custody.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.VerifiedChain;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custody report}: one self-contained HTML page about a verified model. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Write a self-contained HTML report about a verified model.",
      "Verifies the model directory's chain under a trust policy, then writes one HTML page",
      "(no network resource, charts as inline SVG): the verified chain with digests",
      "and signers, the data and its screens, test metrics, confusion matrix, ROC,",
      "precision-recall and reliability curves, per-class table and gates. The curves need",
      "per-row test scores: with --spec-dir the verified model re-predicts the test split of",
      "the verified data (the spec's data paths resolve against that directory)."
    })
final class ReportCommand implements Callable<Integer>, Errors.JsonFailure {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "MODEL_DIR", description = "The exported model directory.")
  Path model;

  @Option(
      names = {"-o", "--out"},
      required = true,
      paramLabel = "FILE",
      description = "The HTML file to write (replaced atomically).")
  Path out;

  @Option(
      names = "--policy",
      required = true,
      paramLabel = "FILE",
      description = "The trust policy (YAML) the chain must verify under.")
  Path policy;

  @Option(
      names = "--spec-dir",
      paramLabel = "DIR",
      description =
          "Directory the signed spec's relative data paths resolve against: re-predict the test"
              + " split to draw the curves (without it the curves are left out, saying why).")
  Path specDir;

  @Option(names = "--json", description = "Print the result as JSON (also on failure).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(model)) {
      if (!Files.exists(model)) {
        throw new NoSuchFileException(model.toString());
      }
      throw new IllegalArgumentException(
          "MODEL_DIR: expected a model directory, found a file: " + Errors.shown(model));
    }
    if (specDir != null && !Files.isDirectory(specDir)) {
      throw new IllegalArgumentException(
          "--spec-dir: expected a directory, found " + Errors.shown(specDir));
    }
    VerifiedChain chain =
        ChainVerifier.builder(PipelineOptions.policy(policy)).build().verify(model);
    Optional<List<Curves.Scored>> scored = Optional.empty();
    String source =
        "the gate attestation records no per-row test scores; run custody report with --spec-dir"
            + " DIR (where the spec's data is) to re-predict the verified test split.";
    if (specDir != null) {
      scored = Optional.of(Reports.repredict(chain, specDir));
      source =
          "scores re-predicted by the verified model on the test split of the verified data ("
              + scored.get().size()
              + " rows; metrics equal the signed card's).";
    }
    Reports.write(out, chain, scored, source);
    PrintWriter w = spec.commandLine().getOut();
    if (json) {
      ObjectNode doc = JsonNodeFactory.instance.objectNode();
      doc.put("ok", true);
      doc.put("command", spec.qualifiedName());
      doc.put("model", chain.name());
      doc.put("version", chain.version());
      doc.put("rootDigest", chain.rootDigest().toString());
      doc.put("report", out.toString());
      doc.put("curves", scored.isPresent());
      w.print(new String(Json.writePretty(doc), StandardCharsets.UTF_8));
    } else {
      w.println(
          "report of verified "
              + Errors.shown(chain.name())
              + " v"
              + chain.version()
              + " written to "
              + Errors.shown(out)
              + (scored.isPresent() ? "" : " (no curves: pass --spec-dir to draw them)"));
    }
    w.flush();
    return 0;
  }

  @Override
  public void describeFailure(ObjectNode report) {
    report.put("model", String.valueOf(model));
  }
}
