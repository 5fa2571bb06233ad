package dev.custody.train.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.train.data.Split;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.fit.CreditData;
import dev.custody.train.fit.CreditModels;
import dev.custody.train.fit.ModelContent;
import dev.custody.train.fit.Trainers;
import dev.custody.train.fit.TribuoTables;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.common.tree.TreeModel;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.ensemble.WeightedEnsembleModel;
import org.tribuo.impl.ModelDataCarrier;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Custody's histogram trees on the credit example: deterministic for a seed whatever the number of
 * threads, as accurate as the seed's scikit-learn forest, and emitted as plain Tribuo models that
 * predict what the grown trees predict.
 */
class HistTreesTest {
  private static final LabelFactory LABELS = new LabelFactory();

  private static MutableDataset<Label> dataset(TrainingTable table) {
    return new MutableDataset<>(
        new ListDataSource<>(
            TribuoTables.examples(table),
            LABELS,
            new SimpleDataSourceProvenance("credit training split", LABELS)));
  }

  private static HistForestTrainer seedForest(long seed, int threads) {
    return new HistForestTrainer(5, 3, 100f, 0.5f, 256, seed, threads);
  }

  @Test
  void train_oneTwoOrFourThreads_sameModelContent() throws Exception {
    MutableDataset<Label> data = dataset(CreditData.split().train());

    WeightedEnsembleModel<Label> one = seedForest(42, 1).train(data, Map.of());
    WeightedEnsembleModel<Label> two = seedForest(42, 2).train(data, Map.of());
    WeightedEnsembleModel<Label> four = seedForest(42, 4).train(data, Map.of());

    assertThat(one.getModels()).hasSize(5).allMatch(m -> m instanceof TreeModel);
    assertThat(ModelContent.digest(two)).isEqualTo(ModelContent.digest(one));
    assertThat(ModelContent.digest(four)).isEqualTo(ModelContent.digest(one));
    assertThat(ModelContent.digest(seedForest(43, 4).train(data, Map.of())))
        .isNotEqualTo(ModelContent.digest(one));
  }

  @Test
  void train_creditExampleSettings_accuracyAtLeast0815() throws Exception {
    Split split = CreditData.exampleSplit();
    Model<Label> model = Trainers.train(CreditModels.HIST_FOREST, split.train());
    Model<Label> tribuo = Trainers.train(CreditModels.RANDOM_FOREST, split.train());

    double accuracy = accuracy(model, split.test());

    System.out.printf(
        Locale.ROOT,
        "credit example split (%d test rows): hist-forest accuracy %.4f, Tribuo's random forest"
            + " %.4f%n",
        split.test().rows().size(),
        accuracy,
        accuracy(tribuo, split.test()));
    assertThat(accuracy).isGreaterThanOrEqualTo(0.815);
  }

  private static double accuracy(Model<Label> model, TrainingTable test) {
    int right = 0;
    for (Prediction<Label> p : model.predict(TribuoTables.examples(test))) {
      right += p.getOutput().getLabel().equals(p.getExample().getOutput().getLabel()) ? 1 : 0;
    }
    return (double) right / test.rows().size();
  }

  @Test
  void treeModel_creditRows_predictsTheGrownTreesDistribution() {
    MutableDataset<Label> data = dataset(CreditData.split().train());
    BinnedData binned = BinnedData.of(data, 256);
    Tree tree =
        Tree.grow(
            binned,
            binned.weight,
            new Tree.Growth(6, 20, binned.features()),
            new SplittableRandom(0));
    // The trainer grows the same tree and hands it to Tribuo.
    TreeModel<Label> model = new HistCartTrainer(6, 20, 256).train(data, Map.of());

    List<Example<Label>> test = TribuoTables.examples(CreditData.split().test());
    for (Example<Label> example : test) {
      double[] row = new double[data.getFeatureIDMap().size()];
      for (Feature f : example) {
        row[data.getFeatureIDMap().getID(f.getName())] = f.getValue();
      }
      double[] expected = tree.distribution(f -> row[f]);
      Prediction<Label> p = model.predict(example);
      for (int j = 0; j < expected.length; j++) {
        String label = data.getOutputIDInfo().getOutput(j).getLabel();
        assertThat(p.getOutputScores().get(label).getScore()).isEqualTo(expected[j]);
      }
    }
  }

