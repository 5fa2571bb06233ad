package dev.custody.train.tree;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.SplittableRandom;
import org.tribuo.Dataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.common.tree.TreeModel;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuo.provenance.impl.TrainerProvenanceImpl;

/**
 * One classification tree grown on histograms: features binned once ({@value BinnedData#MAX_BINS}
 * bins at most, see {@link BinnedData}), every feature tried at each split, the split of lowest
 * Gini impurity taken, as Tribuo's {@code CARTClassificationTrainer} with {@code GiniIndex} does,
 * but at a cost of rows × features a level whatever the number of distinct values. Thresholds are
 * real training values. The model is a plain Tribuo {@link TreeModel}; its provenance records this
 * class and its {@code @Config} parameters. A tree makes no random choice, so the model depends
 * only on the data and the parameters.
 */
public final class HistCartTrainer implements Trainer<Label> {
  /** Tribuo's CART names its model so; kept, as nothing else tells the two apart but provenance. */
  static final String MODEL_NAME = "cart-tree";

  @Config(description = "The deepest a leaf may be; the root is at depth 0.")
  private int maxDepth = Integer.MAX_VALUE;

  @Config(description = "The least total example weight of a child.")
  private float minLeaf = 5;

  @Config(description = "The most bins a feature is cut into, in [2, 256].")
  private int bins = BinnedData.MAX_BINS;

  private int invocations;

  /** For OLCUT's configuration system, which sets the fields. */
  @SuppressWarnings("unused")
  private HistCartTrainer() {}

  /**
   * A trainer of trees at most {@code maxDepth} deep ({@code Integer.MAX_VALUE}: unlimited), with
   * leaves of at least {@code minLeaf} weight, on features cut into at most {@code bins} bins.
   *
   * @throws IllegalArgumentException naming the parameter that is out of range
   */
  public HistCartTrainer(int maxDepth, float minLeaf, int bins) {
    this.maxDepth = maxDepth;
    this.minLeaf = minLeaf;
    this.bins = bins;
    validate(maxDepth, minLeaf, bins);
  }

  static void validate(int maxDepth, float minLeaf, int bins) {
    if (maxDepth < 1) {
      throw new IllegalArgumentException("maxDepth: expected at least 1, found " + maxDepth);
    }
    if (!(minLeaf > 0 && Float.isFinite(minLeaf))) {
      throw new IllegalArgumentException("minLeaf: expected a positive number, found " + minLeaf);
    }
    if (bins < 2 || bins > BinnedData.MAX_BINS) {
      throw new IllegalArgumentException(
          "bins: expected an integer in [2, " + BinnedData.MAX_BINS + "], found " + bins);
    }
  }

  /**
   * @throws IllegalArgumentException if the dataset is empty or holds unknown labels
   */
  @Override
  public TreeModel<Label> train(Dataset<Label> examples, Map<String, Provenance> runProvenance) {
    TrainerProvenance provenance;
    synchronized (this) {
      provenance = getProvenance();
      invocations++;
    }
    BinnedData data = BinnedData.of(examples, bins);
    Tree tree =
        Tree.grow(
            data,
            data.weight,
            new Tree.Growth(maxDepth, minLeaf, data.features()),
            // Every feature is tried at every split: nothing is drawn from it.
            new SplittableRandom(0));
    return TribuoTrees.treeModel(
        tree,
        MODEL_NAME,
        new ModelProvenance(
            TreeModel.class.getName(),
            OffsetDateTime.now(ZoneOffset.UTC),
            examples.getProvenance(),
            provenance,
            runProvenance),
        examples.getFeatureIDMap(),
        examples.getOutputIDInfo());
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
    return "HistCartTrainer(maxDepth=" + maxDepth + ",minLeaf=" + minLeaf + ",bins=" + bins + ")";
  }
}
