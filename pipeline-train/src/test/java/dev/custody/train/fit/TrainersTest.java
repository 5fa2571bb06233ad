package dev.custody.train.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.spec.TrainerSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.transform.TransformedModel;

class TrainersTest {

  @Test
  void train_rowsOfOneLabel_throwsTrainingFailed() {
    TrainingTable table =
        new TrainingTable(
            List.of("x"),
            List.of("a", "b"),
            List.of(
                new TrainingTable.Row(2, "a", List.of("x"), List.of(1.0)),
                new TrainingTable.Row(3, "a", List.of("x"), List.of(2.0))));

    assertThatThrownBy(() -> Trainers.train(new TrainerSpec.Cart(3, 1f, 0f, 1), table))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRAINING_FAILED))
        .hasMessageContaining("at least two labels");
  }

  @Test
  void train_forestDefaultFractionOnOneFeature_throwsSpecInvalid() {
    TrainerSpec forest = new TrainerSpec.RandomForest(3, 2, 1f, null, 1);

    assertThatThrownBy(() -> Trainers.train(forest, TinyTable.create()))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.SPEC_INVALID))
        .hasMessageContaining("trainer.params.featureFraction")
        .hasMessageContaining("for 1 feature(s)");
  }

  @Test
  void train_unstandardizedLogisticRowOfTokensNoTrainingRowHas_predictsFromTheBias()
      throws Exception {
    // The table's features include "rare", which only a held-out row has.
    TrainingTable table =
        new TrainingTable(
            List.of("free", "hi", "rare"),
            List.of("ham", "spam"),
            List.of(
                new TrainingTable.Row(1, "spam", List.of("free"), List.of(1.0)),
                new TrainingTable.Row(2, "ham", List.of("hi"), List.of(1.0)),
                new TrainingTable.Row(3, "ham", List.of("hi"), List.of(2.0))));
    Model<Label> model =
        Trainers.train(new TrainerSpec.LogisticRegression(0.1, 5, 1, false, 7), table);
    TrainingTable heldOut =
        new TrainingTable(
            table.featureNames(),
            table.labels(),
            List.of(new TrainingTable.Row(4, "spam", List.of("rare"), List.of(1.0))));

    Prediction<Label> p = model.predict(TribuoTables.examples(heldOut).get(0));

    assertThat(model).isNotInstanceOf(TransformedModel.class);
    assertThat(p.getOutputScores()).containsOnlyKeys("ham", "spam");
  }

  @Test
  void featureFractionFor_unset_isSqrtOfFeaturesOverFeatures() {
    assertThat(new TrainerSpec.RandomForest(3, 2, 1f, null, 1).featureFractionFor(4))
        .isEqualTo(0.5f);
    assertThat(new TrainerSpec.RandomForest(3, 2, 1f, 0.25f, 1).featureFractionFor(4))
        .isEqualTo(0.25f);
  }

  @Test
  void train_noRows_throwsTrainingFailed() {
    TrainingTable empty = new TrainingTable(List.of("x"), List.of("a", "b"), List.of());

    assertThatThrownBy(() -> Trainers.train(TrainerSpec.LogisticRegression.withDefaults(1), empty))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TRAINING_FAILED));
  }

  @Test
  void train_rowWithUndeclaredLabel_throwsIllegalArgument() {
    TrainingTable table =
        new TrainingTable(
            List.of("x"),
            List.of("a", "b"),
            List.of(
                new TrainingTable.Row(2, "a", List.of("x"), List.of(1.0)),
                new TrainingTable.Row(3, "c", List.of("x"), List.of(2.0))));

    assertThatThrownBy(() -> Trainers.train(new TrainerSpec.Cart(3, 1f, 0f, 1), table))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 3")
        .hasMessageContaining("'c'");
  }

  @Test
  void train_standardizedWithConstantSparseAndRegexNamedFeatures_predictsFinite() throws Exception {
    // "k" is constant (unscalable), "s.p" is sparse (absent means 0), "(r+)" reads as a regex.
    List<TrainingTable.Row> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String label = i % 2 == 0 ? "even" : "odd";
      List<String> names = new ArrayList<>(List.of("(r+)", "k"));
      List<Double> values = new ArrayList<>(List.of(i % 2 * 10.0 + i / 40.0, 3.0));
      if (i % 3 == 0) {
        names.add("s.p");
        values.add(5.0);
      }
      rows.add(new TrainingTable.Row(i + 2, label, names, values));
    }
    TrainingTable table =
        new TrainingTable(List.of("(r+)", "k", "s.p"), List.of("even", "odd"), rows);

    Model<Label> model = Trainers.train(TrainerSpec.LogisticRegression.withDefaults(5), table);

    assertThat(model).isInstanceOf(TransformedModel.class);
    assertThat(Trainers.varyingFeatures(table)).containsExactly("(r+)", "s.p");
    List<Prediction<Label>> predictions = model.predict(TribuoTables.examples(table));
    for (Prediction<Label> p : predictions) {
      assertThat(p.getOutputScores().values()).allSatisfy(l -> assertThat(l.getScore()).isFinite());
    }
    assertThat(predictions)
        .extracting(p -> p.getOutput().getLabel())
        .containsExactlyElementsOf(table.rows().stream().map(TrainingTable.Row::label).toList());
  }

  @Test
  void varyingFeatures_countAnAbsentFeatureAsZero() {
    TrainingTable table =
        new TrainingTable(
            List.of("always", "sometimes", "zeroWhenPresent", "moves"),
            List.of("a", "b"),
            List.of(
                new TrainingTable.Row(
                    1,
                    "a",
                    List.of("always", "moves", "sometimes", "zeroWhenPresent"),
                    List.of(3.0, 1.0, 2.0, 0.0)),
                new TrainingTable.Row(2, "b", List.of("always", "moves"), List.of(3.0, 2.0))));

    // "sometimes" is 2 in one row and absent (0) in the other; "zeroWhenPresent" is 0 in both.
    assertThat(Trainers.varyingFeatures(table)).containsExactly("moves", "sometimes");
  }

  @Test
  void train_freshTrainerEachCall_sameModelContent() throws Exception {
    TrainingTable table = TinyTable.create();
    TrainerSpec spec = new TrainerSpec.RandomForest(4, 2, 1f, 0.5f, 9);

    assertThat(ModelContent.digest(Trainers.train(spec, table)))
        .isEqualTo(ModelContent.digest(Trainers.train(spec, table)));
  }

  @Test
  void specs_invalidParameters_throwNamingTheParameter() {
    assertThatThrownBy(() -> new TrainerSpec.LogisticRegression(0, 5, 1, true, 1))
        .hasMessageContaining("learningRate");
    assertThatThrownBy(() -> new TrainerSpec.LogisticRegression(0.1, 0, 1, true, 1))
        .hasMessageContaining("epochs");
    assertThatThrownBy(() -> new TrainerSpec.Cart(0, 1f, 0f, 1)).hasMessageContaining("maxDepth");
    assertThatThrownBy(() -> new TrainerSpec.Cart(3, Float.NaN, 0f, 1))
        .hasMessageContaining("minLeaf");
    assertThatThrownBy(() -> new TrainerSpec.Cart(3, 1f, -1f, 1))
        .hasMessageContaining("minImpurityDecrease");
    assertThatThrownBy(() -> new TrainerSpec.RandomForest(0, 3, 1f, 0.5f, 1))
        .hasMessageContaining("trees");
    assertThatThrownBy(() -> new TrainerSpec.RandomForest(5, 3, 1f, 1f, 1))
        .hasMessageContaining("featureFraction");
  }
}
