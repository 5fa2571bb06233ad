package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tribuo.protos.core.ModelProto;

class ModelAllowListTest {

  @Test
  void defaults_comparedWithTrainedModels_listExactlyWhatTheyName() throws Exception {
    Set<String> classes = new TreeSet<>();
    Set<String> types = new TreeSet<>();
    for (TestModels.Kind kind : TestModels.Kind.values()) {
      ModelScan scan =
          ModelScan.scan(
              ModelProto.parseFrom(TestModels.bytes(kind.train())), ModelAllowList.defaults(), 64);
      classes.addAll(FixturesTest.names(scan.classNames()));
      types.addAll(FixturesTest.names(scan.protoTypes()));
    }
    // pipeline-train's histogram trainers, named in their models' provenance: this module cannot
    // train them (train depends on verify); pipeline-train's TrainServeAgreementTest loads them.
    classes.addAll(ModelAllowList.CUSTODY_TRAINERS);

    assertThat(ModelAllowList.defaults().classNames()).containsExactlyElementsOf(classes);
    assertThat(ModelAllowList.defaults().protoTypes()).containsExactlyElementsOf(types);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"org.tribuo.*", "*", "Canary", "org.tribuo.", "org..Model", " org.tribuo.Model"})
  void allowClass_notAQualifiedClassName_throws(String name) {
    assertThatThrownBy(() -> ModelAllowList.builder().allowClass(name))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void allowProtoType_typeUrl_throws() {
    assertThatThrownBy(
            () ->
                ModelAllowList.builder()
                    .allowProtoType("type.googleapis.com/tribuo.core.ModelProto"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toBuilder_extended_leavesDefaultsUnchanged() {
    ModelAllowList extended =
        ModelAllowList.defaults().toBuilder()
            .allowClass("org.tribuo.data.csv.CSVDataSource")
            .build();

    assertThat(extended.allowsClass("org.tribuo.data.csv.CSVDataSource")).isTrue();
    assertThat(ModelAllowList.defaults().allowsClass("org.tribuo.data.csv.CSVDataSource"))
        .isFalse();
    assertThat(extended.classNames()).containsAll(ModelAllowList.defaults().classNames());
  }
}
