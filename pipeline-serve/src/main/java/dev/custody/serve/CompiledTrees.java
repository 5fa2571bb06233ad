package dev.custody.serve;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.custody.verify.Features;
import dev.custody.verify.Prediction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.function.IntToDoubleFunction;
import org.tribuo.Example;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.ensemble.FullyWeightedVotingCombiner;
import org.tribuo.common.tree.LeafNode;
import org.tribuo.common.tree.Node;
import org.tribuo.common.tree.SplitNode;
import org.tribuo.common.tree.TreeModel;
import org.tribuo.ensemble.WeightedEnsembleModel;
import org.tribuo.impl.ArrayExample;
import org.tribuo.protos.core.WeightedEnsembleModelProto;

/**
 * A verified decision tree, or an ensemble of them combined by Tribuo's {@link
 * FullyWeightedVotingCombiner} (a random forest), compiled once at load into flat arrays, so that a
 * prediction builds no Tribuo {@code Example}, sparse vector or {@code Prediction}: that was most
 * of a one-row request's prediction time. It makes exactly Tribuo's comparisons ({@code value >
 * split}, an absent feature read as 0) and sums in exactly Tribuo's order, so its predictions are
 * equal to Tribuo's, not close. Any other model, or any row Tribuo would refuse, is left to Tribuo.
 */
final class CompiledTrees {
  /**
   * Every feature name the model knows → its slot in a row's values, or -1 if no split reads it.
   */
  private final Map<String, Integer> slots;

  private final int usedFeatures;

  /** Per tree, per node: the slot a split reads, or -1 - (its leaf's index) for a leaf. */
  private final int[][] split;

  private final double[][] threshold;
  private final int[][] greaterThan;
  private final int[][] lessOrEqual;

  /** Null for a single tree: its leaf's prediction is the answer. */
  private final float[] weights;

  /** Per leaf: the output ids and scores of its distribution, in the map's iteration order. */
  private final int[][] leafIds;

  private final double[][] leafScores;
  private final Prediction[] leafPredictions;

  /** Per leaf: its score of each output id, 0 for an output its distribution does not hold. */
  private final double[][] leafDense;

  /** The output names by id. */
  private final String[] labels;

  private CompiledTrees(Builder b, float[] weights) {
    this.slots = Map.copyOf(b.slots);
    this.usedFeatures = b.usedFeatures;
    int trees = b.split.size();
    this.split = b.split.toArray(new int[trees][]);
    this.threshold = b.threshold.toArray(new double[trees][]);
    this.greaterThan = b.greaterThan.toArray(new int[trees][]);
    this.lessOrEqual = b.lessOrEqual.toArray(new int[trees][]);
    this.weights = weights;
    int leaves = b.leafIds.size();
    this.leafIds = b.leafIds.toArray(new int[leaves][]);
    this.leafScores = b.leafScores.toArray(new double[leaves][]);
    this.leafPredictions = b.leafPredictions.toArray(new Prediction[leaves]);
    this.labels = b.labels;
    this.leafDense = new double[leaves][];
    for (int l = 0; l < leaves; l++) {
      leafDense[l] = new double[labels.length];
      for (int j = 0; j < leafIds[l].length; j++) {
        leafDense[l][leafIds[l][j]] = leafScores[l][j];
      }
    }
  }

  /**
   * The compiled form of {@code model}, if it is a {@link TreeModel} or a {@link
   * WeightedEnsembleModel} of them with a {@link FullyWeightedVotingCombiner}, with plain split and
   * leaf nodes.
   */
  static Optional<CompiledTrees> of(Model<Label> model) {
    try {
      if (model.getClass() == TreeModel.class) {
        Builder b = Builder.of(model);
        return b != null && b.add((TreeModel<Label>) model)
            ? Optional.of(new CompiledTrees(b, null))
            : Optional.empty();
      }
      if (model instanceof WeightedEnsembleModel<Label> ensemble) {
        // Tribuo keeps the weights and the combiner to itself; its own serialized form says them.
        WeightedEnsembleModelProto proto =
            ensemble.serialize().getSerializedData().unpack(WeightedEnsembleModelProto.class);
        if (!proto.getCombiner().getClassName().equals(FullyWeightedVotingCombiner.class.getName())
            || proto.getWeightsCount() != ensemble.getNumModels()) {
          return Optional.empty();
        }
        Builder b = Builder.of(model);
        if (b == null) {
          return Optional.empty();
        }
        float[] weights = new float[proto.getWeightsCount()];
        for (int i = 0; i < weights.length; i++) {
          weights[i] = proto.getWeights(i);
          Model<Label> member = ensemble.getModels().get(i);
          if (member.getClass() != TreeModel.class
              || !sameFeatures(member.getFeatureIDMap(), model.getFeatureIDMap())
              || !b.add((TreeModel<Label>) member)) {
            return Optional.empty();
          }
        }
        return Optional.of(new CompiledTrees(b, weights));
      }
      return Optional.empty();
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return Optional.empty(); // Tribuo predicts it as before
    }
  }

