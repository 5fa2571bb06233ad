package dev.custody.train.tree;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.tribuo.Dataset;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.ensemble.FullyWeightedVotingCombiner;
import org.tribuo.common.tree.TreeModel;
import org.tribuo.ensemble.WeightedEnsembleModel;
import org.tribuo.provenance.DatasetProvenance;
import org.tribuo.provenance.EnsembleModelProvenance;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuo.provenance.impl.TrainerProvenanceImpl;

/**
 * A random forest of histogram trees ({@link HistCartTrainer}'s growth): each tree grown on a
 * bootstrap sample of the rows, trying a random {@code featureFraction} of the features at each
 * split. The features are binned once for all trees. Tree {@code i}'s random state (its bootstrap
 * and its feature draws) is a {@link SplittableRandom} seeded with the {@code i}-th long of one
 * seeded with the forest's seed, so the forest depends on the seed and the data only, whatever the
 * number of threads growing trees in parallel.
 *
 * <p>The model is a plain Tribuo {@link WeightedEnsembleModel} of {@link TreeModel}s with uniform
 * weights and a {@link FullyWeightedVotingCombiner} (the trees' class distributions averaged, as
 * scikit-learn's {@code predict_proba} does), built as Tribuo's own {@code BaggingTrainer} builds
 * one, so that its provenance records this trainer and its {@code @Config} parameters ({@code
 * WeightedEnsembleModel.createEnsembleFromExistingModels} would record a bare timestamped
 * provenance instead). The parallelism is not a parameter of the model, and is not recorded.
 */
public final class HistForestTrainer implements Trainer<Label> {
  /** The forest's model name. */
  static final String MODEL_NAME = "hist-forest";

  @Config(description = "Number of trees.")
  private int trees = 10;

  @Config(description = "The deepest a leaf may be; the root is at depth 0.")
  private int maxDepth = Integer.MAX_VALUE;

  @Config(description = "The least total example weight of a child.")
  private float minLeaf = 5;

  @Config(description = "The fraction of the features tried at each split, in (0, 1].")
  private float featureFraction = 0.5f;

  @Config(description = "The most bins a feature is cut into, in [2, 256].")
  private int bins = BinnedData.MAX_BINS;

  @Config(description = "Seed of the bootstrap samples and feature draws.")
  private long seed;

  private final int parallelism;

  private int invocations;

  /** For OLCUT's configuration system, which sets the fields. */
  @SuppressWarnings("unused")
  private HistForestTrainer() {
    this.parallelism = ForkJoinPool.getCommonPoolParallelism();
  }

