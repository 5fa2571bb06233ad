package dev.custody.verify;

import dev.custody.core.Sha256;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.dtree.impurity.GiniIndex;
import org.tribuo.classification.ensemble.FullyWeightedVotingCombiner;
import org.tribuo.classification.ensemble.VotingCombiner;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.ensemble.BaggingTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.transformations.MeanStdDevTransformation;

/** Small real Tribuo models, trained on seeded synthetic data, for the loader's tests. */
final class TestModels {
  /** Numeric columns, a small-count column and a one-hot categorical, as ingest produces them. */
  static final List<String> FEATURES =
      List.of(
          "age",
          "balance",
          "debt",
          "dependents",
          "income",
          "purpose@car",
          "purpose@education",
          "purpose@home");

  private static final String[] PURPOSES = {"purpose@car", "purpose@education", "purpose@home"};
  static final List<String> LABELS = List.of("approve", "deny", "review");
  static final long SEED = 42L;
  static final String SIGNER =
      "https://github.com/acme/models/.github/workflows/train.yml@refs/heads/main";

  private static final OffsetDateTime CREATED =
      OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
  private static final LabelFactory LABEL_FACTORY = new LabelFactory();

  /**
   * The model types Custody supports: the shapes Tribuo's stock trainers write, and the exact
   * trainer configurations pipeline-train's {@code Trainers} uses (standardized logistic regression
   * in a {@code TransformTrainer}; a {@code RandomForestTrainer} with a fully weighted vote).
   */
  enum Kind {
    LOGISTIC_REGRESSION,
    CART,
    RANDOM_FOREST,
    CUSTODY_STANDARDIZED_LOGISTIC_REGRESSION,
    CUSTODY_RANDOM_FOREST;

    Model<Label> train() {
      MutableDataset<Label> data = dataset(SEED, 300);
      return switch (this) {
        case LOGISTIC_REGRESSION -> new LogisticRegressionTrainer().train(data);
        case CART -> new CARTClassificationTrainer(6).train(data);
        case RANDOM_FOREST ->
            new BaggingTrainer<>(
                    new CARTClassificationTrainer(4, 0.75f, SEED), new VotingCombiner(), 3, SEED)
                .train(data);
        case CUSTODY_STANDARDIZED_LOGISTIC_REGRESSION ->
            new TransformTrainer<>(
                    new LinearSGDTrainer(
                        new LogMulticlass(), new AdaGrad(0.1, 0.1), 5, -1, 1, SEED),
                    new TransformationMap(
                        Map.of(Pattern.quote("income"), List.of(new MeanStdDevTransformation()))),
                    true,
                    false)
                .train(data);
        case CUSTODY_RANDOM_FOREST ->
            new RandomForestTrainer<>(
                    new CARTClassificationTrainer(4, 5f, 0f, 0.5f, false, new GiniIndex(), SEED),
                    new FullyWeightedVotingCombiner(),
                    3,
                    SEED)
                .train(data);
      };
    }
  }

  private TestModels() {}

  /** {@code rows} labelled rows over {@link #FEATURES}, every label present. */
  static MutableDataset<Label> dataset(long seed, int rows) {
    MutableDataset<Label> data =
        new MutableDataset<>(
            new SimpleDataSourceProvenance("synthetic credit rows", CREATED, LABEL_FACTORY),
            LABEL_FACTORY);
    for (Example<Label> e : examples(seed, rows)) {
      data.add(e);
    }
    return data;
  }

  /** Unlabelled-looking fresh rows to compare predictions on. */
  static List<Example<Label>> examples(long seed, int rows) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Example<Label>> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      double age = 18 + random.nextDouble() * 60;
      double balance = random.nextDouble() * 10_000;
      double debt = random.nextDouble() * 20_000;
      double income = 10_000 + random.nextDouble() * 90_000;
      int dependents = random.nextInt(5);
      int purpose = random.nextInt(PURPOSES.length);
      double score =
          income / 1000
              + balance / 500
              - debt / 400
              - 3 * dependents
              + 5 * purpose
              + random.nextGaussian() * 5;
      String label = score > 60 ? "approve" : score < 20 ? "deny" : "review";
      // Sorted names; the one-hot column is present only for the row's category.
      out.add(
          new ArrayExample<>(
              new Label(label),
              new String[] {"age", "balance", "debt", "dependents", "income", PURPOSES[purpose]},
              new double[] {age, balance, debt, dependents, income, 1.0}));
    }
    return out;
  }

  static byte[] bytes(Model<?> model) {
    return model.serialize().toByteArray();
  }

  static VerifiedArtifact verified(byte[] content) {
    return new VerifiedArtifact(content, Sha256.of(content), SIGNER);
  }

  static ModelExpectations expectations() {
    return ModelExpectations.of(LABELS, FEATURES);
  }
}
