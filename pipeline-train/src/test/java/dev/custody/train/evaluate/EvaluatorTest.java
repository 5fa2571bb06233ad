package dev.custody.train.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.custody.train.data.TrainingTable;
import dev.custody.train.fit.TinyTable;
import dev.custody.train.fit.Trainers;
import dev.custody.train.fit.TribuoTables;
import dev.custody.train.spec.TrainerSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.classification.Label;

class EvaluatorTest {

  @Test
  void compute_threeLabels_matchesHandCounts() {
    List<String> truth = List.of("a", "a", "a", "b", "b", "c");
    List<String> predicted = List.of("a", "a", "b", "b", "c", "c");

    Metrics m = Evaluator.compute(List.of("a", "b", "c"), "a", truth, predicted, new double[6]);

    assertThat(m.rows()).isEqualTo(6);
    assertThat(m.accuracy()).isCloseTo(4 / 6.0, within(1e-12));
    assertThat(m.confusion().counts())
        .containsExactly(List.of(2L, 1L, 0L), List.of(0L, 1L, 1L), List.of(0L, 0L, 1L));
    assertThat(m.of("a")).isEqualTo(new Metrics.ClassMetrics("a", 1.0, 2 / 3.0, 0.8, 3));
    assertThat(m.of("b").precision()).isCloseTo(0.5, within(1e-12));
    assertThat(m.of("b").recall()).isCloseTo(0.5, within(1e-12));
    assertThat(m.of("c").precision()).isCloseTo(0.5, within(1e-12));
    assertThat(m.of("c").f1()).isCloseTo(2 / 3.0, within(1e-12));
  }

  @Test
  void compute_labelNeverPredicted_hasZeroPrecisionAndF1() {
    Metrics m =
        Evaluator.compute(
            List.of("0", "1"), "1", List.of("0", "1"), List.of("0", "0"), new double[2]);

    assertThat(m.of("1")).isEqualTo(new Metrics.ClassMetrics("1", 0.0, 0.0, 0.0, 1));
  }

  @Test
  void rocAuc_distinctScores_matchesScikitLearnExample() {
    // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    double auc =
        Evaluator.rocAuc(
            new double[] {0.1, 0.4, 0.35, 0.8}, new boolean[] {false, false, true, true});

    assertThat(auc).isCloseTo(0.75, within(1e-12));
  }

  @Test
  void rocAuc_tiedScores_countHalf() {
    // one positive ties a negative at 0.5 and beats the other at 0.2: (1 + 0.5) / 2
    double auc = Evaluator.rocAuc(new double[] {0.5, 0.5, 0.2}, new boolean[] {true, false, false});

    assertThat(auc).isCloseTo(0.75, within(1e-12));
  }

  @Test
  void rocAuc_onlyOneClass_isNaN_andNullInJson() {
    Metrics m =
        Evaluator.compute(
            List.of("0", "1"), "1", List.of("0", "0"), List.of("0", "1"), new double[] {0.1, 0.9});

    assertThat(m.rocAuc()).isNaN();
    assertThat(m.toJson()).contains("\"rocAuc\":null");
  }

  @Test
  void toJson_keysInFixedOrder() {
    Metrics m =
        Evaluator.compute(
            List.of("0", "1"), "1", List.of("0", "1"), List.of("0", "1"), new double[] {0.2, 0.7});

    assertThat(m.toJson())
        .isEqualTo(
            "{\"rows\":2,\"accuracy\":1.0,\"positiveLabel\":\"1\",\"rocAuc\":1.0,"
                + "\"classes\":[{\"label\":\"0\",\"precision\":1.0,\"recall\":1.0,\"f1\":1.0,"
                + "\"support\":1},{\"label\":\"1\",\"precision\":1.0,\"recall\":1.0,\"f1\":1.0,"
                + "\"support\":1}],\"confusion\":{\"labels\":[\"0\",\"1\"],"
                + "\"counts\":[[1,0],[0,1]]}}");
  }

  @Test
  void compute_predictionOutsideLabels_throws() {
    assertThatThrownBy(
            () ->
                Evaluator.compute(
                    List.of("0", "1"), "1", List.of("0"), List.of("2"), new double[1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'2'");
  }

  @Test
  void evaluate_positiveLabelNotInTable_throws() throws Exception {
    TrainingTable table = TinyTable.create();
    Model<Label> model = Trainers.train(new TrainerSpec.Cart(2, 1f, 0f, 1), table);

    assertThatThrownBy(() -> Evaluator.evaluate(model, table, "yes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive label 'yes'");
  }

  @Test
  void evaluate_separableRows_perfectScores() throws Exception {
    TrainingTable table = TinyTable.create();
    Model<Label> model = Trainers.train(TrainerSpec.LogisticRegression.withDefaults(1), table);

    Metrics m = Evaluator.evaluate(model, table, "hi");

    assertThat(m.accuracy()).isEqualTo(1.0);
    assertThat(m.rocAuc()).isEqualTo(1.0);
    assertThat(m.confusion().count("hi", "hi")).isEqualTo(4);
  }

  @Test
  void evaluation_everyRow_keepsTribuoPredictionsTheMetricsCameFrom() throws Exception {
    TrainingTable table = TinyTable.create();
    Model<Label> model = Trainers.train(TrainerSpec.LogisticRegression.withDefaults(1), table);
    List<org.tribuo.Prediction<Label>> tribuo = model.predict(TribuoTables.examples(table));

    Evaluation e = Evaluator.evaluation(model, table, "hi");

    assertThat(e.metrics()).isEqualTo(Evaluator.evaluate(model, table, "hi"));
    assertThat(e.predictions()).hasSameSizeAs(table.rows());
    for (int i = 0; i < tribuo.size(); i++) {
      RowPrediction p = e.predictions().get(i);
      assertThat(p.row()).isSameAs(table.rows().get(i));
      assertThat(p.label()).isEqualTo(tribuo.get(i).getOutput().getLabel());
      Map<String, Double> scores = new HashMap<>();
      tribuo.get(i).getOutputScores().forEach((label, l) -> scores.put(label, l.getScore()));
      assertThat(p.scores()).isEqualTo(scores).containsOnlyKeys(table.labels());
    }
  }
}
