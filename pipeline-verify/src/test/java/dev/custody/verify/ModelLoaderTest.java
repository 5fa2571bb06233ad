package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.custody.core.Reason;
import dev.custody.core.VerificationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

class ModelLoaderTest {
  private static final ModelAllowList DEFAULTS = ModelAllowList.defaults();

  @ParameterizedTest
  @EnumSource(TestModels.Kind.class)
  void load_trainedModel_predictsLikeOriginal(TestModels.Kind kind) throws Exception {
    Model<Label> original = kind.train();
    VerifiedArtifact artifact = TestModels.verified(TestModels.bytes(original));

    Model<Label> loaded = ModelLoader.load(artifact, TestModels.expectations(), DEFAULTS);

    assertThat(loaded.getClass()).isEqualTo(original.getClass());
    assertSamePredictions(loaded, original);
  }

  @ParameterizedTest
  @EnumSource(TestModels.Kind.class)
  void load_supportedModel_opensNoJavaSerializationStream(TestModels.Kind kind) throws Exception {
    VerifiedArtifact artifact = TestModels.verified(TestModels.bytes(kind.train()));
    long before = DeserializationFilter.streamsFiltered();

    ModelLoader.load(artifact, TestModels.expectations(), DEFAULTS);

    assertThat(DeserializationFilter.streamsFiltered()).isEqualTo(before);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Fixtures.Crafted.class)
  void load_modelNamingMaliciousClass_rejectedBeforeStaticInitializerRuns(Fixtures.Crafted fixture)
      throws Exception {
    // The canary is on the test classpath: only the scan stands between the file and its
    // initializer.
    assertThat(Class.forName(CanaryWitness.CANARY, false, getClass().getClassLoader())).isNotNull();

    VerificationException e = refuse(fixture.bytes(), DEFAULTS);

    assertThat(CanaryWitness.ran).as("Canary's static initializer ran").isFalse();
    assertThat(e.reason()).isEqualTo(fixture.reason);
    assertThat(e.getMessage()).contains(fixture.named);
  }

  @Test
  void load_classOutsideAllowList_namesEveryRefusedClass() {
    ModelAllowList withoutModel =
        ModelAllowList.builder()
            .allowProtoType(DEFAULTS.protoTypes().toArray(String[]::new))
            .build();

    VerificationException e = refuse(Fixtures.Golden.LOGISTIC_REGRESSION.bytes(), withoutModel);

    assertThat(e.reason()).isEqualTo(Reason.UNSAFE_MODEL);
    assertThat(e.getMessage())
        .contains(
            "class org.tribuo.classification.sgd.linear.LinearSGDModel at ModelProto.class_name")
        .contains("more]");
  }

  @Test
  void load_allowedAnyTypeWithoutSchema_throwsUnsupported() {
    Fixtures.Crafted fixture = Fixtures.Crafted.MODEL_WITH_UNLISTED_ANY_TYPE;
    ModelAllowList allowingIt = DEFAULTS.toBuilder().allowProtoType(fixture.named).build();

    VerificationException e = refuse(fixture.bytes(), allowingIt);

    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
    assertThat(e.getMessage()).contains(fixture.named);
  }

  @Test
  void load_labelSetDiffers_throwsModelMismatch() {
    ModelExpectations expected =
        ModelExpectations.of(List.of("approve", "deny", "escalate"), TestModels.FEATURES);

    VerificationException e = refuse(Fixtures.Golden.CART.bytes(), DEFAULTS, expected);

    assertThat(e.reason()).isEqualTo(Reason.MODEL_MISMATCH);
    assertThat(e.getMessage())
        .startsWith("label set differs from the signed record")
        .contains("missing [escalate]")
        .contains("unexpected [review]");
  }

  @Test
  void load_featureNamesDiffer_throwsModelMismatch() {
    List<String> features = new ArrayList<>(TestModels.FEATURES);
    features.remove("debt");
    features.add("debt_ratio");
    ModelExpectations expected = ModelExpectations.of(TestModels.LABELS, features);

    VerificationException e = refuse(Fixtures.Golden.RANDOM_FOREST.bytes(), DEFAULTS, expected);

    assertThat(e.reason()).isEqualTo(Reason.MODEL_MISMATCH);
    assertThat(e.getMessage())
        .startsWith("feature names differ from the signed record")
        .contains("missing [debt_ratio]")
        .contains("unexpected [debt]");
  }

