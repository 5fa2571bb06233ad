package dev.custody.examples;

import dev.custody.core.BundleSigner;
import dev.custody.core.SigningKey;
import dev.custody.core.chain.Stage;
import dev.custody.train.Pipeline;
import dev.custody.train.StageSigners;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.DeserializationFilter;
import dev.custody.verify.Prediction;
import dev.custody.verify.TrustPolicy;
import dev.custody.verify.VerifiedModel;
import java.nio.file.Path;
import java.util.Map;

/**
 * The library end to end on the real credit data: train and sign ({@code examples/credit-rf.yaml}),
 * verify the whole chain and load the model from the verified bytes, and predict on a raw input
 * row. The README's "The library" snippet is the body of {@link #run}.
 *
 * <p>Usage: {@code TrainVerifyPredict [ROOT [WORK_DIR]]}
 */
public final class TrainVerifyPredict {
  private TrainVerifyPredict() {}

  public static void main(String[] args) throws Exception {
    DeserializationFilter.install(); // first thing: before anything creates an ObjectInputStream
    Prediction p = run(Demos.root(args), Demos.work(args, "library-"));
    System.out.println("predicted " + p.label() + " " + p.scores());
  }

  /** Trains, signs, verifies, loads and predicts one raw row, in {@code work}. */
  static Prediction run(Path root, Path work) throws Exception {
    SigningKey key = SigningKey.generate();
    TrustPolicy.Builder trust = TrustPolicy.builder(); // who may sign each stage
    for (Stage stage : Stage.values()) trust.trustKey(stage, key.publicKey());
    TrustPolicy policy = trust.build();

    PipelineSpec spec = PipelineSpec.load(root.resolve("examples/credit-rf.yaml"));
    Path modelDir = work.resolve("credit-rf-v1"); // ingest, train, gates, signed export
    Pipeline.builder()
        .build()
        .run(spec, policy, StageSigners.of(BundleSigner.create(key)), modelDir);

    VerifiedModel model = ChainVerifier.builder(policy).build().verify(modelDir).load();
    return model.predict(
        Map.of( // raw values, as the spec's schema names them
            "LIMIT_BAL",
            "50000",
            "SEX",
            "2",
            "AGE",
            "35",
            "PAY_0",
            "2",
            "PAY_2",
            "2",
            "PAY_3",
            "2",
            "BILL_AMT1",
            "48000",
            "BILL_AMT2",
            "47000",
            "PAY_AMT1",
            "0"));
  }
}
