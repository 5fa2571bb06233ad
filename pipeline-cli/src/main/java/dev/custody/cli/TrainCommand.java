package dev.custody.cli;

import dev.custody.core.VerificationKey;
import dev.custody.core.chain.Stage;
import dev.custody.train.Pipeline;
import dev.custody.train.StageSigners;
import dev.custody.train.TrainedModel;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.TrustPolicy;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custody train}: train from a verified dataset attestation and export a signed model. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train, evaluate, gate and sign a model from attested data.",
      "Train a model from a pipeline spec and its signed dataset attestation,",
      "evaluate it on the held-out split, apply the spec's gates and export a",
      "signed model directory. Refuses unless the attestation verifies under the",
      "trusted INGEST signers for the data as it is now (the files are read again",
      "and checked). A failed gate exports nothing."
    })
final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "SPEC", description = "The pipeline spec (YAML).")
  Path specFile;

  @Option(
      names = "--dataset",
      required = true,
      paramLabel = "FILE",
      description = "The dataset attestation from 'custody ingest'.")
  Path dataset;

  @Option(
      names = "--key",
      paramLabel = "PRIVATE_KEY",
      description =
          "Key that signs the model, its provenance and the gate attestation (or --keyless).")
  Path key;

  @Mixin KeylessOptions keyless = new KeylessOptions();

  @ArgGroup(exclusive = true, multiplicity = "1")
  Trust trust;

  /**
   * Who is trusted to have signed the dataset (and a baseline model): one of the two is required.
   */
  static final class Trust {
    @Option(
        names = "--policy",
        required = true,
        paramLabel = "POLICY",
        description =
            "Trust policy (YAML): INGEST signers for the dataset, TRAIN signers for a baseline model.")
    Path policy;

    @Option(
        names = "--trust-ingest-key",
        required = true,
        paramLabel = "PUBLIC_KEY",
        description =
            "Trust this key for the dataset attestation (and the signer of --key or --keyless for a baseline model).")
    Path ingestKey;
  }

  @Option(
      names = {"-o", "--out"},
      paramLabel = "MODEL_DIR",
      description = "Model directory to create (default: NAME-vVERSION).")
  Path out;

  @Mixin StepOptions output = new StepOptions();

  @Mixin Passphrase passphrase = new Passphrase();

  @Override
  public Integer call() throws Exception {
    PipelineOptions.requireFile(specFile);
    PipelineOptions.requireFile(dataset);
    PipelineSpec s = PipelineSpec.load(specFile);
    CommandSigner k = CommandSigner.of(spec, key, passphrase, keyless);
    TrustPolicy policy;
    if (trust.policy != null) {
      policy = PipelineOptions.policy(trust.policy);
    } else {
      PipelineOptions.requireFile(trust.ingestKey);
      TrustPolicy.Builder b =
          TrustPolicy.builder().trustKey(Stage.INGEST, VerificationKey.fromPem(trust.ingestKey));
      k.trust(b, Stage.TRAIN);
      k.trust(b, Stage.EVALUATE);
      policy = b.build();
    }
    Path dir = out != null ? out : Path.of(s.name() + "-v" + s.version());
    StderrProgress progress =
        new StderrProgress(spec.commandLine().getErr(), "train", output.quiet);
    TrainedModel m;
    try {
      m =
          Pipeline.builder()
              .progress(progress)
              .cacheDirectory(PipelineOptions.CACHE_DIRECTORY)
              .build()
              .train(s, dataset, policy, StageSigners.of(k.bundleSigner()), dir);
    } catch (Exception e) {
      progress.failed();
      throw e;
    }
    if (output.json) {
      PipelineOptions.printTrainedJson(spec, m, progress.steps());
    } else {
      PipelineOptions.printTrained(spec.commandLine().getOut(), m, k.describe());
    }
    return 0;
  }
}
