package dev.custody.train.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.PipelineException;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.spec.TrainerSpec;
import dev.custody.train.tree.FeatureColumns;
import dev.custody.train.tree.HistForestTrainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.ensemble.WeightedEnsembleModel;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * hist-forest trained straight from a table's columns ({@link FeatureColumns}, what {@link
 * Trainers#train} does) makes the model that training on the Tribuo dataset of the same table made:
 * the same content digest, feature map, label map and dataset provenance, over several tables,
 * settings and seeds.
 */
class HistForestColumnsTest {
  private record Case(int trees, int depth, float minLeaf, float fraction, int bins, long seed) {}

  private static final List<Case> CASES =
      List.of(
          new Case(5, 3, 100f, 0.5f, 256, 42),
          new Case(5, 3, 100f, 0.5f, 256, 7),
          new Case(3, 6, 5f, 1.0f, 32, 1),
          new Case(4, 4, 20f, 0.3f, 256, 2024));

  /** Both paths' models, the dataset built with the same source provenance as the columns. */
  private static void assertSameModels(TrainingTable table, Case c) throws Exception {
    SimpleDataSourceProvenance source = TribuoTables.sourceProvenance(table);
    FeatureColumns columns = FeatureColumns.of(table, source).orElseThrow();
    WeightedEnsembleModel<Label> fromColumns = trainer(c).train(columns, Map.of());
    WeightedEnsembleModel<Label> fromDataset =
        trainer(c).train(TribuoTables.dataset(table, false, source), Map.of());

    assertThat(ModelContent.digest(fromColumns))
        .as("content digest, %s", c)
        .isEqualTo(ModelContent.digest(fromDataset));
    assertThat(fromColumns.getFeatureIDMap().serialize().toByteArray())
        .isEqualTo(fromDataset.getFeatureIDMap().serialize().toByteArray());
    assertThat(fromColumns.getOutputIDInfo().serialize().toByteArray())
        .isEqualTo(fromDataset.getOutputIDInfo().serialize().toByteArray());
    assertThat(fromColumns.getProvenance().getDatasetProvenance())
        .isEqualTo(fromDataset.getProvenance().getDatasetProvenance());
    for (int i = 0; i < fromColumns.getModels().size(); i++) {
      assertThat(fromColumns.getModels().get(i).getProvenance().getDatasetProvenance())
          .isEqualTo(fromDataset.getModels().get(i).getProvenance().getDatasetProvenance());
    }
  }

  private static HistForestTrainer trainer(Case c) {
    return new HistForestTrainer(
        c.trees(), c.depth(), c.minLeaf(), c.fraction(), c.bins(), c.seed(), 2);
  }

  @Test
  void train_fromColumns_sameModelAsFromDataset_creditSplits() throws Exception {
    for (Case c : CASES) {
      assertSameModels(CreditData.split().train(), c);
      assertSameModels(CreditData.exampleSplit().train(), c);
    }
  }

  /**
   * Sparse rows (absent features, the first row lacking some), weights below 1, a constant column,
   * a feature no row holds and more distinct values than bins.
   */
  @Test
  void train_fromColumns_sameModelAsFromDataset_sparseWeightedTable() throws Exception {
    SplittableRandom random = new SplittableRandom(11);
    List<String> features = List.of("a", "b", "c", "const", "never", "wide");
    List<TrainingTable.Row> rows = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      List<String> names = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      double a = random.nextInt(5);
      if (i > 0 || random.nextBoolean()) {
        names.add("a");
        values.add(a);
      }
      if (random.nextInt(3) > 0) {
        names.add("b");
        values.add(random.nextGaussian());
      }
      if (i > 0 && random.nextInt(4) == 0) {
        names.add("c");
        values.add(-random.nextDouble());
      }
      names.add("const");
      values.add(3.0);
      names.add("wide");
      values.add(random.nextDouble() * 1000);
      String label = a + random.nextGaussian() > 2 ? "yes" : i % 7 == 0 ? "maybe" : "no";
      rows.add(new TrainingTable.Row(i + 2, label, names, values, i % 5 == 0 ? 0.3 : 1.0));
    }
    TrainingTable table = new TrainingTable(features, List.of("no", "yes", "maybe"), rows);
    for (Case c : CASES) {
      assertSameModels(
          table, new Case(c.trees(), c.depth(), 10f, c.fraction(), c.bins(), c.seed()));
    }
  }

  @Test
  void of_rowWithFeatureTwice_emptySoTheDatasetsMessageIsGiven() throws Exception {
    TrainingTable table =
        new TrainingTable(
            List.of("x"),
            List.of("lo", "hi"),
            List.of(
                new TrainingTable.Row(2, "lo", List.of("x"), List.of(1.0)),
                new TrainingTable.Row(3, "hi", List.of("x", "x"), List.of(2.0, 3.0))));

    assertThat(FeatureColumns.of(table, TribuoTables.sourceProvenance(table))).isEmpty();
    assertThatThrownBy(
            () -> Trainers.train(new TrainerSpec.HistForest(2, 2, 1f, 0.5f, 256, 1), table))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate features");
  }

  @Test
  void of_featureNotInTable_emptyAndTrainingSaysWhich() {
    TrainingTable table =
        new TrainingTable(
            List.of("x"),
            List.of("lo", "hi"),
            List.of(
                new TrainingTable.Row(2, "lo", List.of("x"), List.of(1.0)),
                new TrainingTable.Row(3, "hi", List.of("y"), List.of(2.0))));

    assertThat(FeatureColumns.of(table, TribuoTables.sourceProvenance(table))).isEmpty();
    assertThatThrownBy(
            () -> Trainers.train(new TrainerSpec.HistForest(2, 2, 1f, 0.5f, 256, 1), table))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("feature 'y' not in the table");
  }

  @Test
  void train_histForestSpec_sameDigestAsTheDatasetPath() throws PipelineException {
    TrainingTable table = CreditData.exampleSplit().train();
    TrainerSpec spec = CreditModels.HIST_FOREST;
    Model<Label> viaTrainers = Trainers.train(spec, table);
    Model<Label> viaDataset =
        Trainers.trainer(spec, table).train(TribuoTables.dataset(table, false));

    assertThat(ModelContent.digest(viaTrainers)).isEqualTo(ModelContent.digest(viaDataset));
  }
}
