package dev.custody.train.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.spec.TrainerSpec;
import dev.custody.verify.ModelContentDigest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.protos.core.ModelProto;

class ModelContentTest {
  /** The first 2,000 credit rows: enough for every trainer, quick to train. */
  private static TrainingTable small() {
    TrainingTable all = CreditData.table();
    return new TrainingTable(all.featureNames(), all.labels(), all.rows().subList(0, 2_000));
  }

  static Stream<TrainerSpec> specs() {
    return Stream.of(
        TrainerSpec.LogisticRegression.withDefaults(7),
        new TrainerSpec.Cart(4, 20f, 0f, 7),
        new TrainerSpec.RandomForest(3, 3, 20f, 0.5f, 7));
  }

  @ParameterizedTest
  @MethodSource("specs")
  void digest_sameSpecAndRowsTrainedTwice_equalDigestThoughBytesDiffer(TrainerSpec spec)
      throws Exception {
    Model<Label> first = Trainers.train(spec, small());
    Thread.sleep(5); // a later training instant, recorded in the provenance
    Model<Label> second = Trainers.train(spec, small());

    assertThat(ModelContent.protobufBytes(first)).isNotEqualTo(ModelContent.protobufBytes(second));
    assertThat(ModelContent.digest(first)).isEqualTo(ModelContent.digest(second));
  }

  @ParameterizedTest
  @MethodSource("specs")
  void digest_otherSeed_differs(TrainerSpec spec) throws Exception {
    // The seed is part of the trainer's provenance, so even a CART tree, which makes no random
    // choice when it considers every feature, gets another digest.
    TrainerSpec other = reseed(spec, 8);

    assertThat(ModelContent.digest(Trainers.train(other, small())))
        .isNotEqualTo(ModelContent.digest(Trainers.train(spec, small())));
  }

  @Test
  void digest_ofExportedBytes_equalsDigestOfModel() throws Exception {
    Model<Label> model = Trainers.train(new TrainerSpec.Cart(3, 20f, 0f, 1), small());

    Sha256 fromBytes = ModelContentDigest.of(ModelContent.protobufBytes(model));

    assertThat(fromBytes).isEqualTo(ModelContent.digest(model));
  }

  @Test
  void canonicalBytes_trainedModel_dropVolatileProvenanceOnly() throws Exception {
    Model<Label> model = Trainers.train(TrainerSpec.LogisticRegression.withDefaults(3), small());
    String year = model.getProvenance().getTrainingTime().toString().substring(0, 5); // "2026-"
    String javaVersion = System.getProperty("java.version");

    String raw = latin1(ModelContent.protobufBytes(model));
    String canonical = latin1(ModelContentDigest.canonicalBytes(ModelContent.protobufBytes(model)));

    assertThat(raw).contains("trained-at", year, javaVersion, "os-arch");
    assertThat(canonical).contains("trained-at", "java-version", "os-arch").doesNotContain(year);
    assertThat(canonical).doesNotContain(javaVersion);
    // What the model is and how it was made stays: trainer, seed, Tribuo version, feature names.
    assertThat(canonical)
        .contains(
            "org.tribuo.classification.sgd.linear.LinearSGDTrainer", "seed", "4.3.2", "PAY_AMT1");
  }

  @Test
  void protobufBytes_logisticOnNumbersAndCategories_sameBytesAsTribuosWriter() throws Exception {
    // Credit features: numbers with many values (RealIDInfo, written by Tribuo) and few
    // (CategoricalIDInfo with a value-count map, written by LinearSgdProto).
    Model<Label> model =
        Trainers.train(new TrainerSpec.LogisticRegression(0.1, 2, 1, false, 5), small());

    assertThat(model).isInstanceOf(LinearSGDModel.class);
    assertThat(LinearSgdProto.of((LinearSGDModel) model)).isNotNull();
    assertThat(ModelContent.protobufBytes(model)).isEqualTo(model.serialize().toByteArray());
  }

