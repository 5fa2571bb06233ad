package dev.custody.train.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.chain.FeatureSchema;
import dev.custody.train.spec.PipelineSpec.FileList;
import dev.custody.train.spec.PipelineSpec.LocalFile;
import dev.custody.train.spec.PipelineSpec.LockFile;
import dev.custody.train.spec.PipelineSpec.RemoteFile;
import dev.custody.train.spec.ScreenSpec.Policy;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PipelineSpecTest {

  @Test
  void load_creditExample_readsEveryField() throws Exception {
    Path file = Fixtures.projectRoot().resolve("examples/credit-rf.yaml");

    PipelineSpec spec = PipelineSpec.load(file);

    assertThat(spec.name()).isEqualTo("credit-rf");
    assertThat(spec.version()).isEqualTo(1);
    assertThat(spec.digest()).isEqualTo(Sha256.of(Files.readAllBytes(file)));
    assertThat(spec.data())
        .isEqualTo(
            new FileList(
                java.util.List.of(
                    new LocalFile(
                        "../../shared/data/default_credit_card.csv",
                        new Sha256(Fixtures.CREDIT_SHA256)))));
    assertThat(spec.format()).isEqualTo(PipelineSpec.Format.CSV);
    assertThat(spec.schema().idColumn()).contains("ID");
    assertThat(spec.schema().label().allowed()).containsExactly("0", "1");
    assertThat(spec.schema().fixedFeatureNames())
        .containsExactly(
            "LIMIT_BAL",
            "AGE",
            "PAY_0",
            "PAY_2",
            "PAY_3",
            "BILL_AMT1",
            "BILL_AMT2",
            "PAY_AMT1",
            "SEX@1",
            "SEX@2");
    assertThat(spec.schema().numeric().get(1))
        .isEqualTo(new FeatureSchema.NumericColumn("AGE", 18, 120));
    assertThat(spec.schema().numeric().get(5).min()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(spec.split()).isEqualTo(new PipelineSpec.Split(0.1, 42, true));
    assertThat(spec.trainer()).isEqualTo(new TrainerSpec.HistForest(5, 3, 100f, 0.5f, 256, 42));
    assertThat(spec.screens())
        .containsExactly(
            new ScreenSpec.Duplicates(Policy.WARN, 0, 10),
            new ScreenSpec.Conflicts(Policy.WARN, 0, 10),
            new ScreenSpec.Outliers(Policy.WARN, 0, 10, 10.0, true),
            new ScreenSpec.LabelNoise(
                Policy.WARN, 0, 20, 5, 10, 42, 10, ScreenSpec.LabelNoise.Model.HIST_FOREST));
    assertThat(spec.baseDirectory()).isEqualTo(file.toAbsolutePath().normalize().getParent());
  }

  @Test
  void load_smsExample_readsTextSchema() throws Exception {
    PipelineSpec spec = PipelineSpec.load(Fixtures.projectRoot().resolve("examples/sms-spam.yaml"));

    assertThat(spec.format()).isEqualTo(PipelineSpec.Format.TSV_TEXT);
    assertThat(spec.schema().text()).containsExactly(new FeatureSchema.TextColumn("text"));
    assertThat(spec.schema().idColumn()).isEmpty();
    assertThat(((FileList) spec.data()).files().get(0).sha256().hex())
        .isEqualTo(Fixtures.SMS_SHA256);
    assertThat(spec.trainer()).isEqualTo(new TrainerSpec.LogisticRegression(0.1, 10, 1, false, 7));
  }

  @Test
  void load_fullSpec_keepsLockScreensAndGatesAsData() throws Exception {
    PipelineSpec spec = PipelineSpec.load(Fixtures.resource("spec/full.yaml"));

    assertThat(spec.data()).isEqualTo(new LockFile("../data/data.lock.yaml", null));
    assertThat(((LockFile) spec.data()).pinned()).isEmpty();
    assertThat(spec.trainer()).isEqualTo(new TrainerSpec.RandomForest(5, 3, 100f, 0.5f, 42));
    assertThat(spec.screens())
        .containsExactly(
            new ScreenSpec.Duplicates(Policy.DROP, 0, 10),
            new ScreenSpec.Conflicts(Policy.FAIL, 0, 10),
            new ScreenSpec.Outliers(Policy.WARN, 0, 3, 5.0, true),
            new ScreenSpec.LabelNoise(Policy.WARN, 0, 10, 5, 10, 7, 10));
    assertThat(spec.screen(ScreenSpec.Conflicts.class).orElseThrow().policy())
        .isEqualTo(Policy.FAIL);
    assertThat(spec.screen(ScreenSpec.LabelChanges.class)).isEmpty();
    assertThat(spec.gates().minimum())
        .containsExactly(Map.entry("accuracy", 0.78), Map.entry("f1:yes", 0.5));
    PipelineSpec.GoldenGate golden = spec.gates().goldenGate().orElseThrow();
    assertThat(golden.data()).isInstanceOf(RemoteFile.class);
    assertThat(golden.minimum())
        .containsExactly(
            Map.entry("accuracy", 0.80), Map.entry("auc", 0.70), Map.entry("recall:yes", 0.30));
    assertThat(spec.gates().canaryGate().orElseThrow().data())
        .isEqualTo(
            new LocalFile(
                "canary.csv",
                new Sha256("9b2f3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809")));
    assertThat(spec.gates().maxChangeGate().orElseThrow().metrics())
        .containsExactly(Map.entry("accuracy", 0.02), Map.entry("auc", 0.02));
  }

  @Test
  void open_returnsTheExactDigestedBytes() throws Exception {
    Path file = Fixtures.resource("spec/full.yaml");
    PipelineSpec spec = PipelineSpec.load(file);

    byte[] bytes;
    try (InputStream in = spec.open()) {
      bytes = in.readAllBytes();
    }

    assertThat(bytes).isEqualTo(Files.readAllBytes(file));
    assertThat(Sha256.of(bytes)).isEqualTo(spec.digest());
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        arguments(
            "label-changes-without-baseline.yaml",
            "24:17: screens.labelChanges: expected params.baseline (the previous spec), found none"),
        arguments(
            "unknown-key.yaml",
            "9:3: schema.lable: unknown key (expected one of: id, label, numeric, categorical,"
                + " text)"),
        arguments(
            "unknown-top-level-key.yaml",
            "20:1: trainr: unknown key (expected one of: name, version, data, format, schema,"
                + " split, trainer, screens, gates, feedback, evaluation)"),
        arguments(
            "version-not-integer.yaml", "2:10: version: expected an integer, found a string (one)"),
        arguments(
            "version-zero.yaml", "2:10: version: expected an integer in [1, 2147483647], found 0"),
        arguments("missing-split.yaml", "1:1: missing required key \"split\""),
        arguments(
            "missing-allowed-labels.yaml", "10:5: schema.label: missing required key \"allowed\""),
        arguments("duplicate-key.yaml", "20:3: split.seed: duplicate key (first at 19:3)"),
        arguments("bad-sha256.yaml", "5:13: data[0].sha256: expected 64 lower-case hex digits"),
        arguments(
            "path-and-url.yaml",
            "4:5: data[0]: expected exactly one of path | url, found path and url"),
        arguments(
            "url-not-http.yaml",
            "4:10: data[0].url: expected an https:// or http:// URL with a host, found"
                + " \"ftp://example.org/good-lf.csv\""),
        arguments(
            "unknown-format.yaml", "6:9: format: expected one of csv | tsv-text, found \"excel\""),
        arguments(
            "trainer-param-wrong-type.yaml",
            "22:19: trainer.params.trees: expected an integer, found a string (five)"),
        arguments(
            "trainer-param-unknown.yaml",
            "22:22: trainer.params.depth: unknown key (expected one of: maxDepth, minLeaf,"
                + " featureFraction, impurity, seed, trees)"),
        arguments(
            "screen-policy-unknown.yaml",
            "24:24: screens.duplicates.policy: expected one of fail | warn | drop, found"
                + " \"ignore\""),
        arguments(
            "screen-param-unknown.yaml",
            "24:39: screens.duplicates.params.folds: unknown key (expected one of: reportRows,"
                + " maxFlagged)"),
        arguments(
            "test-fraction-out-of-range.yaml",
            "18:17: split.testFraction: expected a number in (0.0, 1.0), found 1.5"),
        arguments("yaml-alias.yaml", "12:10: schema.other: YAML aliases (*labels) are not allowed"),
        arguments(
            "label-also-feature.yaml",
            "15:7: schema.numeric[2]: column \"label\" is already used at 10:13"),
        arguments(
            "one-label.yaml",
            "11:14: schema.label.allowed: expected at least two allowed labels, found 1"),
        arguments(
            "min-above-max.yaml",
            "13:36: schema.numeric[0].max: expected max >= min (130.0), found 120.0"),
        arguments(
            "gate-unknown-metric.yaml",
            "29:7: gates.golden.minimum.recall:maybe: unknown key (expected one of: accuracy, auc,"
                + " macroF1, precision:yes, precision:no, recall:yes, recall:no, f1:yes, f1:no)"),
        arguments(
            "gate-minimum-zero.yaml",
            "29:19: gates.golden.minimum.recall:yes: expected a number in (0.0, 1.0], found 0"),
        arguments(
            "numeric-list-not-list.yaml", "12:12: schema.numeric: expected a list, found a string"),
        arguments(
            "feature-name-with-at.yaml",
            "14:7: schema.numeric[1]: a feature column name cannot contain '@', found"
                + " \"income@month\""),
        arguments("two-documents.yaml", "26:1: expected one YAML document, found another one"),
        arguments("not-yaml.yaml", "not valid YAML"),
        arguments("empty.yaml", "1:1: expected a mapping, found an empty document"),
        arguments(
            "tsv-with-numeric.yaml",
            "8:3: schema: tsv-text has exactly the columns label and text"),
        // Issue 11: a tab is reported where it is, not at the start of the token before it.
        arguments(
            "tab-indentation.yaml",
            "22:1: not valid YAML: found a TAB character; YAML does not allow tabs for"
                + " indentation, use spaces"),
        // Issue 11: trainer parameters are checked when the spec loads, before any data is read.
        arguments(
            "forest-without-trees.yaml",
            "22:11: trainer.params: missing required key \"trees\" (a random forest has no default"
                + " number of trees)"),
        arguments(
            "negative-depth.yaml",
            "22:32: trainer.params.maxDepth: expected an integer in [1, 64], found -2"),
        arguments(
            "unknown-trainer.yaml",
            "21:9: trainer.type: expected one of logistic | logistic-lbfgs | cart | random-forest"
                + " | hist-cart | hist-forest, found"
                + " \"xgboost\""),
        arguments(
            "logistic-zero-epochs.yaml",
            "22:20: trainer.params.epochs: expected an integer in [1, 10000], found 0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void load_invalidSpec_rejectedNamingKeyAndLineColumn(String fixture, String message)
      throws Exception {
    Path file = Fixtures.resource("spec/" + fixture);

    PipelineException e =
        catchThrowableOfType(PipelineException.class, () -> PipelineSpec.load(file));

    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.SPEC_INVALID);
    assertThat(e.getMessage())
        .startsWith(fixture + ":" + (message.startsWith("not") ? "" : message));
    assertThat(e.getMessage()).contains(message);
  }

  @Test
  void load_validFixture_parses() throws Exception {
    PipelineSpec spec = PipelineSpec.load(Fixtures.resource("spec/valid.yaml"));

    assertThat(spec.name()).isEqualTo("mini");
  }
}
