package dev.custody.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.verify.Prediction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.dtree.impurity.GiniIndex;
import org.tribuo.classification.ensemble.FullyWeightedVotingCombiner;
import org.tribuo.classification.ensemble.VotingCombiner;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.ensemble.WeightedEnsembleModel;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Each model type the server compiles predicts exactly (label and every score, {@code
 * Double.equals}) what Tribuo predicts, on rows it was not trained on; the others are left to
 * Tribuo. Three labels, a feature often absent (read as 0), one-hot features and explicit zeros.
 */
class CompiledTreesTest {
  private static MutableDataset<Label> train;
  private static List<Row> test;

  /** One encoded row: sorted feature names and their values. */
  @SuppressWarnings("ArrayRecordComponent") // a test value, never compared
  private record Row(String[] names, double[] values) {}

  @BeforeAll
  static void data() {
    LabelFactory f = new LabelFactory();
    train = new MutableDataset<>(new SimpleDataSourceProvenance("synthetic", f), f);
    Random r = new Random(42);
    for (int i = 0; i < 1_500; i++) {
      Row row = row(r);
      train.add(new ArrayExample<>(new Label(label(row, r)), row.names(), row.values()));
    }
    test = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      test.add(row(r));
    }
  }

  private static Row row(Random r) {
    double a = Math.round(r.nextGaussian() * 100) / 10.0;
    boolean hasB = r.nextInt(4) != 0;
    String c = r.nextBoolean() ? "c@x" : "c@y";
    return hasB
        ? new Row(new String[] {"a", "b", c}, new double[] {a, r.nextInt(5) * 0.5, 1.0})
        : new Row(new String[] {"a", c}, new double[] {a, r.nextInt(3) == 0 ? 0.0 : 1.0});
  }

  private static String label(Row row, Random r) {
    double a = row.values()[0];
    String l = a > 3 ? "high" : a < -3 ? "low" : "mid";
    return r.nextInt(5) == 0 ? List.of("high", "low", "mid").get(r.nextInt(3)) : l;
  }

  @Test
  void of_cart_predictsAsTribuo() {
    assertPredictsAsTribuo(new CARTClassificationTrainer(6).train(train));
  }

  @Test
  void of_randomForest_predictsAsTribuo() {
    assertPredictsAsTribuo(
        new RandomForestTrainer<>(
                new CARTClassificationTrainer(4, 5, 0.0f, 0.5f, false, new GiniIndex(), 7L),
                new FullyWeightedVotingCombiner(),
                9,
                7L)
            .train(train));
  }

  @Test
  void of_weightedEnsemble_predictsAsTribuo() {
    List<Model<Label>> members = new ArrayList<>();
    for (int depth = 2; depth <= 4; depth++) {
      members.add(new CARTClassificationTrainer(depth).train(train));
    }
    assertPredictsAsTribuo(
        WeightedEnsembleModel.createEnsembleFromExistingModels(
            "weighted",
            members,
            new FullyWeightedVotingCombiner(),
            new float[] {0.25f, 1.5f, 0.7f}));
  }

  @Test
  void of_forestWithMajorityVote_isLeftToTribuo() {
    Model<Label> m =
        new RandomForestTrainer<>(
                new CARTClassificationTrainer(3, 5, 0.0f, 0.5f, false, new GiniIndex(), 7L),
                new VotingCombiner(),
                3,
                7L)
            .train(train);
    assertThat(CompiledTrees.of(m)).isEmpty();
  }

  @Test
  void of_logisticRegression_isLeftToTribuo() {
    Model<Label> m =
        new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.1, 0.1), 2, 7L).train(train);
    assertThat(CompiledTrees.of(m)).isEmpty();
  }

  @Test
  void predict_noKnownFeature_leavesItToTribuo() {
    Model<Label> m = new CARTClassificationTrainer(6).train(train);
    CompiledTrees c = CompiledTrees.of(m).orElseThrow();
    Row unknown = new Row(new String[] {"zzz"}, new double[] {1.0});

    assertThat(predict(c, unknown)).isNull();
    assertThatThrownBy(() -> tribuo(m, unknown)).isInstanceOf(IllegalArgumentException.class);
  }

  private static void assertPredictsAsTribuo(Model<Label> model) {
    CompiledTrees c = CompiledTrees.of(model).orElseThrow();
    int distinct = 0;
    String first = null;
    for (Row row : test) {
      Prediction expected = tribuo(model, row);
      assertThat(predict(c, row))
          .as("row %s %s", Arrays.toString(row.names()), Arrays.toString(row.values()))
          .isEqualTo(expected);
      // In class order, with a class the model does not have: the same label and scores.
      List<String> classes = List.of("mid", "absent", "low", "high");
      double[] scores = new double[1 + classes.size()];
      String label =
          c.predict(
              row.names().length,
              i -> row.names()[i],
              i -> row.values()[i],
              c.ids(classes),
              scores,
              1);
      assertThat(label).isEqualTo(expected.label());
      for (int k = 0; k < classes.size(); k++) {
        assertThat(scores[1 + k])
            .as("score of %s", classes.get(k))
            .isEqualTo(expected.scores().getOrDefault(classes.get(k), 0.0));
      }
      if (first == null) {
        first = expected.label();
      } else if (!first.equals(expected.label())) {
        distinct++;
      }
    }
    assertThat(distinct).as("the rows get more than one label").isPositive();
  }

  private static Prediction predict(CompiledTrees c, Row row) {
    return c.predict(row.names().length, i -> row.names()[i], i -> row.values()[i]);
  }

  /** Tribuo's prediction, as VerifiedModel turns it into the server's. */
  private static Prediction tribuo(Model<Label> model, Row row) {
    org.tribuo.Prediction<Label> p =
        model.predict(new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, row.names(), row.values()));
    TreeMap<String, Double> scores = new TreeMap<>();
    p.getOutputScores().forEach((name, l) -> scores.put(name, l.getScore()));
    return new Prediction(p.getOutput().getLabel(), scores);
  }
}
