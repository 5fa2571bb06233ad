package dev.custody.examples;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.tribuo.classification.protos.LabelProto;
import org.tribuo.common.tree.protos.LeafNodeProto;
import org.tribuo.common.tree.protos.TreeModelProto;
import org.tribuo.common.tree.protos.TreeNodeProto;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.protos.core.OutputProto;
import org.tribuo.protos.core.WeightedEnsembleModelProto;

/**
 * The attacker's tool for seed 000: Tribuo's analogue of setting scikit-learn's {@code classes_ =
 * [1, 1]}. Tribuo refuses that exact edit (an output domain mapping two ids to "1" fails to
 * deserialize: "two mappings for 1"), so the least-effort edit that loads is one level down: in
 * every leaf of every tree of the forest, the output label and each per-label score now say "1".
 * Every "0" is one byte, so the file keeps its length; only the protobuf is parsed and rewritten,
 * nothing is deserialized into Tribuo classes.
 */
public final class ModelTamper {
  private ModelTamper() {}

  /** What the edit changed. */
  public record Edit(
      int trees,
      int leaves,
      int labelsRewritten,
      long bytesBefore,
      long bytesAfter,
      int bytesChanged) {}

  /** Rewrites {@code modelFile} in place so that every leaf of the random forest votes "1". */
  public static Edit everyLeafVotesOne(Path modelFile) throws IOException {
    byte[] before = Files.readAllBytes(modelFile);
    ModelProto model = ModelProto.parseFrom(before);
    WeightedEnsembleModelProto forest =
        model.getSerializedData().unpack(WeightedEnsembleModelProto.class);
    WeightedEnsembleModelProto.Builder forestEdit = forest.toBuilder();
    int leaves = 0;
    int labels = 0;
    for (int i = 0; i < forest.getModelsCount(); i++) {
      ModelProto member = forest.getModels(i);
      TreeModelProto tree = member.getSerializedData().unpack(TreeModelProto.class);
      TreeModelProto.Builder treeEdit = tree.toBuilder();
      for (int j = 0; j < tree.getNodesCount(); j++) {
        TreeNodeProto node = tree.getNodes(j);
        // Dispatch on the payload's type: Tribuo 4.3.2 names split nodes "LeafNode" as well.
        if (!node.getSerializedData().is(LeafNodeProto.class)) {
          continue;
        }
        LeafNodeProto leaf = node.getSerializedData().unpack(LeafNodeProto.class);
        LeafNodeProto.Builder leafEdit = leaf.toBuilder();
        if (!isOne(leaf.getOutput())) {
          leafEdit.setOutput(asOne(leaf.getOutput()));
          labels++;
        }
        for (Map.Entry<String, OutputProto> score : leaf.getScoreMap().entrySet()) {
          if (!isOne(score.getValue())) {
            leafEdit.putScore(score.getKey(), asOne(score.getValue()));
            labels++;
          }
        }
        treeEdit.setNodes(j, node.toBuilder().setSerializedData(Any.pack(leafEdit.build())));
        leaves++;
      }
      forestEdit.setModels(i, member.toBuilder().setSerializedData(Any.pack(treeEdit.build())));
    }
    byte[] after =
        model.toBuilder().setSerializedData(Any.pack(forestEdit.build())).build().toByteArray();
    int changed = Math.abs(after.length - before.length);
    for (int i = 0; i < Math.min(before.length, after.length); i++) {
      if (before[i] != after[i]) {
        changed++;
      }
    }
    Files.write(modelFile, after);
    return new Edit(forest.getModelsCount(), leaves, labels, before.length, after.length, changed);
  }

  private static boolean isOne(OutputProto label) throws InvalidProtocolBufferException {
    return label.getSerializedData().unpack(LabelProto.class).getLabel().equals("1");
  }

  private static OutputProto asOne(OutputProto label) throws InvalidProtocolBufferException {
    LabelProto l = label.getSerializedData().unpack(LabelProto.class);
    return label.toBuilder()
        .setSerializedData(Any.pack(l.toBuilder().setLabel("1").build()))
        .build();
  }
}
