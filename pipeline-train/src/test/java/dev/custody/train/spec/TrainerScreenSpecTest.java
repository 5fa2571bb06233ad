package dev.custody.train.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.train.spec.ScreenSpec.Policy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code trainer} and {@code screens} sections parse straight into the sealed records: every
 * key valid, unknown, of the wrong type and out of range, each rejected at parse time naming the
 * key and its line:column.
 */
class TrainerScreenSpecTest {
  private static final int UNLIMITED = TrainerSpec.UNLIMITED_DEPTH;

  /** A spec whose trainer is on line 11 and whose screens are on line 12; split seed 3. */
  private static PipelineSpec parse(String trainer, String screens) throws PipelineException {
    String yaml =
        String.join(
            "\n",
            "name: t",
            "version: 1",
            "data:",
            "  - path: d.csv",
            "    sha256: " + "ab".repeat(32),
            "format: csv",
            "schema:",
            "  label: {column: y, allowed: [\"0\", \"1\"]}",
            "  numeric: [x]",
            "split: {testFraction: 0.5, seed: 3}",
            "trainer: " + trainer,
            screens == null ? "" : "screens: " + screens,
            "");
    return PipelineSpec.parse(yaml.getBytes(StandardCharsets.UTF_8), Path.of("."), "t.yaml");
  }