  @Test
  void load_signedRecordHasExtraFeature_throwsModelMismatch() {
    List<String> features = new ArrayList<>(TestModels.FEATURES);
    features.add("zip_code");
    ModelExpectations expected = ModelExpectations.of(TestModels.LABELS, features);

    VerificationException e =
        refuse(Fixtures.Golden.LOGISTIC_REGRESSION.bytes(), DEFAULTS, expected);

    assertThat(e.reason()).isEqualTo(Reason.MODEL_MISMATCH);
    assertThat(e.getMessage()).contains("missing [zip_code]").contains("unexpected []");
  }

  @ParameterizedTest
  @ValueSource(strings = {"not a model at all\n", "{\"classes_\": [1, 1]}", ""})
  void load_garbageBytes_throwsMalformed(String garbage) {
    VerificationException e = refuse(garbage.getBytes(StandardCharsets.UTF_8), DEFAULTS);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
  }

  @ParameterizedTest
  @EnumSource(Fixtures.Golden.class)
  void load_truncatedModel_throwsMalformed(Fixtures.Golden golden) {
    byte[] model = golden.bytes();
    for (int length : new int[] {1, 7, model.length / 3, model.length / 2, model.length - 1}) {
      VerificationException e = refuse(Arrays.copyOf(model, length), DEFAULTS);

      assertThat(e.reason())
          .as("truncated to %d of %d bytes", length, model.length)
          .isEqualTo(Reason.MALFORMED);
    }
  }

  @Test
  void load_modelWithAppendedBytes_throwsMalformed() {
    byte[] model = Fixtures.Golden.LOGISTIC_REGRESSION.bytes();
    // Field 100, length-delimited, two bytes: a field ModelProto does not have.
    byte[] appended = {(byte) 0xa2, 0x06, 0x02, 'x', 'y'};
    byte[] longer = Arrays.copyOf(model, model.length + appended.length);
    System.arraycopy(appended, 0, longer, model.length, appended.length);

    VerificationException e = refuse(longer, DEFAULTS);

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).contains("does not define");
  }

  @Test
  void load_modelLargerThanLimit_throwsModelTooLarge() {
    byte[] model = Fixtures.Golden.LOGISTIC_REGRESSION.bytes();
    ModelLimits limits = ModelLimits.defaults().withMaxModelBytes(model.length - 1);

    VerificationException e =
        catchThrowableOfType(
            VerificationException.class,
            () ->
                ModelLoader.load(
                    TestModels.verified(model), TestModels.expectations(), DEFAULTS, limits));

    assertThat(e.reason()).isEqualTo(Reason.MODEL_TOO_LARGE);
    assertThat(e.getMessage())
        .contains(model.length + " bytes, the limit is " + (model.length - 1));
  }

  @Test
  @Timeout(10)
  void load_nestingDeeperThanLimit_throwsMalformed() {
    ModelLimits limits = ModelLimits.defaults().withMaxNestingDepth(4);

    VerificationException e =
        catchThrowableOfType(
            VerificationException.class,
            () ->
                ModelLoader.load(
                    TestModels.verified(Fixtures.Golden.RANDOM_FOREST.bytes()),
                    TestModels.expectations(),
                    DEFAULTS,
                    limits));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).contains("nesting");
  }

  private static VerificationException refuse(byte[] model, ModelAllowList allow) {
    return refuse(model, allow, TestModels.expectations());
  }

  private static VerificationException refuse(
      byte[] model, ModelAllowList allow, ModelExpectations expected) {
    VerificationException e =
        catchThrowableOfType(
            VerificationException.class,
            () -> ModelLoader.load(TestModels.verified(model), expected, allow));
    assertThat(e).as("the loader accepted the model").isNotNull();
    return e;
  }

  private static Map<String, Double> scores(Prediction<Label> p) {
    Map<String, Double> out = new TreeMap<>();
    p.getOutputScores().forEach((name, label) -> out.put(name, label.getScore()));
    return out;
  }

  /** Same label and same scores, row by row, on rows neither model was trained on. */
  static void assertSamePredictions(Model<Label> actual, Model<Label> expected) {
    List<Example<Label>> rows = TestModels.examples(7L, 200);
    List<Prediction<Label>> got = actual.predict(rows);
    List<Prediction<Label>> want = expected.predict(rows);
    for (int i = 0; i < rows.size(); i++) {
      assertThat(got.get(i).getOutput().getLabel())
          .as("row %d", i)
          .isEqualTo(want.get(i).getOutput().getLabel());
      assertThat(scores(got.get(i))).as("row %d scores", i).isEqualTo(scores(want.get(i)));
    }
  }
}
