package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.protos.core.ModelProto;

/** Keeps the committed fixtures honest: each can be rebuilt from code. */
class FixturesTest {

  @Test
  @EnabledIfSystemProperty(named = Fixtures.WRITE_PROPERTY, matches = "true")
  void writeAll_requested_rewritesFixturesInSourceTree() throws Exception {
    Fixtures.writeAll();
  }

  @ParameterizedTest
  @EnumSource(Fixtures.Crafted.class)
  void craft_fromCommittedGolden_reproducesCommittedBytes(Fixtures.Crafted fixture) {
    assertThat(fixture.craft(fixture.base.bytes())).isEqualTo(fixture.bytes());
  }

  @ParameterizedTest
  @EnumSource(Fixtures.Golden.class)
  void golden_retrainedNow_namesSameClassesAndTypes(Fixtures.Golden golden) throws Exception {
    // Provenance (timestamps, host) makes bytes differ between trainings; the names must not.
    ModelScan committed = scan(golden.bytes());
    ModelScan fresh = scan(TestModels.bytes(golden.kind.train()));

    assertThat(names(fresh.classNames())).isEqualTo(names(committed.classNames()));
    assertThat(names(fresh.protoTypes())).isEqualTo(names(committed.protoTypes()));
  }

  @ParameterizedTest
  @EnumSource(Fixtures.Golden.class)
  void golden_loaded_predictsLikeModelRetrainedNow(Fixtures.Golden golden) throws Exception {
    Model<Label> committed =
        ModelLoader.load(
            TestModels.verified(golden.bytes()),
            TestModels.expectations(),
            ModelAllowList.defaults());
    Model<Label> fresh = golden.kind.train();

    ModelLoaderTest.assertSamePredictions(committed, fresh);
  }

  private static ModelScan scan(byte[] bytes) throws Exception {
    return ModelScan.scan(ModelProto.parseFrom(bytes), ModelAllowList.defaults(), 64);
  }

  static Set<String> names(List<ModelScan.Found> found) {
    return found.stream().map(ModelScan.Found::name).collect(Collectors.toCollection(TreeSet::new));
  }
}
