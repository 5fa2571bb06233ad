package dev.custody.train.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.custody.train.Ingest;
import dev.custody.train.data.Split;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.fit.CreditData;
import dev.custody.train.fit.ModelContent;
import dev.custody.train.fit.Trainers;
import dev.custody.train.fit.TribuoTables;
import dev.custody.train.spec.Fixtures;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.train.spec.TrainerSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.transform.TransformedModel;

class LbfgsLogisticTrainerTest {

  @Test
  void gradient_matchesFiniteDifferencesOfTheObjective() {
    LbfgsLogisticTrainer.Objective objective = objective(randomRows(60, 4, 3, 11), 3, 0.7);
    int dim = 3 * 5;
    double[] theta = new double[dim];
    SplittableRandom random = new SplittableRandom(5);
    for (int j = 0; j < dim; j++) {
      theta[j] = random.nextDouble(-1, 1);
    }
    double[] gradient = new double[dim];
    objective.valueAndGradient(theta, gradient);

    double h = 1e-6;
    double[] unused = new double[dim];
    for (int j = 0; j < dim; j++) {
      double[] plus = theta.clone();
      double[] minus = theta.clone();
      plus[j] += h;
      minus[j] -= h;
      double numeric =
          (objective.valueAndGradient(plus, unused) - objective.valueAndGradient(minus, unused))
              / (2 * h);
      assertThat(gradient[j]).as("component %d", j).isCloseTo(numeric, within(1e-6));
    }
  }

  @Test
  void denseRows_giveTheSparseSumsToTheBit() {
    LbfgsLogisticTrainer.Rows rows = randomRows(80, 5, 3, 17);
    assertThat(rows.dense()).isTrue();
    LbfgsLogisticTrainer.Objective dense =
        new LbfgsLogisticTrainer.Objective(rows, 3, 0.5, true, null);
    LbfgsLogisticTrainer.Objective sparse =
        new LbfgsLogisticTrainer.Objective(rows, 3, 0.5, false, null);
    double[] theta = new double[3 * 6];
    SplittableRandom random = new SplittableRandom(9);
    for (int j = 0; j < theta.length; j++) {
      theta[j] = random.nextDouble(-1, 1);
    }
    double[] denseGradient = new double[theta.length];
    double[] sparseGradient = new double[theta.length];
    assertThat(dense.valueAndGradient(theta, denseGradient))
        .isEqualTo(sparse.valueAndGradient(theta, sparseGradient));
    assertThat(denseGradient).isEqualTo(sparseGradient);
    assertThat(dense.minimise(1e-8, 50)).isEqualTo(sparse.minimise(1e-8, 50));
  }

