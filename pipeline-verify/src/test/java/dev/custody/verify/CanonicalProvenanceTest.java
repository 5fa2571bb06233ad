package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.oracle.labs.mlrg.olcut.config.protobuf.protos.ListProvenanceProto;
import com.oracle.labs.mlrg.olcut.config.protobuf.protos.MapProvenanceProto;
import com.oracle.labs.mlrg.olcut.config.protobuf.protos.ObjectProvenanceProto;
import com.oracle.labs.mlrg.olcut.config.protobuf.protos.RootProvenanceProto;
import com.oracle.labs.mlrg.olcut.config.protobuf.protos.SimpleProvenanceProto;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanonicalProvenanceTest {

  private static ObjectProvenanceProto object(int index, String name, Map<String, Integer> values) {
    return ObjectProvenanceProto.newBuilder()
        .setIndex(index)
        .setObjectName(name)
        .setObjectClassName("org.example.Thing")
        .setProvenanceClassName("org.example.ThingProvenance")
        .putAllValues(values)
        .build();
  }

  private static SimpleProvenanceProto simple(int index, String key, String value) {
    return SimpleProvenanceProto.newBuilder()
        .setIndex(index)
        .setKey(key)
        .setValue(value)
        .setProvenanceClassName("com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance")
        .build();
  }

  private static SimpleProvenanceProto reference(int index, String key, String object) {
    return simple(index, key, object).toBuilder().setIsReference(true).build();
  }

  /** model-0 {a: "x", b: ref dataset, c: [1, 2]}, dataset {d: "y"}, numbered one way... */
  private static RootProvenanceProto numberedOneWay() {
    return RootProvenanceProto.newBuilder()
        .addOmp(object(0, "model-0", Map.of("a", 1, "b", 2, "c", 3)))
        .addSmp(simple(1, "a", "x"))
        .addSmp(reference(2, "b", "dataset-1"))
        .addLmp(ListProvenanceProto.newBuilder().setIndex(3).addValues(4).addValues(5))
        .addSmp(simple(4, "c", "1"))
        .addSmp(simple(5, "c", "2"))
        .addOmp(object(6, "dataset-1", Map.of("d", 7)))
        .addSmp(simple(7, "d", "y"))
        .build();
  }

  /** ...and the same content numbered and named another way, entries in another order. */
  private static RootProvenanceProto numberedAnotherWay() {
    return RootProvenanceProto.newBuilder()
        .addOmp(object(0, "model-0", Map.of("c", 1, "b", 4, "a", 7)))
        .addOmp(object(5, "dataset-9", Map.of("d", 6)))
        .addSmp(simple(6, "d", "y"))
        .addSmp(simple(7, "a", "x"))
        .addSmp(simple(3, "c", "2"))
        .addSmp(simple(2, "c", "1"))
        .addSmp(reference(4, "b", "dataset-9"))
        .addLmp(ListProvenanceProto.newBuilder().setIndex(1).addValues(2).addValues(3))
        .build();
  }

  @Test
  void canonical_sameContentNumberedDifferently_equal() throws Exception {
    RootProvenanceProto a = CanonicalProvenance.canonical(numberedOneWay());
    RootProvenanceProto b = CanonicalProvenance.canonical(numberedAnotherWay());

    assertThat(a).isEqualTo(b);
    assertThat(a.getOmpList())
        .extracting(ObjectProvenanceProto::getObjectName)
        .containsExactly("model-0", "dataset-1");
  }

  @Test
  void canonical_listOrderChanged_differs() throws Exception {
    RootProvenanceProto swapped =
        numberedOneWay().toBuilder()
            .setLmp(0, ListProvenanceProto.newBuilder().setIndex(3).addValues(5).addValues(4))
            .build();

    assertThat(CanonicalProvenance.canonical(swapped))
        .isNotEqualTo(CanonicalProvenance.canonical(numberedOneWay()));
  }

  @Test
  void canonical_indexUsedTwice_throwsMalformed() {
    RootProvenanceProto bad = numberedOneWay().toBuilder().addSmp(simple(7, "z", "dup")).build();

    assertMalformed(bad, "used twice");
  }

  @Test
  void canonical_referenceToMissingObject_throwsMalformed() {
    RootProvenanceProto bad =
        numberedOneWay().toBuilder().setSmp(1, reference(2, "b", "nowhere-3")).build();

    assertMalformed(bad, "reference to no object");
  }

  @Test
  void canonical_unreachableValue_throwsMalformed() {
    RootProvenanceProto bad = numberedOneWay().toBuilder().addSmp(simple(8, "orphan", "o")).build();

    assertMalformed(bad, "unreachable");
  }

  @Test
  void canonical_valueWithTwoParents_throwsMalformed() {
    RootProvenanceProto bad =
        numberedOneWay().toBuilder()
            .setOmp(1, object(6, "dataset-1", Map.of("d", 7, "again", 1)))
            .build();

    assertMalformed(bad, "two parents");
  }

  @Test
  void canonical_mapNestedTooDeep_throwsMalformed() {
    RootProvenanceProto.Builder deep =
        RootProvenanceProto.newBuilder().addOmp(object(0, "model-0", Map.of("m", 1)));
    for (int i = 1; i <= CanonicalProvenance.MAX_NESTING + 1; i++) {
      deep.addMmp(MapProvenanceProto.newBuilder().setIndex(i).putValues("m", i + 1));
    }
    deep.addSmp(simple(CanonicalProvenance.MAX_NESTING + 2, "m", "bottom"));

    assertMalformed(deep.build(), "nested");
  }

  @Test
  void canonical_cycleThroughReferences_terminates() throws Exception {
    RootProvenanceProto cycle =
        RootProvenanceProto.newBuilder()
            .addOmp(object(0, "a-0", Map.of("next", 1)))
            .addSmp(reference(1, "next", "b-1"))
            .addOmp(object(2, "b-1", Map.of("next", 3)))
            .addSmp(reference(3, "next", "a-0"))
            .build();

    assertThat(CanonicalProvenance.canonical(cycle).getOmpCount()).isEqualTo(2);
  }

  private static void assertMalformed(RootProvenanceProto root, String message) {
    assertThatThrownBy(() -> CanonicalProvenance.canonical(root))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining(message);
  }
}