  @Test
  void protobufBytes_logisticOnTokenCounts_sameBytesAsTribuosWriter() throws Exception {
    // Text-like rows: a few thousand sparse token features, each seen once, with one count or
    // with several (value-count maps of several sizes).
    SplittableRandom random = new SplittableRandom(11);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      names.add("text@tok" + i);
    }
    List<TrainingTable.Row> rows = new ArrayList<>();
    for (int r = 0; r < 600; r++) {
      TreeMap<String, Double> counts = new TreeMap<>();
      int tokens = 1 + random.nextInt(12);
      for (int t = 0; t < tokens; t++) {
        counts.put(names.get(random.nextInt(names.size())), 1.0 + random.nextInt(4));
      }
      rows.add(
          new TrainingTable.Row(
              r + 1L,
              random.nextInt(3) == 0 ? "spam" : "ham",
              new ArrayList<>(counts.keySet()),
              new ArrayList<>(counts.values())));
    }
    TrainingTable table = new TrainingTable(names, List.of("ham", "spam"), rows);
    TrainerSpec spec = new TrainerSpec.LogisticRegression(1.0, 3, 1, false, 7);
    Model<Label> model = Trainers.train(spec, table);

    assertThat(model).isInstanceOf(LinearSGDModel.class);
    assertThat(model.getFeatureIDMap().size()).isGreaterThan(2_000);
    assertThat(ModelContent.protobufBytes(model)).isEqualTo(model.serialize().toByteArray());
  }

  @Test
  void protobufBytes_turkishDefaultLocale_throwsNamingTheWorkaround() throws Exception {
    Model<Label> model = Trainers.train(new TrainerSpec.Cart(2, 1f, 0f, 1), TinyTable.create());
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.forLanguageTag("tr-TR"));

      assertThatThrownBy(() -> ModelContent.protobufBytes(model))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("-Duser.language=en");
    } finally {
      Locale.setDefault(before);
    }
  }

  @Test
  void digest_notAModel_throwsMalformed() {
    byte[] garbage = "this is not a protobuf model".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ModelContentDigest.of(garbage))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
  }

  @Test
  void digest_unknownNestedType_throwsUnsupported() {
    byte[] model =
        ModelProto.newBuilder()
            .setVersion(0)
            .setClassName("org.example.Gadget")
            .setSerializedData(
                Any.newBuilder()
                    .setTypeUrl("type.googleapis.com/org.example.GadgetProto")
                    .setValue(ByteString.copyFromUtf8("x")))
            .build()
            .toByteArray();

    assertThatThrownBy(() -> ModelContentDigest.of(model))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED))
        .hasMessageContaining("org.example.GadgetProto");
  }

  @Test
  void digest_deeplyNestedAny_throwsMalformed() {
    ByteString inner = ByteString.EMPTY;
    for (int i = 0; i < 40; i++) {
      inner =
          ModelProto.newBuilder()
              .setClassName("nested")
              .setSerializedData(
                  Any.newBuilder()
                      .setTypeUrl("type.googleapis.com/tribuo.core.ModelProto")
                      .setValue(inner))
              .build()
              .toByteString();
    }
    byte[] model = inner.toByteArray();

    assertThatThrownBy(() -> ModelContentDigest.of(model))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
  }

  private static TrainerSpec reseed(TrainerSpec spec, long seed) {
    if (spec instanceof TrainerSpec.LogisticRegression lr) {
      return new TrainerSpec.LogisticRegression(
          lr.learningRate(), lr.epochs(), lr.minibatch(), lr.standardize(), seed);
    }
    if (spec instanceof TrainerSpec.Cart cart) {
      return new TrainerSpec.Cart(
          cart.maxDepth(), cart.minLeaf(), cart.minImpurityDecrease(), seed);
    }
    TrainerSpec.RandomForest rf = (TrainerSpec.RandomForest) spec;
    return new TrainerSpec.RandomForest(
        rf.trees(), rf.maxDepth(), rf.minLeaf(), rf.featureFraction(), seed);
  }

  private static String latin1(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }
}