  private static boolean sameFeatures(ImmutableFeatureMap a, ImmutableFeatureMap b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (VariableInfo v : a) {
      if (b.getID(v.getName()) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Predicts one encoded row as Tribuo would, or returns null where Tribuo refuses it (no feature
   * it knows, a NaN value) or cannot name a label: the caller asks Tribuo, for its own answer.
   */
  Prediction predict(Features f) {
    return predict(f.size(), f::name, f::value);
  }

  Prediction predict(int n, IntFunction<String> name, IntToDoubleFunction value) {
    double[] x = slots(n, name, value);
    if (x == null) {
      return null;
    }
    if (weights == null) {
      return leafPredictions[leaf(0, x)];
    }
    double[] score = new double[labels.length];
    double sum = vote(x, score);
    int best = best(score, sum);
    if (best < 0) {
      return null;
    }
    TreeMap<String, Double> scores = new TreeMap<>();
    for (int i = 0; i < score.length; i++) {
      scores.put(labels[i], score[i] / sum);
    }
    return new Prediction(labels[best], scores);
  }

  /**
   * The ids of {@code classes} among this model's outputs, -1 for a class it does not have: the
   * order {@link #predict(Features, int[], double[], int)} writes probabilities in.
   */
  int[] ids(List<String> classes) {
    List<String> own = List.of(labels);
    return classes.stream().mapToInt(own::indexOf).toArray();
  }

  /**
   * Predicts as {@link #predict(Features)} does, building no {@link Prediction}: writes, from
   * {@code offset}, the score of each output of {@code ids} (0 for -1), the very values of that
   * prediction's scores, and returns its label; or returns null where it returns null.
   */
  String predict(Features f, int[] ids, double[] out, int offset) {
    return predict(f.size(), f::name, f::value, ids, out, offset);
  }

  String predict(
      int n,
      IntFunction<String> name,
      IntToDoubleFunction value,
      int[] ids,
      double[] out,
      int offset) {
    double[] x = slots(n, name, value);
    if (x == null) {
      return null;
    }
    if (weights == null) {
      int l = leaf(0, x);
      for (int k = 0; k < ids.length; k++) {
        out[offset + k] = ids[k] < 0 ? 0.0 : leafDense[l][ids[k]];
      }
      return leafPredictions[l].label();
    }
    double[] score = new double[labels.length];
    double sum = vote(x, score);
    int best = best(score, sum);
    if (best < 0) {
      return null;
    }
    for (int k = 0; k < ids.length; k++) {
      out[offset + k] = ids[k] < 0 ? 0.0 : score[ids[k]] / sum;
    }
    return labels[best];
  }

  /** The row's values by slot, or null where Tribuo refuses it (no feature it knows, a NaN). */
  private double[] slots(int n, IntFunction<String> name, IntToDoubleFunction value) {
    double[] x = new double[usedFeatures];
    int known = 0;
    for (int i = 0; i < n; i++) {
      Integer slot = slots.get(name.apply(i));
      if (slot == null) {
        continue;
      }
      double v = value.applyAsDouble(i);
      if (Double.isNaN(v)) {
        return null;
      }
      known++;
      if (slot >= 0) {
        x[slot] = v;
      }
    }
    return known == 0 ? null : x;
  }

  /**
   * FullyWeightedVotingCombiner's sums, in its order: each output's into score, the total returned.
   */
  private double vote(double[] x, double[] score) {
    double sum = 0.0;
    for (int t = 0; t < split.length; t++) {
      int l = leaf(t, x);
      int[] ids = leafIds[l];
      double[] s = leafScores[l];
      for (int j = 0; j < ids.length; j++) {
        double cur = weights[t] * s[j];
        sum += cur;
        score[ids[j]] += cur;
      }
    }
    return sum;
  }

  /** The output of the highest score (the first of equals), or -1 if none compares (NaN). */
  private static int best(double[] score, double sum) {
    double max = Double.NEGATIVE_INFINITY;
    int best = -1;
    for (int i = 0; i < score.length; i++) {
      double s = score[i] / sum;
      if (s > max) {
        max = s;
        best = i;
      }
    }
    return best;
  }

  private int leaf(int tree, double[] x) {
    int[] sp = split[tree];
    double[] th = threshold[tree];
    int k = 0;
    while (sp[k] >= 0) {
      k = x[sp[k]] > th[k] ? greaterThan[tree][k] : lessOrEqual[tree][k];
    }
    return -1 - sp[k];
  }

  /** The arrays as trees are added, with the model's feature and output maps. */
  private static final class Builder {
    final Map<String, Integer> slots = new HashMap<>();
    final ImmutableFeatureMap features;
    final ImmutableOutputInfo<Label> outputs;
    final String[] labels;
    int usedFeatures;
    final List<int[]> split = new ArrayList<>();
    final List<double[]> threshold = new ArrayList<>();
    final List<int[]> greaterThan = new ArrayList<>();
    final List<int[]> lessOrEqual = new ArrayList<>();
    final List<int[]> leafIds = new ArrayList<>();
    final List<double[]> leafScores = new ArrayList<>();
    final List<Prediction> leafPredictions = new ArrayList<>();

    /** A leaf's distribution is read from the prediction it makes: any example will do. */
    final Example<Label> probe =
        new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, new String[] {"x"}, new double[] {1.0});

    private Builder(Model<Label> model, String[] labels) {
      this.features = model.getFeatureIDMap();
      this.outputs = model.getOutputIDInfo();
      this.labels = labels;
      for (VariableInfo v : features) {
        slots.put(v.getName(), -1);
      }
    }

    /** Null if the output ids are not 0..n-1, each with a label. */
    static Builder of(Model<Label> model) {
      ImmutableOutputInfo<Label> outputs = model.getOutputIDInfo();
      String[] labels = new String[outputs.size()];
      for (int i = 0; i < labels.length; i++) {
        Label l = outputs.getOutput(i);
        if (l == null) {
          return null;
        }
        labels[i] = l.getLabel();
      }
      return new Builder(model, labels);
    }

    /** Adds one tree; false if it has a node or feature this form does not cover. */
    boolean add(TreeModel<Label> tree) {
      ImmutableFeatureMap own = tree.getFeatureIDMap();
      IdentityHashMap<Node<Label>, Integer> index = new IdentityHashMap<>();
      List<Node<Label>> nodes = new ArrayList<>();
      List<Node<Label>> todo = new ArrayList<>();
      todo.add(tree.getRoot());
      while (!todo.isEmpty()) {
        Node<Label> n = todo.remove(todo.size() - 1);
        if (n == null || index.containsKey(n)) {
          return false; // Tribuo stops at a null child; a shared node is no tree
        }
        index.put(n, nodes.size());
        nodes.add(n);
        if (n.getClass() == SplitNode.class) {
          SplitNode<Label> s = (SplitNode<Label>) n;
          todo.add(s.getGreaterThan());
          todo.add(s.getLessThanOrEqual());
        } else if (n.getClass() != LeafNode.class) {
          return false;
        }
      }
      int size = nodes.size();
      int[] sp = new int[size];
      double[] th = new double[size];
      int[] gt = new int[size];
      int[] le = new int[size];
      for (int k = 0; k < size; k++) {
        Node<Label> n = nodes.get(k);
        if (n instanceof SplitNode<Label> s) {
          VariableInfo v = own.get(s.getFeatureID());
          Integer slot = v == null ? null : slots.get(v.getName());
          if (slot == null) {
            return false;
          }
          if (slot < 0) {
            slot = usedFeatures++;
            slots.put(v.getName(), slot);
          }
          sp[k] = slot;
          th[k] = s.splitValue();
          gt[k] = index.get(s.getGreaterThan());
          le[k] = index.get(s.getLessThanOrEqual());
        } else {
          LeafNode<Label> leaf = (LeafNode<Label>) n;
          if (!addLeaf(leaf)) {
            return false;
          }
          sp[k] = -leafIds.size(); // -1 - (its index)
        }
      }
      split.add(sp);
      threshold.add(th);
      greaterThan.add(gt);
      lessOrEqual.add(le);
      return true;
    }

    private boolean addLeaf(LeafNode<Label> leaf) {
      org.tribuo.Prediction<Label> p = leaf.getPrediction(1, probe);
      Map<String, Label> dist = p.getOutputScores();
      int[] ids = new int[dist.size()];
      double[] scores = new double[dist.size()];
      TreeMap<String, Double> named = new TreeMap<>();
      int j = 0;
      for (Label l : dist.values()) {
        ids[j] = outputs.getID(l);
        if (ids[j] < 0) {
          return false;
        }
        scores[j++] = l.getScore();
      }
      dist.forEach((name, l) -> named.put(name, l.getScore()));
      leafIds.add(ids);
      leafScores.add(scores);
      leafPredictions.add(new Prediction(p.getOutput().getLabel(), named));
      return true;
    }
  }
}