  @Test
  void parallelSums_giveTheOneThreadBitsWhateverTheThreadCount() {
    LbfgsLogisticTrainer.Rows rows = randomRows(301, 7, 3, 23);
    LbfgsLogisticTrainer.Objective one = new LbfgsLogisticTrainer.Objective(rows, 3, 0.4);
    double[] theta = new double[3 * 8];
    SplittableRandom random = new SplittableRandom(29);
    for (int j = 0; j < theta.length; j++) {
      theta[j] = random.nextDouble(-2, 2);
    }
    double[] expected = new double[theta.length];
    double expectedValue = one.valueAndGradient(theta, expected);
    double[] expectedMinimum = one.minimise(1e-8, 200);

    for (int threads = 1; threads <= 4; threads++) {
      ForkJoinPool pool = new ForkJoinPool(threads);
      try {
        LbfgsLogisticTrainer.Objective parallel =
            new LbfgsLogisticTrainer.Objective(rows, 3, 0.4, true, pool);
        double[] gradient = new double[theta.length];
        double value = parallel.valueAndGradient(theta, gradient);
        assertThat(Double.doubleToRawLongBits(value))
            .as("%d pool threads", threads)
            .isEqualTo(Double.doubleToRawLongBits(expectedValue));
        assertThat(bits(gradient)).as("%d pool threads", threads).isEqualTo(bits(expected));
        assertThat(bits(parallel.minimise(1e-8, 200)))
            .as("%d pool threads", threads)
            .isEqualTo(bits(expectedMinimum));
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  void parallelSums_refuseSparseRows() {
    ForkJoinPool pool = new ForkJoinPool(1);
    try {
      assertThatThrownBy(
              () -> new LbfgsLogisticTrainer.Objective(randomRows(5, 2, 2, 3), 2, 1, false, pool))
          .isInstanceOf(IllegalArgumentException.class);
    } finally {
      pool.shutdown();
    }
  }

  /**
   * The content digests the trainer gave before its sums were split between threads (main at
   * dbf2410, one thread): credit standardized (summed in parallel on a machine of two or more
   * cores), wine standardized, SMS tokens unstandardized (sparse, one thread).
   */
  @Test
  void train_examples_sameContentDigestsAsTheOneThreadTrainer() throws Exception {
    assertThat(
            ModelContent.digest(
                    Trainers.train(
                        TrainerSpec.LbfgsLogistic.withDefaults(42),
                        CreditData.exampleSplit().train()))
                .toString())
        .isEqualTo("sha256:d9962f1ccbe135e12baa97375e5151816a39b3beb754e1383adcd16346a4400a");
    assertThat(
            ModelContent.digest(
                    Trainers.train(
                        TrainerSpec.LbfgsLogistic.withDefaults(7),
                        exampleSplit("wine-logistic.yaml").train()))
                .toString())
        .isEqualTo("sha256:a7aa0387144f184d551b95ff9b20153a0a6605575814ea9e6b7c7493fce64bd9");
    assertThat(
            ModelContent.digest(
                    Trainers.train(
                        new TrainerSpec.LbfgsLogistic(1.0, 1e-4, 100, false, 7),
                        exampleSplit("sms-spam.yaml").train()))
                .toString())
        .isEqualTo("sha256:89917c4f7eeeb15f9a4a561dcc42501b40c9a658f0863b3244b11602e2ff32ba");
  }

  @Test
  void rowsMissingAFeature_areNotDense() {
    LbfgsLogisticTrainer.Rows rows =
        new LbfgsLogisticTrainer.Rows(
            new int[] {0, 2, 3},
            new int[] {0, 1, 1},
            new double[] {1, 2, 3},
            new int[] {0, 1},
            new double[] {1, 1},
            3);
    assertThat(rows.dense()).isFalse();
  }

  @Test
  void minimise_endsAtTheMinimum() {
    LbfgsLogisticTrainer.Objective objective = objective(randomRows(200, 6, 3, 3), 3, 1.0);

    double[] theta = objective.minimise(1e-6, 500);

    double[] gradient = new double[theta.length];
    objective.valueAndGradient(theta, gradient);
    // It may stop first on a relative decrease below 2.2e-9 (SciPy's rule), near the minimum.
    for (double g : gradient) {
      assertThat(Math.abs(g)).isLessThanOrEqualTo(1e-5);
    }
  }

  @Test
  void train_unstandardized_isStockLinearModelWhoseScoresAreSoftmaxOfWeightsAndBias()
      throws Exception {
    TrainingTable table = tokens();

    Model<Label> model =
        Trainers.train(new TrainerSpec.LbfgsLogistic(1.0, 1e-6, 200, false, 1), table);

    assertThat(model).isExactlyInstanceOf(LinearSGDModel.class);
    assertThat(model.generatesProbabilities()).isTrue();
    DenseMatrix w = ((LinearSGDModel) model).getWeightsCopy();
    assertThat(w.getDimension2Size()).isEqualTo(model.getFeatureIDMap().size() + 1);
    for (Prediction<Label> p : model.predict(TribuoTables.examples(table))) {
      double[] z = new double[2];
      for (int k = 0; k < 2; k++) {
        z[k] = w.get(k, model.getFeatureIDMap().size()); // the bias, last
        for (var f : p.getExample()) {
          z[k] += w.get(k, model.getFeatureIDMap().getID(f.getName())) * f.getValue();
        }
      }
      double spam = 1 / (1 + Math.exp(z[idOf(model, "ham")] - z[idOf(model, "spam")]));
      assertThat(p.getOutputScores().get("spam").getScore()).isCloseTo(spam, within(1e-12));
    }
  }

  @Test
  void train_sameSpecAndRows_sameContentDigest_trainingTwiceInOneJvm() throws Exception {
    TrainingTable rows = CreditData.exampleSplit().train();
    TrainerSpec spec = TrainerSpec.LbfgsLogistic.withDefaults(42);

    assertThat(ModelContent.digest(Trainers.train(spec, rows)))
        .isEqualTo(ModelContent.digest(Trainers.train(spec, rows)));
  }

  @Test
  void train_creditExample_standardizedReachesFloorAndSgdLogisticAccuracy() throws Exception {
    Split split = CreditData.exampleSplit();

    Model<Label> lbfgs = Trainers.train(TrainerSpec.LbfgsLogistic.withDefaults(42), split.train());
    Model<Label> sgd =
        Trainers.train(TrainerSpec.LogisticRegression.withDefaults(42), split.train());

    assertThat(lbfgs).isInstanceOf(TransformedModel.class);
    double accuracy = accuracy(lbfgs, split.test());
    assertThat(accuracy).isGreaterThanOrEqualTo(0.805);
    assertThat(accuracy).isGreaterThanOrEqualTo(accuracy(sgd, split.test()) - 0.005);
  }

  @Test
  void train_wineExample_asAccurateAsSgdLogistic() throws Exception {
    Split split = exampleSplit("wine-logistic.yaml");

    double lbfgs =
        accuracy(Trainers.train(TrainerSpec.LbfgsLogistic.withDefaults(7), split.train()), split);
    double sgd =
        accuracy(
            Trainers.train(new TrainerSpec.LogisticRegression(0.1, 50, 1, true, 7), split.train()),
            split);

    assertThat(lbfgs).isGreaterThanOrEqualTo(0.9).isGreaterThanOrEqualTo(sgd - 0.03);
  }

  @Test
  void train_smsExample_sparseTokensAsAccurateAsSgdLogistic() throws Exception {
    Split split = exampleSplit("sms-spam.yaml");

    double lbfgs =
        accuracy(
            Trainers.train(new TrainerSpec.LbfgsLogistic(1.0, 1e-4, 100, false, 7), split.train()),
            split);
    double sgd =
        accuracy(
            Trainers.train(new TrainerSpec.LogisticRegression(0.1, 10, 1, false, 7), split.train()),
            split);

    assertThat(lbfgs).isGreaterThanOrEqualTo(0.98).isGreaterThanOrEqualTo(sgd - 0.01);
  }

  @Test
  void constructor_outOfRangeParameter_namesIt() {
    assertThatThrownBy(() -> new LbfgsLogisticTrainer(-1, 1e-4, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("l2:");
    assertThatThrownBy(() -> new LbfgsLogisticTrainer(1, 0, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("tolerance:");
    assertThatThrownBy(() -> new LbfgsLogisticTrainer(1, 1e-4, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("maxIterations:");
  }

  private static long[] bits(double[] values) {
    long[] out = new long[values.length];
    for (int j = 0; j < values.length; j++) {
      out[j] = Double.doubleToRawLongBits(values[j]);
    }
    return out;
  }

  private static int idOf(Model<Label> model, String label) {
    return model.getOutputIDInfo().getID(new Label(label));
  }

  /** The example's split of an example spec, ingested without its screens (they are not tested). */
  private static Split exampleSplit(String name) throws Exception {
    Path examples = Fixtures.projectRoot().resolve("examples");
    String yaml = Files.readString(examples.resolve(name), StandardCharsets.UTF_8);
    int screens = yaml.indexOf("\nscreens:");
    int gates = yaml.indexOf("\ngates:");
    String unscreened =
        yaml.substring(0, screens) + (gates > screens ? yaml.substring(gates) : "\n");
    PipelineSpec spec =
        PipelineSpec.parse(unscreened.getBytes(StandardCharsets.UTF_8), examples, name);
    return Ingest.create().run(spec).split();
  }

  private static double accuracy(Model<Label> model, Split split) {
    return accuracy(model, split.test());
  }

  private static double accuracy(Model<Label> model, TrainingTable test) {
    int right = 0;
    for (Prediction<Label> p : model.predict(TribuoTables.examples(test))) {
      right += p.getOutput().getLabel().equals(p.getExample().getOutput().getLabel()) ? 1 : 0;
    }
    return (double) right / test.rows().size();
  }

  private static TrainingTable tokens() {
    return new TrainingTable(
        List.of("call", "free", "hi", "now"),
        List.of("ham", "spam"),
        List.of(
            new TrainingTable.Row(1, "spam", List.of("free", "now"), List.of(1.0, 2.0)),
            new TrainingTable.Row(2, "ham", List.of("hi"), List.of(1.0)),
            new TrainingTable.Row(3, "ham", List.of("call", "hi"), List.of(1.0, 1.0)),
            new TrainingTable.Row(4, "spam", List.of("call", "free"), List.of(1.0, 1.0)),
            new TrainingTable.Row(5, "ham", List.of("now"), List.of(1.0))));
  }

  private static LbfgsLogisticTrainer.Objective objective(
      LbfgsLogisticTrainer.Rows rows, int classes, double l2) {
    return new LbfgsLogisticTrainer.Objective(rows, classes, l2);
  }

  /** {@code n} dense rows of {@code d} features and random labels and weights. */
  private static LbfgsLogisticTrainer.Rows randomRows(int n, int d, int classes, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] start = new int[n + 1];
    int[] feature = new int[n * d];
    double[] value = new double[n * d];
    int[] label = new int[n];
    double[] weight = new double[n];
    for (int i = 0; i < n; i++) {
      label[i] = random.nextInt(classes);
      weight[i] = random.nextDouble(0.5, 2);
      for (int j = 0; j < d; j++) {
        feature[i * d + j] = j;
        value[i * d + j] = random.nextGaussian() + (j == label[i] ? 1 : 0);
      }
      start[i + 1] = (i + 1) * d;
    }
    return new LbfgsLogisticTrainer.Rows(start, feature, value, label, weight, d + 1);
  }
}
