package dev.custody.core.chain;

import static dev.custody.core.chain.Edits.F;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Reason;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GatePredicateTest {

  @Test
  void read_writtenStatement_roundTrips() throws Exception {
    GatePredicate read = GatePredicate.read(Statement.parse(written().toJson()));

    assertThat(read).isEqualTo(Samples.gate());
    assertThat(read.passed()).isTrue();
    assertThat(read.gates().get(1).baselineModel()).isPresent();
  }

  @Test
  void read_crossValidation_roundTripsAndIsAbsentWhenNone() throws Exception {
    GatePredicate.CrossValidation cv =
        new GatePredicate.CrossValidation(
            5,
            42,
            27000,
            java.util.Map.of(
                "accuracy", GatePredicate.FoldMetric.of(List.of(0.8, 0.82, 0.81, 0.79, 0.83))));
    GatePredicate sample = Samples.gate();
    GatePredicate with =
        GatePredicate.of(
            sample.modelName(),
            sample.rootDigest(),
            sample.provenance(),
            sample.contentDigest(),
            sample.gates(),
            cv);

    GatePredicate read = GatePredicate.read(Statement.parse(with.statement().toJson()));

    assertThat(read).isEqualTo(with);
    assertThat(read.crossValidation().metrics().get("accuracy").mean())
        .isCloseTo(0.81, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(read.crossValidation().metrics().get("accuracy").std())
        .isCloseTo(Math.sqrt(0.0002), org.assertj.core.data.Offset.offset(1e-12));
    assertThat(written().predicate().has("crossValidation")).isFalse();
    assertThat(GatePredicate.read(Statement.parse(written().toJson())).crossValidation()).isNull();
  }

  @Test
  void statement_writesUndefinedObservedAsNull_andBaselineOnlyForMaxChange() {
    String json = new String(written().toJson(), StandardCharsets.UTF_8);

    assertThat(json)
        .contains("{\"passed\":true,\"provenance\":{\"sha256\":")
        .contains(
            "\"name\":\"test-accuracy\",\"metric\":\"accuracy\",\"comparator\":\">=\",\"threshold\":0.81,"
                + "\"observed\":0.8157,\"passed\":true,\"sampleSize\":3000,\"dataset\":{\"name\":\"test-split\"")
        .contains("\"observed\":null")
        .containsOnlyOnce("\"baseline\"");
  }

  @Test
  void of_oneGateFailed_isNotPassed() {
    GatePredicate.Gate failed =
        new GatePredicate.Gate(
            "canary",
            "canary-agreement",
            "==",
            1.0,
            0.9,
            false,
            12,
            new GatePredicate.Named("canary.csv", Samples.sha("canary")),
            null);

    assertThat(
            GatePredicate.of("m", Samples.R, Samples.R, Samples.CONTENT, java.util.List.of(failed))
                .passed())
        .isFalse();
  }

  @Test
  void read_failedGate_isReadAsNotPassed() throws Exception {
    Statement st = Edits.put("failed", "/gates/0/passed", F.booleanNode(false)).applyTo(written());
    Statement failed = Edits.put("failed", "/passed", F.booleanNode(false)).applyTo(st);

    GatePredicate read = GatePredicate.read(failed);

    assertThat(read.passed()).isFalse();
    assertThat(read.gates().get(0).passed()).isFalse();
    assertThat(read.gates().get(1).passed()).isTrue();
  }

  private static GatePredicate.Gate gate(
      String metric, String comparator, double threshold, double observed, long rows) {
    return new GatePredicate.Gate(
        "g",
        metric,
        comparator,
        threshold,
        observed,
        true,
        rows,
        new GatePredicate.Named("test-split", Samples.R),
        null);
  }

  static Stream<Arguments> verdicts() {
    return Stream.of(
        arguments(">=", 0.81, 0.8157, true),
        arguments(">=", 0.81, 0.81, true),
        arguments(">=", 0.81, 0.2253, false),
        arguments(">=", 0.81, Double.NaN, false),
        arguments("<=", 0.02, 0.01, true),
        arguments("<=", 0.02, 0.03, false),
        arguments("==", 1.0, 1.0, true),
        arguments("==", 1.0, 0.9, false));
  }

  @ParameterizedTest(name = "{1} {0} {2}: {3}")
  @MethodSource("verdicts")
  void holds_observedAgainstThreshold_followsTheComparator(
      String comparator, double threshold, double observed, boolean holds) {
    assertThat(gate("accuracy", comparator, threshold, observed, 10).holds()).isEqualTo(holds);
  }

  static Stream<Arguments> vacuity() {
    return Stream.of(
        arguments("accuracy", ">=", 0.0, 10L, true),
        arguments("accuracy", ">=", -0.5, 10L, true),
        arguments("accuracy", ">=", 0.01, 10L, false),
        arguments("accuracy", ">=", 0.81, 0L, true),
        arguments("accuracy-drop", "<=", 1.0, 10L, true),
        arguments("accuracy-drop", "<=", 0.99, 10L, false),
        arguments("accuracy-drop", ">=", -1.0, 10L, true),
        arguments("accuracy-drop", ">=", -0.99, 10L, false),
        arguments("canary-agreement", "==", 1.0, 12L, false));
  }

  @ParameterizedTest(name = "{0} {1} {2} on {3} rows: {4}")
  @MethodSource("vacuity")
  void vacuous_thresholdEveryValuePassesOrNoRows_isVacuous(
      String metric, String comparator, double threshold, long rows, boolean vacuous) {
    assertThat(gate(metric, comparator, threshold, 0.5, rows).vacuous()).isEqualTo(vacuous);
  }

  @Test
  void read_unknownComparator_isMalformed() {
    Statement st = Edits.put("gt", "/gates/0/comparator", F.textNode(">")).applyTo(written());

    assertThatThrownBy(() -> GatePredicate.read(st))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessage("gate predicate.gates[0].comparator: expected one of [<=, ==, >=], found '>'");
  }

  static Stream<Arguments> unknownFields() {
    return Stream.of(
        arguments("/extra", "gate predicate: unknown field 'extra'"),
        arguments("/provenance/md5", "gate predicate.provenance: unknown field 'md5'"),
        arguments("/gates/0/extra", "gate predicate.gates[0]: unknown field"),
        arguments(
            "/gates/0/dataset/rows", "gate predicate.gates[0].dataset: unknown field 'rows'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unknownFields")
  void read_unknownField_isMalformed(String pointer, String message) {
    assertRefused(
        Edits.put("unknown", pointer, F.textNode("x")).applyTo(written()),
        Reason.MALFORMED,
        message);
  }

  static Stream<Arguments> missingFields() {
    return Stream.of(
        arguments("/passed", "gate predicate.passed: expected true or false, found nothing"),
        arguments("/contentDigest", "gate predicate.contentDigest"),
        arguments(
            "/gates/0/threshold",
            "gate predicate.gates[0].threshold: expected a number, found nothing"),
        arguments(
            "/gates/0/observed",
            "gate predicate.gates[0].observed: expected a number, found nothing"),
        arguments("/gates/1/baseline/sha256", "gate predicate.gates[1].baseline.sha256"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("missingFields")
  void read_missingField_isMalformed(String pointer, String message) {
    assertRefused(Edits.remove("missing", pointer).applyTo(written()), Reason.MALFORMED, message);
  }

  static Stream<Arguments> wrongTypes() {
    return Stream.of(
        arguments(
            "/passed",
            F.textNode("true"),
            "gate predicate.passed: expected true or false, found string"),
        arguments("/gates", F.objectNode(), "gate predicate.gates: expected an array"),
        arguments(
            "/gates/0", F.textNode("test-accuracy"), "gate predicate.gates[0]: expected an object"),
        arguments(
            "/gates/0/sampleSize",
            F.numberNode(-3),
            "gate predicate.gates[0].sampleSize: expected a non-negative integer"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("wrongTypes")
  void read_wrongType_isMalformed(String pointer, JsonNode value, String message) {
    assertRefused(Edits.put("wrong", pointer, value).applyTo(written()), Reason.MALFORMED, message);
  }

  @Test
  void read_duplicateEntry_isMalformed() {
    assertRefused(
        Edits.duplicate("twice", "/gates/0").applyTo(written()),
        Reason.MALFORMED,
        "gate predicate.gates[2]: 'test-accuracy' is listed twice");
  }

  @Test
  void read_otherPredicateType_isUnsupported() {
    assertRefused(
        Edits.retyped(written(), "https://in-toto.io/attestation/eval-result/v0.1"),
        Reason.UNSUPPORTED,
        "gate attestation: expected predicate type https://custody.dev/gate/v1");
  }

  private static void assertRefused(Statement st, Reason reason, String message) {
    assertThatThrownBy(() -> GatePredicate.read(st))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.reason()).isEqualTo(reason))
        .hasMessageContaining(message);
  }

  /**
   * The sample written afresh for each test, not once into a static field: PIT changes the writer
   * while the test class stays loaded, and a statement written in a static initializer would hide
   * every mutant of the writer.
   */
  private static Statement written() {
    return Samples.gate().statement();
  }

  @Test
  void gateDescribe_namesMetricObservedComparatorAndThreshold() {
    List<GatePredicate.Gate> gates = Samples.gate().gates();

    assertThat(gates.get(0).describe()).isEqualTo("test-accuracy (accuracy 0.8157 >= 0.81)");
    assertThat(gates.get(1).describe()).isEqualTo("max-change-auc (auc-drop undefined <= 0.01)");
  }
}
