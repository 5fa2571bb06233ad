package dev.custody.cli;

import dev.custody.core.chain.Stage;
import dev.custody.train.Pipeline;
import dev.custody.train.Progress;
import dev.custody.train.StageSigners;
import dev.custody.train.TrainedModel;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.TrustPolicy;
import dev.custody.verify.VerifiedChain;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custody run}: ingest, train, evaluate, gate and sign in one command, with one key. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run a whole pipeline spec: ingest, train, gate and sign.",
      "Run every stage of a pipeline spec: ingest (verify, parse, screen, sign the dataset",
      "attestation), verify that attestation, train, evaluate, apply the gates and",
      "export a signed model directory, signing every stage with --key (or",
      "keylessly with --keyless). Shows",
      "each step and its time on stderr."
    })
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "SPEC", description = "The pipeline spec (YAML).")
  Path specFile;

  @Option(
      names = "--key",
      paramLabel = "PRIVATE_KEY",
      description = "Key that signs every stage (or --keyless).")
  Path key;

  @Mixin KeylessOptions keyless = new KeylessOptions();

  @Option(
      names = "--policy",
      paramLabel = "POLICY",
      description =
          "Trust policy to check the dataset attestation and a baseline model against"
              + " (default: trust the signer of --key or --keyless for every stage).")
  Path policy;

  @Option(
      names = {"-o", "--out"},
      paramLabel = "MODEL_DIR",
      description = "Model directory to create (default: NAME-vVERSION).")
  Path out;

  @Option(
      names = "--no-report",
      description =
          "Do not write the HTML report (by default MODEL_DIR.report.html, beside the model"
              + " directory: a file inside it would not be in the signed manifest).")
  boolean noReport;

  @Mixin StepOptions output = new StepOptions();

  @Mixin Passphrase passphrase = new Passphrase();

  @Override
  public Integer call() throws Exception {
    PipelineOptions.requireFile(specFile);
    PipelineSpec s = PipelineSpec.load(specFile);
    CommandSigner k = CommandSigner.of(spec, key, passphrase, keyless);
    TrustPolicy p = policy != null ? PipelineOptions.policy(policy) : k.trustedForEveryStage();
    Path dir = out != null ? out : Path.of(s.name() + "-v" + s.version());
    StderrProgress progress = new StderrProgress(spec.commandLine().getErr(), "run", output.quiet);
    TrainedModel m;
    try {
      m =
          Pipeline.builder()
              .progress(progress)
              .cacheDirectory(PipelineOptions.CACHE_DIRECTORY)
              .build()
              .run(s, p, StageSigners.of(k.bundleSigner()), dir);
    } catch (Exception e) {
      progress.failed();
      throw e;
    }
    if (!noReport) {
      report(m, reportPolicy(k, m), progress);
    }
    if (output.json) {
      PipelineOptions.printTrainedJson(spec, m, progress.steps());
    } else {
      PipelineOptions.printTrained(spec.commandLine().getOut(), m, k.describe());
    }
    return 0;
  }

  /**
   * Verifies the exported chain under the key that signed every stage of this run and writes its
   * report beside the model, with the curves drawn from the scores the evaluation just computed.
   */
  /**
   * The run's own key for every stage; a spec without gates exports no gate attestation, so only
   * then is the gate not required (one that is present is verified all the same).
   */
  private static TrustPolicy reportPolicy(CommandSigner k, TrainedModel m) {
    TrustPolicy.Builder b = TrustPolicy.builder();
    for (Stage s : Stage.values()) {
      k.trust(b, s);
    }
    if (m.gates().isEmpty()) {
      b.insecureAcceptUngatedModels();
    }
    return b.build();
  }

  private static void report(TrainedModel m, TrustPolicy signedBy, StderrProgress progress)
      throws Exception {
    Progress.Timer t = Progress.start(progress, "report");
    try {
      VerifiedChain chain = ChainVerifier.builder(signedBy).build().verify(m.directory());
      Path target = Reports.besideModel(m.directory());
      Reports.write(
          target,
          chain,
          Optional.of(Reports.scored(m.testPredictions(), chain.card().positiveLabel())),
          "scores of the evaluation this run made (" + m.testPredictions().size() + " test rows).");
      t.done("chain verified, " + Errors.shown(target));
    } catch (Exception e) {
      progress.failed();
      throw e;
    }
  }
}