  /**
   * A forest trainer growing up to {@code parallelism} trees at a time.
   *
   * @throws IllegalArgumentException naming the parameter that is out of range
   */
  public HistForestTrainer(
      int trees,
      int maxDepth,
      float minLeaf,
      float featureFraction,
      int bins,
      long seed,
      int parallelism) {
    HistCartTrainer.validate(maxDepth, minLeaf, bins);
    if (trees < 1) {
      throw new IllegalArgumentException("trees: expected at least 1, found " + trees);
    }
    if (!(featureFraction > 0 && featureFraction <= 1)) {
      throw new IllegalArgumentException(
          "featureFraction: expected a number in (0.0, 1.0], found " + featureFraction);
    }
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism: expected at least 1, found " + parallelism);
    }
    this.trees = trees;
    this.maxDepth = maxDepth;
    this.minLeaf = minLeaf;
    this.featureFraction = featureFraction;
    this.bins = bins;
    this.seed = seed;
    this.parallelism = parallelism;
  }

  /** The seed of each tree's random state, drawn in tree order from the forest's seed. */
  static long[] treeSeeds(long seed, int trees) {
    SplittableRandom forest = new SplittableRandom(seed);
    long[] out = new long[trees];
    for (int i = 0; i < trees; i++) {
      out[i] = forest.nextLong();
    }
    return out;
  }

  /** Features tried at each split: Tribuo's rounding of fraction × features, at least one. */
  static int featuresPerSplit(float fraction, int features) {
    return Math.max(1, Math.min(Math.round(fraction * features), features));
  }

  /**
   * Grows tree {@code index}: a bootstrap sample of as many rows as there are, drawn with its own
   * random state, each drawn row weighing its example weight times the times it was drawn.
   */
  static Tree growTree(BinnedData data, Tree.Growth growth, long treeSeed) {
    SplittableRandom random = new SplittableRandom(treeSeed);
    double[] sample = new double[data.rows];
    for (int i = 0; i < data.rows; i++) {
      sample[random.nextInt(data.rows)] += 1;
    }
    for (int i = 0; i < data.rows; i++) {
      sample[i] *= data.weight[i];
    }
    return Tree.grow(data, sample, growth, random);
  }

  /**
   * Bins the rows ({@code binning}, told whether to bin the features in parallel) and grows every
   * tree, running {@code alongside} meanwhile (work the model needs that the trees do not), in a
   * fork-join pool of {@code parallelism} threads (in the calling thread alone when 1); the list is
   * in tree order.
   */
  static List<Tree> growForest(
      Function<Boolean, BinnedData> binning,
      Callable<?> alongside,
      int maxDepth,
      float minLeaf,
      float featureFraction,
      long[] treeSeeds,
      int parallelism) {
    Supplier<List<Tree>> work =
        () -> {
          ForkJoinTask<?> side = ForkJoinTask.adapt(alongside);
          if (parallelism > 1) {
            side = side.fork();
          }
          BinnedData data = binning.apply(parallelism > 1);
          Tree.Growth growth =
              new Tree.Growth(
                  maxDepth, minLeaf, featuresPerSplit(featureFraction, data.features()));
          IntStream indices = IntStream.range(0, treeSeeds.length);
          List<Tree> trees =
              (parallelism > 1 ? indices.parallel() : indices)
                  .mapToObj(i -> growTree(data, growth, treeSeeds[i]))
                  .toList();
          if (parallelism > 1) {
            side.join();
          } else {
            side.invoke();
          }
          return trees;
        };
    if (parallelism == 1) {
      return work.get();
    }
    ForkJoinPool pool = new ForkJoinPool(parallelism);
    try {
      return pool.submit(work::get).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while growing trees", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("growing a tree failed", e.getCause());
    } finally {
      pool.shutdown();
    }
  }

  /**
   * @throws IllegalArgumentException if the dataset is empty or holds unknown labels
   */
  @Override
  public WeightedEnsembleModel<Label> train(
      Dataset<Label> examples, Map<String, Provenance> runProvenance) {
    ImmutableFeatureMap featureIds = examples.getFeatureIDMap();
    return train(
        parallel -> BinnedData.of(examples, bins, parallel),
        () -> featureIds,
        examples.getOutputIDInfo(),
        examples.getProvenance(),
        runProvenance);
  }

  /**
   * Trains on a table's columns: the same model, byte for byte, as {@link #train(Dataset, Map)} on
   * the Tribuo dataset they were read as (see {@link FeatureColumns}), without building it.
   */
  public WeightedEnsembleModel<Label> train(
      FeatureColumns columns, Map<String, Provenance> runProvenance) {
    return train(
        parallel -> BinnedData.of(columns.columns, columns.labelIds.size(), bins, parallel),
        columns::featureIds,
        columns.labelIds,
        columns.provenance,
        runProvenance);
  }

  private WeightedEnsembleModel<Label> train(
      Function<Boolean, BinnedData> binning,
      Supplier<ImmutableFeatureMap> features,
      ImmutableOutputInfo<Label> labelIds,
      DatasetProvenance dataProvenance,
      Map<String, Provenance> runProvenance) {
    TrainerProvenance provenance;
    synchronized (this) {
      provenance = getProvenance();
      invocations++;
    }
    List<Tree> grown =
        growForest(
            binning,
            features::get,
            maxDepth,
            minLeaf,
            featureFraction,
            treeSeeds(seed, trees),
            parallelism);
    ImmutableFeatureMap featureIds = features.get();
    TribuoTrees.Domains domains = TribuoTrees.Domains.of(featureIds, labelIds);
    List<Model<Label>> members = new ArrayList<>(grown.size());
    for (Tree tree : grown) {
      members.add(
          TribuoTrees.treeModel(
              tree,
              HistCartTrainer.MODEL_NAME,
              new ModelProvenance(
                  TreeModel.class.getName(),
                  OffsetDateTime.now(ZoneOffset.UTC),
                  dataProvenance,
                  provenance,
                  runProvenance),
              domains));
    }
    EnsembleModelProvenance ensemble =
        new EnsembleModelProvenance(
            WeightedEnsembleModel.class.getName(),
            OffsetDateTime.now(ZoneOffset.UTC),
            dataProvenance,
            provenance,
            runProvenance,
            ListProvenance.createListProvenance(members));
    return new WeightedEnsembleModel<>(
        MODEL_NAME, ensemble, featureIds, labelIds, members, new FullyWeightedVotingCombiner());
  }

  @Override
  public synchronized int getInvocationCount() {
    return invocations;
  }

  @Override
  public synchronized void setInvocationCount(int invocationCount) {
    if (invocationCount < 0) {
      throw new IllegalArgumentException("invocationCount: expected at least 0");
    }
    this.invocations = invocationCount;
  }

  @Override
  public TrainerProvenance getProvenance() {
    return new TrainerProvenanceImpl(this);
  }

  @Override
  public String toString() {
    return "HistForestTrainer(trees="
        + trees
        + ",maxDepth="
        + maxDepth
        + ",minLeaf="
        + minLeaf
        + ",featureFraction="
        + featureFraction
        + ",bins="
        + bins
        + ",seed="
        + seed
        + ")";
  }
}
