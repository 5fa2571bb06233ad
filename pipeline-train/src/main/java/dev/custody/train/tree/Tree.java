package dev.custody.train.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One grown classification tree: nodes in the order they were made, the root first. A split node
 * sends a row to {@code lessOrEqual} when its feature value is at most {@code threshold} (a real
 * training value), else to {@code greater}; a leaf holds its class distribution.
 */
final class Tree {
  /** A node: a split when {@code distribution} is null, else a leaf. */
  static final class Node {
    private final int feature;
    private final double threshold;
    private final int lessOrEqual;
    private final int greater;
    private final double impurity;
    private final double[] distribution;

    Node(
        int feature,
        double threshold,
        int lessOrEqual,
        int greater,
        double impurity,
        double[] distribution) {
      this.feature = feature;
      this.threshold = threshold;
      this.lessOrEqual = lessOrEqual;
      this.greater = greater;
      this.impurity = impurity;
      this.distribution = distribution;
    }

    boolean isLeaf() {
      return distribution != null;
    }

    int feature() {
      return feature;
    }

    double threshold() {
      return threshold;
    }

    int lessOrEqual() {
      return lessOrEqual;
    }

    int greater() {
      return greater;
    }

    double impurity() {
      return impurity;
    }

    /** The leaf's class distribution (shared, not copied: nodes never leave this package). */
    double[] distribution() {
      return distribution;
    }
  }

  /**
   * How a tree grows.
   *
   * @param maxDepth the deepest a leaf may be (the root is at depth 0)
   * @param minLeaf the least total weight a child may have
   * @param featuresPerSplit features tried at each split, chosen at random when fewer than all
   */
  record Growth(int maxDepth, double minLeaf, int featuresPerSplit) {}

  final List<Node> nodes;

