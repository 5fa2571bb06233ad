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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DatasetPredicateTest {

  @Test
  void read_writtenStatement_roundTrips() throws Exception {
    Statement parsed = Statement.parse(written().toJson());

    assertThat(DatasetPredicate.read(parsed)).isEqualTo(Samples.dataset());
    assertThat(parsed.subjects())
        .containsExactly(Statement.Subject.of("credit-rf-dataset", Samples.D));
  }

  @Test
  void statement_writesUnboundedEndsAsNull_andNonFiniteStatisticsAsStrings() {
    String json = new String(written().toJson(), StandardCharsets.UTF_8);

    assertThat(json)
        .contains("{\"column\":\"LIMIT_BAL\",\"min\":0.0,\"max\":null}")
        .contains("\"statistics\":{\"groups\":2.0,\"median\":\"NaN\",\"ceiling\":\"Infinity\"}")
        .contains("{\"source\":\"a.csv\",\"line\":9,\"label\":\"0\",\"detail\":\"\"}")
        .containsSubsequence(
            "\"spec\"",
            "\"format\"",
            "\"lock\"",
            "\"files\"",
            "\"rows\"",
            "\"kept\"",
            "\"schema\"",
            "\"canonicalColumns\"",
            "\"screens\"");
  }

  static Stream<Arguments> unknownFields() {
    return Stream.of(
        arguments("/extra", "dataset predicate: unknown field 'extra'"),
        arguments("/spec/extra", "dataset predicate.spec: unknown field"),
        arguments("/files/1/extra", "dataset predicate.files[1]: unknown field"),
        arguments("/kept/extra", "dataset predicate.kept: unknown field"),
        arguments("/screens/0/extra", "dataset predicate.screens[0]: unknown field"),
        arguments(
            "/screens/0/firstRows/0/extra",
            "dataset predicate.screens[0].firstRows[0]: unknown field"));
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
        arguments(
            "/spec/digest", "dataset predicate.spec.digest: expected an object, found nothing"),
        arguments("/format", "dataset predicate.format"),
        arguments(
            "/files/0/rows",
            "dataset predicate.files[0].rows: expected a non-negative integer, found nothing"),
        arguments("/rows/merkleRoot", "dataset predicate.rows.merkleRoot"),
        arguments(
            "/schema/numeric/1/max",
            "dataset predicate.schema.numeric[1].max: expected a number or null, found nothing"),
        arguments("/screens", "dataset predicate.screens: expected an array, found nothing"),
        arguments(
            "/screens/0/firstRows/0/label", "dataset predicate.screens[0].firstRows[0].label"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("missingFields")
  void read_missingField_isMalformed(String pointer, String message) {
    assertRefused(Edits.remove("missing", pointer).applyTo(written()), Reason.MALFORMED, message);
  }

  @Test
  void read_noFiles_isMalformed() {
    Statement st = Edits.put("files", "/files", F.arrayNode()).applyTo(written());

    assertRefused(
        st, Reason.MALFORMED, "dataset predicate.files: expected at least one file, found none");
  }

  static Stream<Arguments> wrongTypes() {
    return Stream.of(
        arguments(
            "/spec/version",
            F.textNode("3"),
            "dataset predicate.spec.version: expected a positive integer"),
        arguments(
            "/files/0/bytes",
            F.numberNode(-1),
            "dataset predicate.files[0].bytes: expected a non-negative integer"),
        arguments(
            "/rows/labels/0",
            F.numberNode(1.5),
            "dataset predicate.rows.labels.0: expected a non-negative integer"),
        arguments(
            "/screens/0/statistics/groups",
            F.textNode("two"),
            "dataset predicate.screens[0].statistics.groups: expected a number"),
        arguments(
            "/canonicalColumns",
            F.objectNode(),
            "dataset predicate.canonicalColumns: expected an array"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("wrongTypes")
  void read_wrongType_isMalformed(String pointer, JsonNode value, String message) {
    assertRefused(Edits.put("wrong", pointer, value).applyTo(written()), Reason.MALFORMED, message);
  }

  static Stream<Arguments> duplicates() {
    return Stream.of(
        arguments("/files/0", "dataset predicate.files[2]: data file 'a.csv' is listed twice"),
        arguments("/screens/1", "dataset predicate.screens[2]: screen 'outliers' is listed twice"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("duplicates")
  void read_duplicateEntry_isMalformed(String pointer, String message) {
    assertRefused(Edits.duplicate("twice", pointer).applyTo(written()), Reason.MALFORMED, message);
  }

  @Test
  void read_subjectOtherThanKeptRoot_isMalformed() {
    Statement st =
        Edits.resubjected(written(), Statement.Subject.of("credit-rf-dataset", Samples.R));

    assertRefused(
        st,
        Reason.MALFORMED,
        "dataset attestation: expected subject credit-rf-dataset " + Samples.D);
  }

  @Test
  void read_otherPredicateType_isUnsupported() {
    assertRefused(
        Edits.retyped(written(), Stage.EVALUATE.predicateType()),
        Reason.UNSUPPORTED,
        "dataset attestation: expected predicate type https://custody.dev/dataset/v1, found https://custody.dev/gate/v1");
  }

  private static void assertRefused(Statement st, Reason reason, String message) {
    assertThatThrownBy(() -> DatasetPredicate.read(st))
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
    return Samples.dataset().statement();
  }

  @Test
  void read_negativeInfiniteStatistic_isRead() throws Exception {
    Statement st =
        Edits.put("floor", "/screens/0/statistics/floor", F.textNode("-Infinity"))
            .applyTo(written());

    assertThat(DatasetPredicate.read(st).screens().get(0).statistics())
        .containsEntry("floor", Double.NEGATIVE_INFINITY);
  }

  @Test
  void statement_testFlagged_writtenOnlyForScreensThatSawATestSplit() throws Exception {
    JsonNode screens = written().predicate().path("screens");

    assertThat(screens.path(0).path("testFlagged").asLong()).isEqualTo(5);
    assertThat(screens.path(1).has("testFlagged")).isFalse();
    DatasetPredicate read = DatasetPredicate.read(written());
    assertThat(read.screens().get(0).testFlagged()).isEqualTo(5);
    assertThat(read.screens().get(1).testFlagged()).isEqualTo(DatasetPredicate.Screen.NOT_SCREENED);
  }

  @Test
  void read_writtenStatement_keepsLockFileAndDatasetDigest() throws Exception {
    DatasetPredicate read = DatasetPredicate.read(written());

    assertThat(read.lockFile())
        .contains(new DatasetPredicate.DataFile("data.lock", Samples.sha("lock"), 120, 0));
    assertThat(read.datasetDigest()).isEqualTo(Samples.D);
  }
}