  @Test
  void metadata_sharedSerializedMaps_sameBytesAsTribuosModelDataCarrier() {
    MutableDataset<Label> data = dataset(CreditData.split().train());
    TreeModel<Label> model = new HistCartTrainer(3, 100, 256).train(data, Map.of());
    TribuoTrees.Domains domains =
        TribuoTrees.Domains.of(data.getFeatureIDMap(), data.getOutputIDInfo());
    // Serialized once, the maps serve every tree of a forest: each tree's metadata is still
    // byte for byte what Tribuo's own carrier writes.
    for (int i = 0; i < 2; i++) {
      assertThat(
              TribuoTrees.metadata(HistCartTrainer.MODEL_NAME, model.getProvenance(), domains)
                  .toByteArray())
          .isEqualTo(
              new ModelDataCarrier<>(
                      HistCartTrainer.MODEL_NAME,
                      model.getProvenance(),
                      data.getFeatureIDMap(),
                      data.getOutputIDInfo(),
                      false,
                      model.getProvenance().getTribuoVersion())
                  .serialize()
                  .toByteArray());
    }
  }

  @Test
  void edgesWithCodes_anyColumn_codesAreTheBinOfEachValue() {
    SplittableRandom random = new SplittableRandom(5);
    int rows = 2_000;
    // Few distinct values (hashed), many (sorted, quantile bins), and each with implicit zeros.
    for (int distinct : new int[] {3, 200, 256, 257, 1_000}) {
      for (int count : new int[] {rows, rows - 300}) {
        double[] values = new double[count];
        int[] rowsOf = new int[count];
        for (int i = 0; i < count; i++) {
          values[i] = random.nextInt(distinct) - distinct / 3.0;
          rowsOf[i] = rows - 1 - i * rows / count;
        }
        byte[] codes = new byte[rows];
        double[] upper = BinnedData.edges(values, count, rows, 256, codes, rowsOf);

        assertThat(upper).isEqualTo(BinnedData.edges(values, count, rows, 256));
        byte[] expected = new byte[rows];
        java.util.Arrays.fill(expected, (byte) BinnedData.bin(upper, 0.0));
        for (int i = 0; i < count; i++) {
          expected[rowsOf[i]] = (byte) BinnedData.bin(upper, values[i]);
        }
        assertThat(codes).as("%d distinct, %d explicit", distinct, count).isEqualTo(expected);
      }
    }
  }

  @Test
  void edgesWithCodes_manyValuedColumnsWithTiesAndSignedZeros_sameAsSortingAndSearching() {
    SplittableRandom random = new SplittableRandom(14);
    int rows = 3_000;
    for (int kind = 0; kind < 4; kind++) {
      for (int count : new int[] {rows, rows - 1, rows - 700, 400}) {
        double[] values = new double[count];
        int[] rowsOf = new int[count];
        for (int i = 0; i < count; i++) {
          values[i] =
              switch (kind) {
                case 0 -> random.nextDouble() * 2 - 1; // continuous, both signs
                case 1 -> random.nextInt(5_000) - 1_000; // whole numbers with ties
                case 2 -> random.nextInt(8) == 0 ? (random.nextBoolean() ? -0.0 : 0.0) : i * 0.5;
                default -> random.nextInt(4) == 0 ? 1e300 : -random.nextInt(900) * 1e-3;
              };
          rowsOf[i] = i * rows / count;
        }
        byte[] codes = new byte[rows];
        double[] upper = BinnedData.edges(values, count, rows, 256, codes, rowsOf);

        assertThat(upper)
            .as("kind %d, %d explicit", kind, count)
            .isEqualTo(BinnedData.edges(values, count, rows, 256));
        byte[] expected = new byte[rows];
        java.util.Arrays.fill(expected, (byte) BinnedData.bin(upper, 0.0));
        for (int i = 0; i < count; i++) {
          expected[rowsOf[i]] = (byte) BinnedData.bin(upper, values[i]);
        }
        assertThat(codes).as("kind %d, %d explicit", kind, count).isEqualTo(expected);
      }
    }
  }

  @Test
  void edges_fewDistinctValues_oneBinEachAtTheValue() {
    double[] values = {3, -1, 3, 7, 7, 7};

    // Two more rows hold an implicit 0.
    assertThat(BinnedData.edges(values, values.length, 8, 256)).containsExactly(-1, 0, 3, 7);
  }

