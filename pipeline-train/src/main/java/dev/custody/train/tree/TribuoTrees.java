package dev.custody.train.tree;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.oracle.labs.mlrg.olcut.config.protobuf.ProtoProvenanceSerialization;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;
import org.tribuo.common.tree.LeafNode;
import org.tribuo.common.tree.TreeModel;
import org.tribuo.common.tree.protos.LeafNodeProto;
import org.tribuo.common.tree.protos.SplitNodeProto;
import org.tribuo.common.tree.protos.TreeModelProto;
import org.tribuo.common.tree.protos.TreeNodeProto;
import org.tribuo.protos.core.FeatureDomainProto;
import org.tribuo.protos.core.ModelDataProto;
import org.tribuo.protos.core.OutputDomainProto;
import org.tribuo.provenance.ModelProvenance;

/**
 * Turns a {@link Tree} into a Tribuo {@link TreeModel}. Tribuo 4.3.2's {@code TreeModel}
 * constructor is package-private, and its public way in is the protobuf form: this writes the
 * tree's {@code TreeModelProto} exactly as {@code TreeModel.serialize} lays one out (nodes
 * breadth-first, greater-than child before less-or-equal, split nodes under Tribuo's class name
 * {@code LeafNode} as Tribuo writes them) and has Tribuo build the model from it. So the model is
 * made by Tribuo's own reader, from our own bytes in memory, and a model file Custody writes is one
 * stock Tribuo reads.
 */
final class TribuoTrees {
  private static final int NODE_VERSION = 0;

  /** As Tribuo's {@code ModelDataCarrier} serializes a model's provenance. */
  private static final ProtoProvenanceSerialization PROVENANCE =
      new ProtoProvenanceSerialization(false);

  private TribuoTrees() {}

  /**
   * The feature and label maps of the trees of one model, serialized once for all of them (the
   * feature map's serialization was a sixth of a forest's training).
   */
  record Domains(
      ImmutableFeatureMap features,
      FeatureDomainProto featureProto,
      ImmutableOutputInfo<Label> labels,
      OutputDomainProto labelProto) {
    static Domains of(ImmutableFeatureMap features, ImmutableOutputInfo<Label> labels) {
      return new Domains(features, features.serialize(), labels, labels.serialize());
    }
  }

  /** A Tribuo tree model of {@code tree}, whose feature and label indices are these maps' ids. */
  static TreeModel<Label> treeModel(
      Tree tree,
      String name,
      ModelProvenance provenance,
      ImmutableFeatureMap features,
      ImmutableOutputInfo<Label> labels) {
    return treeModel(tree, name, provenance, Domains.of(features, labels));
  }

  /** A Tribuo tree model of {@code tree} over already serialized maps. */
  @SuppressWarnings("unchecked") // the output domain is of Labels, so the model's outputs are too
  static TreeModel<Label> treeModel(
      Tree tree, String name, ModelProvenance provenance, Domains domains) {
    TreeModelProto proto =
        TreeModelProto.newBuilder()
            .setMetadata(metadata(name, provenance, domains))
            .addAllNodes(nodes(tree, domains.labels()))
            .build();
    try {
      return (TreeModel<Label>)
          TreeModel.deserializeFromProto(
              TreeModel.CURRENT_VERSION, TreeModel.class.getName(), Any.pack(proto));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("Tribuo refused a tree built in memory", e);
    }
  }

  /**
   * A tree model's metadata laid out as Tribuo 4.3.2's {@code ModelDataCarrier.serialize} lays it
   * out, for a model that does not generate probabilities (as {@code TreeModel.serialize} records
   * one).
   */
  static ModelDataProto metadata(String name, ModelProvenance provenance, Domains domains) {
    return ModelDataProto.newBuilder()
        .setName(name)
        .setGenerateProbabilities(false)
        .setFeatureDomain(domains.featureProto())
        .setOutputDomain(domains.labelProto())
        .setProvenance(PROVENANCE.serializeToProto(ProvenanceUtil.marshalProvenance(provenance)))
        .setTribuoVersion(provenance.getTribuoVersion())
        .build();
  }

  private record Pending(int parent, int index, int node) {}

  private static List<TreeNodeProto> nodes(Tree tree, ImmutableOutputInfo<Label> labels) {
    List<TreeNodeProto> out = new ArrayList<>(tree.nodes.size());
    Queue<Pending> queue = new ArrayDeque<>();
    queue.add(new Pending(-1, 0, 0));
    int counter = 0;
    while (!queue.isEmpty()) {
      Pending p = queue.poll();
      Tree.Node node = tree.nodes.get(p.node());
      Any data;
      if (node.isLeaf()) {
        data = Any.pack(leaf(p, node, labels));
      } else {
        int greater = ++counter;
        int lessOrEqual = ++counter;
        data =
            Any.pack(
                SplitNodeProto.newBuilder()
                    .setParentIdx(p.parent())
                    .setCurIdx(p.index())
                    .setGreaterThanIdx(greater)
                    .setLessThanOrEqualIdx(lessOrEqual)
                    .setSplitFeatureIdx(node.feature())
                    .setSplitValue(node.threshold())
                    .setImpurity(node.impurity())
                    .build());
        queue.add(new Pending(p.index(), greater, node.greater()));
        queue.add(new Pending(p.index(), lessOrEqual, node.lessOrEqual()));
      }
      out.add(
          TreeNodeProto.newBuilder()
              .setVersion(NODE_VERSION)
              .setClassName(LeafNode.class.getName())
              .setSerializedData(data)
              .build());
    }
    return out;
  }

  /** A leaf as Tribuo's CART makes one: every label's probability, the most probable as output. */
  private static LeafNodeProto leaf(Pending p, Tree.Node node, ImmutableOutputInfo<Label> labels) {
    LeafNodeProto.Builder b =
        LeafNodeProto.newBuilder()
            .setParentIdx(p.parent())
            .setCurIdx(p.index())
            .setGeneratesProbabilities(true)
            .setImpurity(node.impurity());
    double[] distribution = node.distribution();
    int best = 0;
    for (int j = 0; j < distribution.length; j++) {
      String name = labels.getOutput(j).getLabel();
      b.putScore(name, new Label(name, distribution[j]).serialize());
      if (distribution[j] > distribution[best]) {
        best = j;
      }
    }
    b.setOutput(new Label(labels.getOutput(best).getLabel(), distribution[best]).serialize());
    return b.build();
  }
}