  static Stream<Arguments> validTrainers() {
    return Stream.of(
        arguments("{type: logistic}", new TrainerSpec.LogisticRegression(0.1, 20, 1, true, 3)),
        arguments(
            "{type: logistic, params: {epochs: 5, learningRate: 0.5, minibatch: 8, seed: 9}}",
            new TrainerSpec.LogisticRegression(0.5, 5, 8, true, 9)),
        arguments("{type: logistic-lbfgs}", new TrainerSpec.LbfgsLogistic(1.0, 1e-4, 100, true, 3)),
        arguments(
            "{type: logistic-lbfgs, params: {l2: 0.5, tolerance: 0.001, maxIterations: 50,"
                + " standardize: false, seed: 9}}",
            new TrainerSpec.LbfgsLogistic(0.5, 0.001, 50, false, 9)),
        arguments("{type: cart}", new TrainerSpec.Cart(UNLIMITED, 5f, 0f, 3)),
        arguments(
            "{type: cart, params: {maxDepth: 4, minLeaf: 2.5, featureFraction: 1, impurity: gini,"
                + " seed: 1}}",
            new TrainerSpec.Cart(4, 2.5f, 0f, 1)),
        arguments(
            "{type: random-forest, params: {trees: 7}}",
            new TrainerSpec.RandomForest(7, UNLIMITED, 5f, null, 3)),
        arguments(
            "{type: random-forest, params: {trees: 7, maxDepth: 64, minLeaf: 1,"
                + " featureFraction: 0.25, impurity: gini, seed: -4}}",
            new TrainerSpec.RandomForest(7, 64, 1f, 0.25f, -4)),
        arguments("{type: hist-cart}", new TrainerSpec.HistCart(UNLIMITED, 5f, 256, 3)),
        arguments(
            "{type: hist-cart, params: {maxDepth: 4, minLeaf: 2.5, featureFraction: 1,"
                + " impurity: gini, bins: 2, seed: 1}}",
            new TrainerSpec.HistCart(4, 2.5f, 2, 1)),
        arguments(
            "{type: hist-forest, params: {trees: 7}}",
            new TrainerSpec.HistForest(7, UNLIMITED, 5f, null, 256, 3)),
        arguments(
            "{type: hist-forest, params: {trees: 5, maxDepth: 3, minLeaf: 100,"
                + " featureFraction: 0.5, bins: 64, seed: 42}}",
            new TrainerSpec.HistForest(5, 3, 100f, 0.5f, 64, 42)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validTrainers")
  void parse_validTrainer_givesTypedRecordWithDefaults(String trainer, TrainerSpec expected)
      throws Exception {
    assertThat(parse(trainer, null).trainer()).isEqualTo(expected);
  }

  static Stream<Arguments> invalidTrainers() {
    return Stream.of(
        // unknown keys
        arguments(
            "{type: logistic, params: {trees: 5}}",
            "trainer.params.trees: unknown key (expected one of: epochs, learningRate, minibatch,"
                + " standardize, seed)"),
        arguments(
            "{type: cart, params: {trees: 5}}",
            "trainer.params.trees: unknown key (expected one of: maxDepth, minLeaf,"
                + " featureFraction, impurity, seed)"),
        arguments(
            "{type: cart, seed: 1}", "trainer.seed: unknown key (expected one of: type, params)"),
        arguments(
            "{type: xgboost}",
            "trainer.type: expected one of logistic | logistic-lbfgs | cart | random-forest |"
                + " hist-cart | hist-forest, found \"xgboost\""),
        arguments(
            "{type: logistic-lbfgs, params: {epochs: 5}}",
            "trainer.params.epochs: unknown key (expected one of: l2, tolerance, maxIterations,"
                + " standardize, seed)"),
        arguments(
            "{type: logistic-lbfgs, params: {l2: -1}}",
            "trainer.params.l2: expected a number in [0.0, 1000000.0], found -1.0"),
        arguments(
            "{type: logistic-lbfgs, params: {tolerance: 0}}",
            "trainer.params.tolerance: expected a number in (0.0, 1.0], found 0.0"),
        arguments(
            "{type: logistic-lbfgs, params: {maxIterations: 0}}",
            "trainer.params.maxIterations: expected an integer in [1, 100000], found 0"),
        arguments(
            "{type: logistic-lbfgs, params: {l2: strong}}",
            "trainer.params.l2: expected a number, found a string (strong)"),
        arguments(
            "{type: random-forest, params: {trees: 5, bins: 16}}",
            "trainer.params.bins: unknown key (expected one of: maxDepth, minLeaf,"
                + " featureFraction, impurity, seed, trees)"),
        arguments(
            "{type: hist-forest, params: {trees: 5, depth: 3}}",
            "trainer.params.depth: unknown key (expected one of: maxDepth, minLeaf,"
                + " featureFraction, impurity, seed, trees, bins)"),
        arguments(
            "{type: hist-cart, params: {trees: 5}}",
            "trainer.params.trees: unknown key (expected one of: maxDepth, minLeaf,"
                + " featureFraction, impurity, seed, bins)"),
        arguments(
            "{type: hist-forest, params: {trees: 5, bins: many}}",
            "trainer.params.bins: expected an integer, found a string (many)"),
        arguments(
            "{type: hist-forest, params: {trees: 5, bins: 1}}",
            "trainer.params.bins: expected an integer in [2, 256], found 1"),
        arguments(
            "{type: hist-cart, params: {bins: 257}}",
            "trainer.params.bins: expected an integer in [2, 256], found 257"),
        arguments(
            "{type: hist-forest, params: {trees: 0}}",
            "trainer.params.trees: expected an integer in [1, 10000], found 0"),
        arguments(
            "{type: hist-forest, params: {trees: 5, featureFraction: 1}}",
            "trainer.params.featureFraction: a random forest samples features: expected a number"
                + " in (0.0, 1.0), found 1.0"),
        arguments(
            "{type: hist-forest, params: {trees: 5, maxDepth: 65}}",
            "trainer.params.maxDepth: expected an integer in [1, 64], found 65"),
        arguments(
            "{type: hist-forest, params: {trees: 5, minLeaf: 0}}",
            "trainer.params.minLeaf: expected a number in (0.0, "),
        arguments(
            "{type: hist-cart, params: {featureFraction: 0.5}}",
            "trainer.params.featureFraction: a single CART tree considers every feature: expected"
                + " 1, found 0.5 (use type hist-forest to sample features)"),
        // wrong types
        arguments(
            "{type: logistic, params: {epochs: ten}}",
            "trainer.params.epochs: expected an integer, found a string (ten)"),
        arguments(
            "{type: logistic, params: {learningRate: fast}}",
            "trainer.params.learningRate: expected a number, found a string (fast)"),
        arguments(
            "{type: logistic, params: {minibatch: 1.5}}",
            "trainer.params.minibatch: expected an integer"),
        arguments("{type: cart, params: {seed: 1.5}}", "trainer.params.seed: expected an integer"),
        arguments(
            "{type: cart, params: {maxDepth: deep}}",
            "trainer.params.maxDepth: expected an integer, found a string (deep)"),
        arguments(
            "{type: cart, params: {minLeaf: few}}",
            "trainer.params.minLeaf: expected a number, found a string (few)"),
        arguments(
            "{type: cart, params: {impurity: 1}}", "trainer.params.impurity: expected a string"),
        arguments(
            "{type: random-forest, params: {trees: 5, featureFraction: half}}",
            "trainer.params.featureFraction: expected a number, found a string (half)"),
        // out of range
        arguments(
            "{type: logistic, params: {epochs: 0}}",
            "trainer.params.epochs: expected an integer in [1, 10000], found 0"),
        arguments(
            "{type: logistic, params: {learningRate: 0}}",
            "trainer.params.learningRate: expected a number in (0.0, 1000.0], found 0.0"),
        arguments(
            "{type: logistic, params: {minibatch: 0}}",
            "trainer.params.minibatch: expected an integer in [1, 1000000], found 0"),
        arguments(
            "{type: cart, params: {maxDepth: 65}}",
            "trainer.params.maxDepth: expected an integer in [1, 64], found 65"),
        arguments(
            "{type: cart, params: {maxDepth: 0}}",
            "trainer.params.maxDepth: expected an integer in [1, 64], found 0"),
        arguments(
            "{type: cart, params: {minLeaf: 0}}",
            "trainer.params.minLeaf: expected a number in (0.0, "),
        arguments(
            "{type: cart, params: {featureFraction: 0.5}}",
            "trainer.params.featureFraction: a single CART tree considers every feature: expected"
                + " 1, found 0.5"),
        arguments(
            "{type: random-forest, params: {trees: 0}}",
            "trainer.params.trees: expected an integer in [1, 10000], found 0"),
        arguments(
            "{type: random-forest, params: {trees: 5, featureFraction: 1}}",
            "trainer.params.featureFraction: a random forest samples features: expected a number"
                + " in (0.0, 1.0), found 1.0"),
        arguments(
            "{type: random-forest, params: {trees: 5, featureFraction: 0}}",
            "trainer.params.featureFraction: a random forest samples features: expected a number"
                + " in (0.0, 1.0), found 0.0"),
        arguments(
            "{type: random-forest, params: {trees: 5, minLeaf: -1}}",
            "trainer.params.minLeaf: expected a number in (0.0, "));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidTrainers")
  void parse_invalidTrainer_rejectedAtTheKey(String trainer, String message) {
    assertRejected(() -> parse(trainer, null), 11, message);
  }

  @Test
  void parse_entropyImpurity_rejectedBecauseTheLoaderAdmitsGiniOnly() {
    assertRejected(
        () -> parse("{type: random-forest, params: {trees: 5, impurity: entropy}}", null),
        11,
        "trainer.params.impurity: expected gini (the only impurity the safe model loader's"
            + " allow-list admits), found \"entropy\"");
    assertRejected(
        () -> parse("{type: cart, params: {impurity: entropy}}", null),
        11,
        "trainer.params.impurity: expected gini");
  }

  @Test
  void parse_randomForestWithoutTrees_rejectedAtParseTime() {
    assertRejected(
        () -> parse("{type: random-forest, params: {maxDepth: 3}}", null),
        11,
        "trainer.params: missing required key \"trees\" (a random forest has no default number"
            + " of trees)");
    assertRejected(
        () -> parse("{type: random-forest}", null), 11, "trainer: missing required key \"trees\"");
  }

  static Stream<Arguments> validScreens() {
    return Stream.of(
        arguments(
            "{duplicates: {policy: drop, params: {maxFlagged: 3, reportRows: 0}}}",
            new ScreenSpec.Duplicates(Policy.DROP, 3, 0)),
        arguments("{conflicts: {policy: fail}}", new ScreenSpec.Conflicts(Policy.FAIL, 0, 10)),
        arguments(
            "{outliers: {policy: warn}}", new ScreenSpec.Outliers(Policy.WARN, 0, 10, 7.0, true)),
        arguments(
            "{outliers: {policy: warn, params: {threshold: 10}}}",
            new ScreenSpec.Outliers(Policy.WARN, 0, 10, 10.0, true)),
        arguments(
            "{outliers: {policy: warn, params: {perClass: false}}}",
            new ScreenSpec.Outliers(Policy.WARN, 0, 10, 7.0, false)),
        arguments(
            "{labelNoise: {policy: warn}}",
            new ScreenSpec.LabelNoise(Policy.WARN, 0, 10, 5, 10, 3, 10)),
        arguments(
            "{labelNoise: {policy: fail, params: {folds: 3, epochs: 2, seed: 8, expand: bins,"
                + " bins: 4, maxFlagged: 7, reportRows: 2}}}",
            new ScreenSpec.LabelNoise(Policy.FAIL, 7, 2, 3, 2, 8, 4)),
        arguments(
            "{labelNoise: {policy: warn, params: {expand: none}}}",
            new ScreenSpec.LabelNoise(Policy.WARN, 0, 10, 5, 10, 3, 0)),
        arguments(
            "{labelNoise: {policy: warn, params: {model: logistic}}}",
            new ScreenSpec.LabelNoise(Policy.WARN, 0, 10, 5, 10, 3, 10)),
        arguments(
            "{labelNoise: {policy: warn, params: {model: hist-forest, folds: 4}}}",
            new ScreenSpec.LabelNoise(
                Policy.WARN, 0, 10, 4, 10, 3, 10, ScreenSpec.LabelNoise.Model.HIST_FOREST)),
        arguments(
            "{labelNoise: {policy: drop, params: {model: hist-cart, seed: 9}}}",
            new ScreenSpec.LabelNoise(
                Policy.DROP, 0, 10, 5, 10, 9, 10, ScreenSpec.LabelNoise.Model.HIST_CART)),
        arguments(
            "{labelChanges: {policy: fail, params: {baseline: old.yaml}}}",
            new ScreenSpec.LabelChanges(Policy.FAIL, 0, 10, "old.yaml")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validScreens")
  void parse_validScreen_givesTypedRecordWithDefaults(String screens, ScreenSpec expected)
      throws Exception {
    assertThat(parse("{type: cart}", screens).screens()).containsExactly(expected);
  }

  @Test
  void parse_screensInAnyOrder_runInTheFixedOrder() throws Exception {
    PipelineSpec spec =
        parse(
            "{type: cart}",
            "{labelNoise: {policy: warn}, outliers: {policy: warn}, duplicates: {policy: drop}}");

    assertThat(spec.screens())
        .extracting(ScreenSpec::name)
        .containsExactly("duplicates", "outliers", "labelNoise");
    assertThat(spec.screen(ScreenSpec.Outliers.class)).isPresent();
    assertThat(spec.screen(ScreenSpec.Conflicts.class)).isEmpty();
  }

  static Stream<Arguments> invalidScreens() {
    return Stream.of(
        // unknown keys
        arguments(
            "{outlier: {policy: warn}}",
            "screens.outlier: unknown key (expected one of: duplicates, conflicts, outliers,"
                + " labelNoise, labelChanges)"),
        arguments(
            "{duplicates: {policy: warn, maxFlagged: 1}}",
            "screens.duplicates.maxFlagged: unknown key (expected one of: policy, params)"),
        arguments(
            "{conflicts: {policy: warn, params: {threshold: 1}}}",
            "screens.conflicts.params.threshold: unknown key (expected one of: reportRows,"
                + " maxFlagged)"),
        arguments(
            "{outliers: {policy: warn, params: {folds: 1}}}",
            "screens.outliers.params.folds: unknown key (expected one of: reportRows, maxFlagged,"
                + " threshold, perClass)"),
        arguments(
            "{labelNoise: {policy: warn, params: {threshold: 1}}}",
            "screens.labelNoise.params.threshold: unknown key (expected one of: reportRows,"
                + " maxFlagged, folds, epochs, seed, expand, bins, model)"),
        arguments(
            "{labelChanges: {policy: warn, params: {baseline: a.yaml, folds: 2}}}",
            "screens.labelChanges.params.folds: unknown key (expected one of: reportRows,"
                + " maxFlagged, baseline)"),
        // wrong types
        arguments(
            "{duplicates: {policy: warn, params: {reportRows: ten}}}",
            "screens.duplicates.params.reportRows: expected an integer, found a string (ten)"),
        arguments(
            "{conflicts: {policy: fail, params: {maxFlagged: 1.5}}}",
            "screens.conflicts.params.maxFlagged: expected an integer"),
        arguments(
            "{outliers: {policy: warn, params: {threshold: high}}}",
            "screens.outliers.params.threshold: expected a number, found a string (high)"),
        arguments(
            "{labelNoise: {policy: warn, params: {folds: five}}}",
            "screens.labelNoise.params.folds: expected an integer, found a string (five)"),
        arguments(
            "{labelNoise: {policy: warn, params: {epochs: 1.5}}}",
            "screens.labelNoise.params.epochs: expected an integer"),
        arguments(
            "{labelNoise: {policy: warn, params: {seed: x}}}",
            "screens.labelNoise.params.seed: expected an integer, found a string (x)"),
        arguments(
            "{labelNoise: {policy: warn, params: {expand: 3}}}",
            "screens.labelNoise.params.expand: expected a string"),
        arguments(
            "{labelNoise: {policy: warn, params: {bins: many}}}",
            "screens.labelNoise.params.bins: expected an integer, found a string (many)"),
        arguments(
            "{labelChanges: {policy: warn, params: {baseline: 5}}}",
            "screens.labelChanges.params.baseline: expected a string"),
        // out of range
        arguments(
            "{duplicates: {policy: warn, params: {reportRows: 10001}}}",
            "screens.duplicates.params.reportRows: expected an integer in [0, 10000], found 10001"),
        arguments(
            "{conflicts: {policy: fail, params: {maxFlagged: -1}}}",
            "screens.conflicts.params.maxFlagged: expected an integer in [0, 9223372036854775807],"
                + " found -1"),
        arguments(
            "{outliers: {policy: warn, params: {threshold: 0}}}",
            "screens.outliers.params.threshold: expected a number in (0.0, 1000000.0], found 0.0"),
        arguments(
            "{labelNoise: {policy: warn, params: {folds: 1}}}",
            "screens.labelNoise.params.folds: expected an integer in [2, 50], found 1"),
        arguments(
            "{labelNoise: {policy: warn, params: {epochs: 0}}}",
            "screens.labelNoise.params.epochs: expected an integer in [1, 1000], found 0"),
        arguments(
            "{labelNoise: {policy: warn, params: {bins: 1}}}",
            "screens.labelNoise.params.bins: expected an integer in [2, 100], found 1"),
        arguments(
            "{labelNoise: {policy: warn, params: {expand: some}}}",
            "screens.labelNoise.params.expand: expected one of bins | none, found \"some\""),
        arguments(
            "{labelNoise: {policy: warn, params: {expand: none, bins: 5}}}",
            "screens.labelNoise.params.bins: expected no bins with expand: none, found bins"),
        arguments(
            "{labelNoise: {policy: warn, params: {model: forest}}}",
            "screens.labelNoise.params.model: expected one of logistic | hist-cart | hist-forest,"
                + " found \"forest\""),
        arguments(
            "{labelNoise: {policy: warn, params: {model: 3}}}",
            "screens.labelNoise.params.model: expected a string"),
        arguments(
            "{labelNoise: {policy: warn, params: {model: hist-forest, epochs: 5}}}",
            "screens.labelNoise.params.epochs: expected no epochs with model: hist-forest"
                + " (logistic only)"),
        arguments(
            "{labelNoise: {policy: warn, params: {model: hist-cart, expand: none}}}",
            "screens.labelNoise.params.expand: expected no expand with model: hist-cart"
                + " (logistic only)"),
        arguments(
            "{labelChanges: {policy: warn}}",
            "screens.labelChanges: expected params.baseline (the previous spec), found none"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidScreens")
  void parse_invalidScreen_rejectedAtTheKey(String screens, String message) {
    assertRejected(() -> parse("{type: cart}", screens), 12, message);
  }

  @Test
  void parse_treeLabelNoiseModelOnTextColumns_rejectedAtTheModel() {
    String yaml =
        String.join(
            "\n",
            "name: t",
            "version: 1",
            "data:",
            "  - path: d.tsv",
            "    sha256: " + "ab".repeat(32),
            "format: tsv-text",
            "schema:",
            "  label: {column: label, allowed: [ham, spam]}",
            "  text: [text]",
            "split: {testFraction: 0.5, seed: 3}",
            "trainer: {type: logistic}",
            "screens: {labelNoise: {policy: warn, params: {model: hist-forest}}}",
            "");

    assertRejected(
        () -> PipelineSpec.parse(yaml.getBytes(StandardCharsets.UTF_8), Path.of("."), "t.yaml"),
        12,
        "screens.labelNoise.params.model: model hist-forest screens numeric and categorical"
            + " features only; this schema has text columns: use model: logistic");
  }

  private interface Parse {
    PipelineSpec run() throws Exception;
  }

  private static void assertRejected(Parse parse, int line, String message) {
    PipelineException e = catchThrowableOfType(PipelineException.class, parse::run);

    assertThat(e).as("expected SPEC_INVALID: " + message).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.SPEC_INVALID);
    assertThat(e.getMessage()).startsWith("t.yaml:" + line + ":").contains(message);
  }
}