  @Test
  void edges_denseColumnOfAtMostMaxBinsValues_eachDistinctValueSorted() {
    SplittableRandom random = new SplittableRandom(5);
    for (int distinct : new int[] {1, 2, 11, 255, 256}) {
      double[] values = new double[5_000];
      Set<Double> present = new TreeSet<>();
      for (int i = 0; i < values.length; i++) {
        values[i] = (random.nextInt(distinct) - distinct / 2) * 0.25;
        present.add(values[i]);
      }

      double[] edges = BinnedData.edges(values, values.length, values.length, 256);

      assertThat(edges)
          .as("%d distinct values", distinct)
          .containsExactly(present.stream().mapToDouble(d -> d).toArray());
    }
  }

  @Test
  void edges_denseColumnWithNegativeZero_oneBinAtTheFirstZeroSorted() {
    double[] values = {0.0, -0.0, 1.0, -0.0};

    double[] edges = BinnedData.edges(values, values.length, values.length, 256);

    // As sorting has always made it: -0.0 sorts first and 0.0 joins its bin.
    assertThat(edges).hasSize(2);
    assertThat(Double.doubleToRawLongBits(edges[0])).isEqualTo(Double.doubleToRawLongBits(-0.0));
    assertThat(edges[1]).isEqualTo(1.0);
  }

  @Test
  void edges_manyDistinctValues_atMostMaxBinsOfRealValues() {
    double[] values = new double[10_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i * 7919L % 10_007) / 3.0;
    }
    Set<Double> present = new TreeSet<>();
    for (double v : values) {
      present.add(v);
    }

    double[] edges = BinnedData.edges(values, values.length, values.length, 256);

    assertThat(edges.length).isBetween(250, 256);
    for (int b = 0; b < edges.length; b++) {
      assertThat(present).contains(edges[b]);
      if (b > 0) {
        assertThat(edges[b]).isGreaterThan(edges[b - 1]);
      }
    }
    assertThat(edges[edges.length - 1])
        .isEqualTo(present.stream().mapToDouble(d -> d).max().getAsDouble());
  }

  @Test
  void bin_valueBetweenEdges_goesToTheNextEdgesBin() {
    double[] upper = {-1, 0, 3, 7};

    assertThat(BinnedData.bin(upper, -5)).isZero();
    assertThat(BinnedData.bin(upper, -1)).isZero();
    assertThat(BinnedData.bin(upper, -0.0)).isEqualTo(1);
    assertThat(BinnedData.bin(upper, 2)).isEqualTo(2);
    assertThat(BinnedData.bin(upper, 7)).isEqualTo(3);
    assertThat(BinnedData.bin(upper, 9)).isEqualTo(3);
  }

  @Test
  void constructors_badParameters_refusedNamingTheParameter() {
    assertThatThrownBy(() -> new HistCartTrainer(0, 5, 256)).hasMessageStartingWith("maxDepth:");
    assertThatThrownBy(() -> new HistCartTrainer(3, 0, 256)).hasMessageStartingWith("minLeaf:");
    assertThatThrownBy(() -> new HistCartTrainer(3, Float.NaN, 256))
        .hasMessageStartingWith("minLeaf:");
    assertThatThrownBy(() -> new HistCartTrainer(3, 5, 1)).hasMessageStartingWith("bins:");
    assertThatThrownBy(() -> new HistCartTrainer(3, 5, 257)).hasMessageStartingWith("bins:");
    assertThatThrownBy(() -> new HistForestTrainer(0, 3, 5, 0.5f, 256, 1, 1))
        .hasMessageStartingWith("trees:");
    assertThatThrownBy(() -> new HistForestTrainer(5, 3, 5, 0f, 256, 1, 1))
        .hasMessageStartingWith("featureFraction:");
    assertThatThrownBy(() -> new HistForestTrainer(5, 3, 5, 1.5f, 256, 1, 1))
        .hasMessageStartingWith("featureFraction:");
    assertThatThrownBy(() -> new HistForestTrainer(5, 3, 5, 0.5f, 256, 1, 0))
        .hasMessageStartingWith("parallelism:");
  }

  @Test
  void train_emptyDataset_refused() {
    MutableDataset<Label> empty =
        new MutableDataset<>(new SimpleDataSourceProvenance("empty", LABELS), LABELS);

    assertThatThrownBy(() -> new HistCartTrainer(3, 5, 256).train(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
  }
}
