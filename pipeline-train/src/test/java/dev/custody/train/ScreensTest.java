package dev.custody.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.chain.DatasetPredicate;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.spec.Fixtures;
import dev.custody.train.spec.PipelineSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScreensTest {
  private static final String DUPES = "screens/duplicates-and-conflicts.csv";
  private final Ingest ingest = Ingest.create();

  @Test
  void duplicates_warn_reportsLaterCopiesAndKeepsThem() throws Exception {
    IngestResult r = ingest.run(Fixtures.spec(DUPES, "screens: {duplicates: {policy: warn}}"));

    DatasetPredicate.Screen report = r.summary().screens().get(0);
    assertThat(report.screen()).isEqualTo("duplicates");
    assertThat(report.policy()).isEqualTo("warn");
    // The seeded split holds out lines 6 and 7: the screen sees the other five.
    assertThat(report.rowsChecked()).isEqualTo(5);
    assertThat(report.flagged()).isEqualTo(2);
    assertThat(report.dropped()).isZero();
    assertThat(report.testFlagged()).isZero();
    assertThat(report.statistics()).containsEntry("groups", 2.0);
    assertThat(report.firstRows())
        .extracting(
            DatasetPredicate.FlaggedRow::line,
            DatasetPredicate.FlaggedRow::id,
            DatasetPredicate.FlaggedRow::detail)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(3L, "2", "duplicate of line 2 (label yes)"),
            org.assertj.core.groups.Tuple.tuple(8L, "7", "duplicate of line 4 (label no)"));
    assertThat(r.table().rows()).hasSize(7);
    assertThat(r.summary().keptRoot()).isEqualTo(r.summary().rowsRoot());
  }

  @Test
  void duplicates_drop_leavesThemOutOfTheTableAndTheKeptRoot() throws Exception {
    IngestResult r = ingest.run(Fixtures.spec(DUPES, "screens: {duplicates: {policy: drop}}"));

    assertThat(r.table().rows())
        .extracting(TrainingTable.Row::sourceLine)
        .containsExactly(2L, 4L, 5L, 6L, 7L);
    assertThat(r.split().test().rows())
        .as("line 6 duplicates line 2 but is a test row: never dropped")
        .extracting(TrainingTable.Row::sourceLine)
        .containsExactly(6L, 7L);
    assertThat(r.summary().rows()).isEqualTo(7);
    assertThat(r.summary().keptRows()).isEqualTo(5);
    assertThat(r.summary().keptLabelCounts())
        .containsExactly(Map.entry("yes", 3L), Map.entry("no", 2L));
    assertThat(r.summary().keptRoot()).isNotEqualTo(r.summary().rowsRoot());
    assertThat(r.rows()).as("canonical rows are the data as pinned").hasSize(7);
  }

  @Test
  void duplicates_fail_rejectsNamingTheRows() throws Exception {
    PipelineSpec spec =
        Fixtures.spec(DUPES, "screens: {duplicates: {policy: fail, params: {reportRows: 1}}}");

    PipelineException e = catchThrowableOfType(PipelineException.class, () -> ingest.run(spec));

    assertThat(e.reason()).isEqualTo(Reason.SCREEN_FAILED);
    assertThat(e.getMessage())
        .isEqualTo(
            "screen duplicates failed: expected at most 0 flagged rows, found 2 of 5; first:"
                + " duplicates-and-conflicts.csv line 3 (duplicate of line 2 (label yes))");
  }

  @Test
  void duplicates_failWithinTolerance_passes() throws Exception {
    IngestResult r =
        ingest.run(
            Fixtures.spec(DUPES, "screens: {duplicates: {policy: fail, params: {maxFlagged: 3}}}"));

    assertThat(r.summary().screens().get(0).flagged()).isEqualTo(2);
  }

  @Test
  void conflicts_afterDuplicateDrop_flagsEveryRowOfTheGroup() throws Exception {
    IngestResult r =
        ingest.run(
            Fixtures.spec(
                DUPES, "screens: {duplicates: {policy: drop}, conflicts: {policy: drop}}"));

    DatasetPredicate.Screen conflicts = r.summary().screens().get(1);
    assertThat(conflicts.rowsChecked()).isEqualTo(3);
    assertThat(conflicts.flagged()).isEqualTo(2);
    assertThat(conflicts.firstRows())
        .extracting(DatasetPredicate.FlaggedRow::line, DatasetPredicate.FlaggedRow::detail)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                4L, "labels {no=1, yes=1} among 2 rows with these features"),
            org.assertj.core.groups.Tuple.tuple(
                5L, "same features as line 4, labels {no=1, yes=1}"));
    assertThat(r.table().rows())
        .extracting(TrainingTable.Row::sourceLine)
        .containsExactly(2L, 6L, 7L);
  }

  @Test
  void conflicts_fail_rejects() throws Exception {
    PipelineSpec spec = Fixtures.spec(DUPES, "screens: {conflicts: {policy: fail}}");

    PipelineException e = catchThrowableOfType(PipelineException.class, () -> ingest.run(spec));

    assertThat(e.reason()).isEqualTo(Reason.SCREEN_FAILED);
    assertThat(e.getMessage())
        .startsWith("screen conflicts failed: expected at most 0 flagged rows, found 3 of 5");
  }

  @Test
  void outliers_warn_flagsTheExtremeValueByRobustZ() throws Exception {
    IngestResult r =
        ingest.run(Fixtures.spec("screens/outliers.csv", "screens: {outliers: {policy: warn}}"));

    DatasetPredicate.Screen report = r.summary().screens().get(0);
    assertThat(report.flagged()).isEqualTo(1);
    assertThat(report.firstRows().get(0).line()).isEqualTo(12);
    assertThat(report.firstRows().get(0).detail()).startsWith("income = 1000000: robust z ");
    assertThat(report.statistics())
        .containsEntry("yes:median:income", 1115.0)
        .containsEntry("threshold", 7.0);
  }

  @Test
  void outliers_notPerClass_usesTheMedianOfAllTrainingRows() throws Exception {
    IngestResult r =
        ingest.run(
            Fixtures.spec(
                "screens/outliers.csv",
                "screens: {outliers: {policy: warn, params: {perClass: false, threshold: 3.5}}}"));

    DatasetPredicate.Screen report = r.summary().screens().get(0);
    assertThat(report.flagged()).isEqualTo(1);
    assertThat(report.statistics())
        .containsEntry("median:income", 1100.0)
        .containsEntry("threshold", 3.5)
        .doesNotContainKey("yes:median:income");
  }

  @Test
  void outliers_drop_removesTheRow() throws Exception {
    IngestResult r =
        ingest.run(Fixtures.spec("screens/outliers.csv", "screens: {outliers: {policy: drop}}"));

    assertThat(r.table().rows()).hasSize(11);
    assertThat(r.split().test().rows()).hasSize(3);
    assertThat(r.table().rows()).noneMatch(row -> row.values().contains(1_000_000.0));
  }

  @Test
  void predicate_summary_carriesDigestsCountsRootsSchemaAndScreens() throws Exception {
    IngestResult r = ingest.run(Fixtures.spec(DUPES, "screens: {duplicates: {policy: drop}}"));

    JsonNode json = r.summary().predicate().statement().predicate();

    assertThat(json.at("/spec/digest/sha256").asText()).isEqualTo(r.summary().specDigest().hex());
    assertThat(json.at("/files/0/source").asText()).isEqualTo("duplicates-and-conflicts.csv");
    assertThat(json.at("/files/0/digest/sha256").asText())
        .isEqualTo(Fixtures.sha256(Fixtures.resource(DUPES)).hex());
    assertThat(json.at("/rows/count").asLong()).isEqualTo(7);
    assertThat(json.at("/rows/merkleRoot/sha256").asText()).isEqualTo(r.summary().rowsRoot().hex());
    assertThat(json.at("/kept/count").asLong()).isEqualTo(5);
    assertThat(json.at("/screens/0/testFlagged").asLong()).isZero();
    assertThat(json.at("/schema/numeric/0/max").asDouble()).isEqualTo(120.0);
    assertThat(json.at("/schema/numeric/1/max").isNull()).isTrue();
    assertThat(json.at("/screens/0/firstRows/0/line").asLong()).isEqualTo(3);
    assertThat(json.at("/canonicalColumns").toString())
        .isEqualTo("[\"label\",\"age\",\"income\",\"sex\"]");
  }
}
