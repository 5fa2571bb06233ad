package dev.custody.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.train.Pipeline;
import dev.custody.train.Reproduction;
import dev.custody.train.StageSigners;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code custody reproduce}: re-run a model's signed pipeline and attest that it gave the same
 * model.
 */
@Command(
    name = "reproduce",
    mixinStandardHelpOptions = true,
    description = {
      "Re-run a model's signed pipeline and attest the same result.",
      "Verify a model directory's chain under a trust policy (signature, card,",
      "provenance, dataset attestation), re-run the spec recorded in its signed",
      "provenance on the data it pins, and compare the model content digest.",
      "Equal: write a signed SLSA verification summary (stage REPRODUCE) to",
      "MODEL_DIR/attestations/reproduction.sigstore.json.",
      "Different: exit 32, naming what differs (spec, data, dependencies, model)."
    })
final class ReproduceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "MODEL_DIR", description = "The model directory.")
  Path model;

  @Option(
      names = "--policy",
      required = true,
      paramLabel = "POLICY",
      description = "Trust policy (YAML).")
  Path policy;

  @Option(
      names = "--key",
      paramLabel = "PRIVATE_KEY",
      description = "Key that signs the verification summary (or --keyless).")
  Path key;

  @Mixin KeylessOptions keyless = new KeylessOptions();

  @Option(
      names = "--spec-dir",
      paramLabel = "DIR",
      defaultValue = ".",
      description =
          "The directory the spec was in: its relative data paths resolve against it (default: the"
              + " current directory). The data is checked against the spec's signed pins wherever it is read.")
  Path specDir;

  @Mixin StepOptions output = new StepOptions();

  @Mixin Passphrase passphrase = new Passphrase();

  @Override
  public Integer call() throws Exception {
    PipelineOptions.requireFile(model);
    var p = PipelineOptions.policy(policy);
    CommandSigner k = CommandSigner.of(spec, key, passphrase, keyless);
    StderrProgress progress =
        new StderrProgress(spec.commandLine().getErr(), "reproduce", output.quiet);
    Reproduction r;
    try {
      r =
          Pipeline.builder()
              .progress(progress)
              .cacheDirectory(PipelineOptions.CACHE_DIRECTORY)
              .build()
              .reproduce(model, specDir, p, StageSigners.of(k.bundleSigner()));
    } catch (java.nio.file.NoSuchFileException e) {
      progress.failed();
      // The signed spec's relative data paths resolve against --spec-dir, not the model directory.
      throw new IllegalArgumentException(
          "no such file: "
              + Errors.shown(e.getFile())
              + " (the spec's relative data paths resolve against --spec-dir, here "
              + Errors.shown(specDir.toAbsolutePath().normalize())
              + "; give --spec-dir DIR, the directory the spec was in)",
          e);
    } catch (Exception e) {
      progress.failed();
      throw e;
    }
    var o = spec.commandLine().getOut();
    if (output.json) {
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      root.put("reproduced", true);
      root.put("model", r.modelName());
      root.put("rootDigest", r.rootDigest().toString());
      root.put("contentDigest", r.contentDigest().toString());
      root.put("reproducedContentDigest", r.reproducedContentDigest().toString());
      root.put("datasetDigest", r.datasetDigest().toString());
      root.put("summary", r.summary().toString());
      var diffs = root.putArray("dependencyDifferences");
      r.dependencyDifferences().forEach(diffs::add);
      JsonReport.success(spec, root);
    } else {
      o.println(
          "reproduced "
              + Errors.shown(r.modelName())
              + " "
              + r.rootDigest()
              + ": content digest "
              + r.reproducedContentDigest()
              + " equals the signed one");
      if (!r.dependencyDifferences().isEmpty()) {
        o.println(
            "  (the classpath differs from the signed one in "
                + r.dependencyDifferences().size()
                + " entries, and the model came out the same: "
                + Errors.shown(String.join("; ", r.dependencyDifferences()))
                + ")");
      }
      o.println("verification summary: " + r.summary() + " (" + Errors.shown(k.describe()) + ")");
    }
    return 0;
  }
}
