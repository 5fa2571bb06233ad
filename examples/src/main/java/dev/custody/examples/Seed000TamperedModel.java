package dev.custody.examples;

import dev.custody.core.BundleSigner;
import dev.custody.core.ModelSigning;
import dev.custody.core.SigningKey;
import dev.custody.core.VerificationException;
import dev.custody.core.chain.ChainLayout;
import dev.custody.train.Pipeline;
import dev.custody.train.StageSigners;
import dev.custody.train.TrainedModel;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.evaluate.Metrics;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.DeserializationFilter;
import dev.custody.verify.TrustPolicy;
import dev.custody.verify.VerifiedChain;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Seed 000, a model altered in transit. The credit random forest is trained and exported with
 * {@link Pipeline#run} (examples/credit-rf.yaml); the attacker then rewrites {@code model.tribuo}
 * so that it predicts "1" for every row ({@link ModelTamper}, Tribuo's analogue of scikit-learn's
 * {@code classes_ = [1, 1]}). A pipeline that deserializes what it is handed ({@link
 * NaivePipeline}) loses its accuracy; Custody's {@link ChainVerifier} refuses the directory, and
 * still refuses it after the attacker re-signs it with a key of their own.
 *
 * <p>Usage: {@code Seed000TamperedModel [PROJECT_ROOT [WORK_DIR]]}
 */
public final class Seed000TamperedModel {
  private Seed000TamperedModel() {}

  /** What the demo measured. */
  public record Result(
      double trainedAccuracy,
      double naiveBefore,
      double naiveAfter,
      Map<String, Long> predictedBefore,
      Map<String, Long> predictedAfter,
      ModelTamper.Edit edit,
      VerificationException tampered,
      VerificationException resigned) {}

  public static void main(String[] args) throws Exception {
    DeserializationFilter.install(); // first thing: before anything creates an ObjectInputStream
    run(Demos.root(args), Demos.work(args, "seed000-"), System.out);
  }

  /** Runs the demo in {@code work}, printing each step to {@code out}. */
  public static Result run(Path root, Path work, PrintStream out) throws Exception {
    PipelineSpec spec = PipelineSpec.load(root.resolve("examples/credit-rf.yaml"));
    SigningKey key = SigningKey.generate();
    TrustPolicy policy = Demos.trusting(key, true);
    Path dir = work.resolve("credit-rf-v1");

    out.println("== seed 000: a model altered in transit (" + spec.sourceName() + ")");
    TrainedModel trained =
        Pipeline.builder()
            .build()
            .run(spec, policy, StageSigners.of(BundleSigner.create(key)), dir);
    out.printf(
        Locale.ROOT,
        "trained and signed %s: test accuracy %.4f on %d held-out rows%n",
        dir.getFileName(),
        trained.metrics().accuracy(),
        trained.metrics().rows());
    VerifiedChain chain = ChainVerifier.builder(policy).build().verify(dir);
    out.println(
        "custody verify: OK, "
            + chain.links().size()
            + " links, model signed by "
            + chain.modelSigner());

    TrainingTable test = Demos.testSplit(spec);
    Path modelFile = dir.resolve(ChainLayout.MODEL_FILE);
    Metrics before = Demos.evaluate(NaivePipeline.loadUnverified(modelFile), test);
    out.printf(
        Locale.ROOT,
        "naive pipeline, untouched model:  accuracy %.4f, predicted %s%n",
        before.accuracy(),
        Demos.predicted(before));

    ModelTamper.Edit edit = ModelTamper.everyLeafVotesOne(modelFile);
    out.printf(
        Locale.ROOT,
        "attacker: every leaf of the %d trees now votes \"1\" (%d leaves, %d labels rewritten; %d of %d bytes changed, length %s)%n",
        edit.trees(),
        edit.leaves(),
        edit.labelsRewritten(),
        edit.bytesChanged(),
        edit.bytesBefore(),
        edit.bytesAfter() == edit.bytesBefore() ? "unchanged" : "now " + edit.bytesAfter());
    Metrics after = Demos.evaluate(NaivePipeline.loadUnverified(modelFile), test);
    out.printf(
        Locale.ROOT,
        "naive pipeline, tampered model:   accuracy %.4f, predicted %s%n",
        after.accuracy(),
        Demos.predicted(after));

    VerificationException tampered = refusal(policy, dir);
    out.println(
        "custody verify, tampered model: refused: "
            + tampered.reason()
            + ": "
            + tampered.getMessage());

    SigningKey attacker = SigningKey.generate();
    ModelSigning.sign(
        dir,
        dir.resolve(ChainLayout.SIGNATURE_FILE),
        BundleSigner.create(attacker),
        List.of(ChainLayout.ATTESTATIONS));
    VerificationException resigned = refusal(policy, dir);
    out.println(
        "custody verify, re-signed by the attacker's key: refused: "
            + resigned.reason()
            + ": "
            + resigned.getMessage());

    return new Result(
        trained.metrics().accuracy(),
        before.accuracy(),
        after.accuracy(),
        Demos.predicted(before),
        Demos.predicted(after),
        edit,
        tampered,
        resigned);
  }

  private static VerificationException refusal(TrustPolicy policy, Path dir) throws IOException {
    try {
      ChainVerifier.builder(policy).build().verify(dir);
    } catch (VerificationException e) {
      return e;
    }
    throw new IllegalStateException("custody verify accepted a tampered model: " + dir);
  }
}