  private Tree(List<Node> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  /** The class distribution this tree predicts for a row given as {@code value(feature)}. */
  double[] distribution(FeatureValues row) {
    Node node = nodes.get(0);
    while (!node.isLeaf()) {
      node =
          nodes.get(
              row.value(node.feature()) > node.threshold() ? node.greater() : node.lessOrEqual());
    }
    return node.distribution();
  }

  /** A row's feature values by feature index. */
  interface FeatureValues {
    double value(int feature);
  }

  /**
   * Grows a tree on {@code data} with row weights {@code sampleWeight} (0 leaves a row out), the
   * best Gini split at each node, drawing features from {@code random} when sampling them. The tree
   * depends only on its arguments: the same data, weights, growth and random state give the same
   * tree.
   *
   * @throws IllegalArgumentException if no row has weight
   */
  static Tree grow(BinnedData data, double[] sampleWeight, Growth growth, SplittableRandom random) {
    return new Grower(data, sampleWeight, growth, random).grow();
  }

  private static final class Grower {
    private final BinnedData data;
    private final double[] w;
    private final Growth growth;
    private final SplittableRandom random;
    private final int[] order;
    private final int[] buffer;
    private final int[] featureOrder;
    private final int k;
    private final List<Node> nodes = new ArrayList<>();

    Grower(BinnedData data, double[] sampleWeight, Growth growth, SplittableRandom random) {
      this.data = data;
      this.w = sampleWeight;
      this.growth = growth;
      this.random = random;
      this.k = data.classes;
      int used = 0;
      for (double x : sampleWeight) {
        used += x > 0 ? 1 : 0;
      }
      if (used == 0) {
        throw new IllegalArgumentException("no training row has weight");
      }
      this.order = new int[used];
      for (int i = 0, j = 0; i < sampleWeight.length; i++) {
        if (sampleWeight[i] > 0) {
          order[j++] = i;
        }
      }
      this.buffer = new int[used];
      this.featureOrder = new int[data.features()];
      for (int f = 0; f < featureOrder.length; f++) {
        featureOrder[f] = f;
      }
    }

    Tree grow() {
      node(0, order.length, 0);
      return new Tree(nodes);
    }

    /** Makes the node for rows {@code order[start, end)} and its subtree; returns its index. */
    private int node(int start, int end, int depth) {
      double[] counts = new double[k];
      for (int i = start; i < end; i++) {
        counts[data.label[order[i]]] += w[order[i]];
      }
      double total = 0;
      double squares = 0;
      for (double c : counts) {
        total += c;
        squares += c * c;
      }
      double impurity = 1 - squares / (total * total);
      int self = nodes.size();
      Split split = null;
      if (depth < growth.maxDepth() && impurity > 0 && total >= 2 * growth.minLeaf()) {
        split = bestSplit(start, end, counts, total, squares / total);
      }
      if (split == null) {
        double[] distribution = new double[k];
        for (int j = 0; j < k; j++) {
          distribution[j] = counts[j] / total;
        }
        nodes.add(new Node(-1, 0, -1, -1, impurity, distribution));
        return self;
      }
      nodes.add(null); // the split node is set once its children exist
      int middle = partition(start, end, split.feature, split.bin);
      int lessOrEqual = node(start, middle, depth + 1);
      int greater = node(middle, end, depth + 1);
      nodes.set(
          self,
          new Node(
              split.feature,
              data.upper[split.feature][split.bin],
              lessOrEqual,
              greater,
              impurity,
              null));
      return self;
    }

    private record Split(int feature, int bin) {}

    /**
     * The split with the lowest weighted Gini impurity of the children, each child weighing at
     * least minLeaf, or null if none lowers the node's; the first found wins a tie. Features are
     * tried in a random order: the first {@code featuresPerSplit}, and then, as scikit-learn does,
     * more until one gives a valid split.
     */
    private Split bestSplit(int start, int end, double[] counts, double total, double parentScore) {
      int sampled = growth.featuresPerSplit();
      boolean sampling = sampled < featureOrder.length;
      // Maximising the sum over children of (Σ class weight²) / weight minimises their
      // weighted Gini impurity; the tolerance keeps rounding noise from making a split.
      double best = parentScore + 1e-12 * total;
      Split split = null;
      double[] left = new double[k];
      for (int t = 0; t < featureOrder.length && (t < sampled || split == null); t++) {
        if (sampling) {
          // Fisher–Yates, one draw at a time: the first t entries are a uniform sample.
          int j = t + random.nextInt(featureOrder.length - t);
          int swap = featureOrder[t];
          featureOrder[t] = featureOrder[j];
          featureOrder[j] = swap;
        }
        int f = featureOrder[t];
        byte[] codes = data.codes[f];
        int bins = data.upper[f].length;
        if (bins < 2) {
          continue;
        }
        double[] hist = new double[bins * k];
        for (int i = start; i < end; i++) {
          int r = order[i];
          hist[(codes[r] & 0xFF) * k + data.label[r]] += w[r];
        }
        Arrays.fill(left, 0);
        double leftTotal = 0;
        for (int b = 0; b < bins - 1; b++) {
          double binTotal = 0;
          for (int j = 0; j < k; j++) {
            double h = hist[b * k + j];
            left[j] += h;
            binTotal += h;
          }
          if (binTotal == 0) {
            continue; // the same partition as the bin before
          }
          leftTotal += binTotal;
          double rightTotal = total - leftTotal;
          if (leftTotal < growth.minLeaf()) {
            continue;
          }
          if (rightTotal < growth.minLeaf()) {
            break;
          }
          double leftSquares = 0;
          double rightSquares = 0;
          for (int j = 0; j < k; j++) {
            double right = counts[j] - left[j];
            leftSquares += left[j] * left[j];
            rightSquares += right * right;
          }
          double score = leftSquares / leftTotal + rightSquares / rightTotal;
          if (score > best) {
            best = score;
            split = new Split(f, b);
          }
        }
      }
      return split;
    }

    /** Moves the rows in bins at most {@code bin} of {@code feature} first, keeping order. */
    private int partition(int start, int end, int feature, int bin) {
      byte[] codes = data.codes[feature];
      int low = start;
      int high = 0;
      for (int i = start; i < end; i++) {
        int r = order[i];
        if ((codes[r] & 0xFF) <= bin) {
          order[low++] = r;
        } else {
          buffer[high++] = r;
        }
      }
      System.arraycopy(buffer, 0, order, low, high);
      return low;
    }
  }
}
