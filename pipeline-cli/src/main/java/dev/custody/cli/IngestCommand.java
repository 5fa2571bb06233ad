package dev.custody.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.chain.DatasetPredicate;
import dev.custody.train.DatasetAttestation;
import dev.custody.train.Pipeline;
import dev.custody.train.StageSigners;
import dev.custody.train.spec.PipelineSpec;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custody ingest}: verify, parse and screen a spec's data; sign a dataset attestation. */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = {
      "Ingest a spec's data and sign a dataset attestation.",
      "Read each data file of a pipeline spec once, check its SHA-256 against the",
      "spec, parse and validate those bytes, compute the row Merkle root, run the",
      "screens, and write a signed dataset attestation (stage INGEST) whose",
      "subject is the digest D of the rows kept."
    })
final class IngestCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "SPEC", description = "The pipeline spec (YAML).")
  Path specFile;

  @Option(
      names = "--key",
      paramLabel = "PRIVATE_KEY",
      description = "Key that signs the attestation (or --keyless).")
  Path key;

  @Mixin KeylessOptions keyless = new KeylessOptions();

  @Option(
      names = {"-o", "--out"},
      paramLabel = "FILE",
      description = "Where to write the attestation (default: NAME-dataset.sigstore.json).")
  Path out;

  @Mixin StepOptions output = new StepOptions();

  @Mixin Passphrase passphrase = new Passphrase();

  @Override
  public Integer call() throws Exception {
    PipelineOptions.requireFile(specFile);
    PipelineSpec s = PipelineSpec.load(specFile);
    CommandSigner k = CommandSigner.of(spec, key, passphrase, keyless);
    Path file = out != null ? out : Path.of(s.name() + "-dataset.sigstore.json");
    StderrProgress progress =
        new StderrProgress(spec.commandLine().getErr(), "ingest", output.quiet);
    DatasetAttestation d;
    try {
      d =
          Pipeline.builder()
              .progress(progress)
              .cacheDirectory(PipelineOptions.CACHE_DIRECTORY)
              .build()
              .ingest(s, StageSigners.of(k.bundleSigner()), file);
    } catch (Exception e) {
      progress.failed();
      throw e;
    }
    var o = spec.commandLine().getOut();
    if (output.json) {
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      root.put("name", s.name());
      root.put("version", s.version());
      root.put("rows", d.summary().rows());
      root.put("keptRows", d.summary().keptRows());
      root.put("datasetDigest", d.datasetDigest().toString());
      root.put("attestation", file.toString());
      root.put("attestationDigest", d.fileDigest().toString());
      ArrayNode screens = root.putArray("screens");
      for (DatasetPredicate.Screen r : d.summary().screens()) {
        screens
            .addObject()
            .put("screen", r.screen())
            .put("policy", r.policy())
            .put("flagged", r.flagged())
            .put("dropped", r.dropped());
      }
      JsonReport.success(spec, root);
    } else {
      o.println(
          "ingested "
              + Errors.shown(s.name())
              + " v"
              + s.version()
              + ": "
              + d.summary().rows()
              + " rows, "
              + d.summary().keptRows()
              + " kept; dataset D "
              + d.datasetDigest());
      for (DatasetPredicate.Screen r : d.summary().screens()) {
        o.println(
            "  screen "
                + r.screen()
                + " ("
                + r.policy()
                + "): "
                + r.flagged()
                + " of "
                + r.rowsChecked()
                + " rows flagged, "
                + r.dropped()
                + " dropped");
      }
      o.println(
          "dataset attestation: "
              + Errors.shown(file)
              + " ("
              + d.fileDigest()
              + ", "
              + Errors.shown(k.describe())
              + ")");
    }
    return 0;
  }
}
