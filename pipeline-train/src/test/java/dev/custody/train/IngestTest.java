package dev.custody.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.train.data.CanonicalRow;
import dev.custody.train.data.Merkle;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.spec.Fixtures;
import dev.custody.train.spec.PipelineSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IngestTest {
  private final Ingest ingest = Ingest.create();

  @Test
  void run_lfFile_validatesEveryRow() throws Exception {
    IngestResult r = ingest.run(Fixtures.spec("data/good-lf.csv", ""));

    TrainingTable t = r.table();
    assertThat(t.labels()).containsExactly("yes", "no");
    assertThat(t.featureNames()).containsExactly("age", "income", "sex@f", "sex@m");
    assertThat(t.rows()).hasSize(4);
    TrainingTable.Row second = t.rows().get(1);
    assertThat(second.sourceLine()).isEqualTo(3);
    assertThat(second.label()).isEqualTo("no");
    assertThat(second.names()).containsExactly("age", "income", "sex@m");
    assertThat(second.values()).containsExactly(51.0, 61000.5, 1.0);
    assertThat(r.rows().get(1).fields()).containsExactly("no", "51", "61000.5", "m");
    assertThat(r.rows().get(1).id()).isEqualTo("2");
    assertThat(r.summary().labelCounts())
        .containsExactly(Map.entry("yes", 2L), Map.entry("no", 2L));
    assertThat(r.summary().files())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.source()).isEqualTo("good-lf.csv");
              assertThat(f.rows()).isEqualTo(4);
              assertThat(f.sha256())
                  .isEqualTo(Fixtures.sha256(Fixtures.resource("data/good-lf.csv")));
            });
  }

  @Test
  void run_equalCellsInManyRows_holdOneTextForEach() throws Exception {
    IngestResult r = ingest.run(Fixtures.spec("data/good-lf.csv", ""));

    // Rows stay in memory until training: a label or category is held once, not once per row.
    List<CanonicalRow> yes = r.rows().stream().filter(c -> c.label().equals("yes")).toList();
    assertThat(yes).hasSize(2);
    assertThat(yes.get(1).fields().get(0)).isSameAs(yes.get(0).fields().get(0));
    assertThat(r.table().rows().get(1).label()).isSameAs(r.rows().get(1).fields().get(0));
  }

  @Test
  void run_crlfWithoutFinalNewline_sameRowsAndRootAsLf() throws Exception {
    IngestResult lf = ingest.run(Fixtures.spec("data/good-lf.csv", ""));
    IngestResult crlf = ingest.run(Fixtures.spec("data/good-crlf-no-final-newline.csv", ""));

    assertThat(crlf.table()).isEqualTo(lf.table());
    assertThat(crlf.summary().rowsRoot()).isEqualTo(lf.summary().rowsRoot());
    assertThat(crlf.summary().files().get(0).sha256())
        .isNotEqualTo(lf.summary().files().get(0).sha256());
  }

  @Test
  void run_bomQuotedFieldsAndExponents_canonicaliseToTheSameRows() throws Exception {
    IngestResult lf = ingest.run(Fixtures.spec("data/good-lf.csv", ""));
    IngestResult quoted = ingest.run(Fixtures.spec("data/good-bom-quoted.csv", ""));

    assertThat(quoted.summary().rowsRoot()).isEqualTo(lf.summary().rowsRoot());
    assertThat(quoted.rows().get(1).fields()).containsExactly("no", "51", "61000.5", "m");
    // The quoted comment of data line 2 spans two physical lines: the next record starts on line 5.
    assertThat(quoted.table().rows())
        .extracting(TrainingTable.Row::sourceLine)
        .containsExactly(2L, 3L, 5L, 6L);
    assertThat(quoted.table().rows().get(2).values()).containsExactly(29.0, 0.0, 1.0);
  }

  @Test
  void run_tabSeparatedText_quotesAreOrdinaryAndTokensAreCounted() throws Exception {
    IngestResult r = ingest.run(Fixtures.spec("data/good.tsv", ""));

    List<TrainingTable.Row> rows = r.table().rows();
    assertThat(rows).hasSize(4);
    assertThat(r.rows().get(0).fields())
        .containsExactly("ham", "Ok lar... Joking wif u oni \"quoted\" 123");
    assertThat(rows.get(0).names())
        .containsExactly(
            "text@\"",
            "text@...",
            "text@123",
            "text@joking",
            "text@lar",
            "text@ok",
            "text@oni",
            "text@quoted",
            "text@u",
            "text@wif");
    assertThat(rows.get(0).values().get(0)).isEqualTo(2.0);
    // A lone quote does not open a quoted field: line 3 stays one record.
    assertThat(r.rows().get(2).fields()).containsExactly("ham", "see you \"later");
    assertThat(rows.get(3).names()).containsExactly("text@:)");
    assertThat(r.table().featureNames()).contains("text@free", "text@87121", "text@:-)");
  }

  static Stream<Arguments> rejected() {
    return Stream.of(
        arguments(
            "missing-label.csv",
            "line 3: column 5 (label): missing label: expected one of [yes, no], found an empty"
                + " value"),
        arguments(
            "label-not-allowed.csv",
            "line 4: column 5 (label): label outside the allowed set: expected one of [yes, no],"
                + " found \"maybe\""),
        arguments("non-numeric.csv", "line 2: column 2 (age): expected a number, found \"thirty\""),
        arguments("nan.csv", "line 3: column 3 (income): expected a finite number, found \"NaN\""),
        arguments(
            "infinity.csv",
            "line 5: column 3 (income): expected a finite number, found \"-Infinity\""),
        arguments(
            "overflow.csv",
            "line 5: column 3 (income): expected a number within double range, found \"1e999\""),
        arguments(
            "empty-numeric.csv", "line 4: column 2 (age): expected a number, found an empty value"),
        arguments(
            "out-of-range.csv",
            "line 3: column 2 (age): value out of range: expected a value in [0, 120], found 151"),
        arguments(
            "category-not-allowed.csv",
            "line 5: column 4 (sex): expected one of [f, m], found \"x\""),
        arguments(
            "missing-column.csv",
            "line 1: missing column \"income\": expected it in the header, found"
                + " \"id,age,sex,label\""),
        arguments("wrong-column-count.csv", "line 4: expected 5 columns, found 4"),
        arguments("extra-column.csv", "line 4: expected 5 columns, found 6"),
        arguments("blank-line.csv", "line 3: expected 5 columns, found 1"),
        arguments(
            "duplicate-id.csv",
            "line 5: id column id: expected a unique id, found \"2\" again (first at"
                + " duplicate-id.csv line 3)"),
        arguments(
            "empty-id.csv", "line 3: column 1 (id): expected a non-empty id, found an empty value"),
        arguments(
            "duplicate-header.csv",
            "line 1: column 4: expected unique column names, found \"age\" again (first in column"
                + " 2)"),
        arguments(
            "unterminated-quote.csv",
            "line 3: column 3: expected a closing quote, found the end of the file"),
        arguments(
            "quote-in-unquoted.csv",
            "line 3: column 3: expected no quote inside an unquoted field (RFC 4180), found '\"'"),
        arguments(
            "text-after-closing-quote.csv",
            "line 3: column 3: expected a comma or the end of the line after a closing quote, found"
                + " 'x'"),
        arguments(
            "bare-cr.csv", "line 2: expected LF or CRLF to end the line, found a CR without LF"),
        arguments(
            "invalid-utf8.csv",
            "line 3: expected UTF-8 text, found the invalid byte 0xff at offset"),
        arguments("empty.csv", "line 1: expected a header row, found an empty file"),
        arguments("header-only.csv", "line 2: expected at least one data row, found none"),
        arguments(
            "no-features.tsv",
            "line 2: column 2 (text): row has no features: expected at least one token, found \"  "
                + " \""),
        arguments("tsv-missing-tab.tsv", "line 2: expected 2 columns (label<TAB>text), found 1"),
        arguments("tsv-extra-tab.tsv", "line 2: expected 2 columns (label<TAB>text), found 3"),
        arguments(
            "tsv-empty-label.tsv",
            "line 2: column 1 (label): missing label: expected one of [ham, spam], found an empty"
                + " value"),
        arguments(
            "tsv-bad-label.tsv",
            "line 2: column 1 (label): label outside the allowed set: expected one of [ham, spam],"
                + " found \"spma\""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void run_invalidData_rejectedWithLineColumnExpectedAndFound(String fixture, String message)
      throws Exception {
    PipelineSpec spec = Fixtures.spec("data/" + fixture, "");

    PipelineException e = catchThrowableOfType(PipelineException.class, () -> ingest.run(spec));

    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.DATA_INVALID);
    assertThat(e.getMessage()).startsWith(fixture + " " + message);
  }

  @Test
  void run_wrongPinOnDataThatDoesNotParse_rejectedAsDigestMismatch() throws Exception {
    // The file is parsed while it is hashed: a file that is not the pinned one is refused for its
    // digest, never for its rows.
    Path file = Fixtures.resource("data/missing-label.csv");
    String wrong = Sha256.of("other bytes".getBytes(StandardCharsets.UTF_8)).hex();
    PipelineSpec spec = Fixtures.spec(file, wrong, "");

    PipelineException e = catchThrowableOfType(PipelineException.class, () -> ingest.run(spec));

    assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH);
    assertThat(e.getMessage()).startsWith("digest mismatch: missing-label.csv expected sha256:");
  }

  @Test
  void run_wrongPin_rejectedWithExpectedAndFoundDigests() throws Exception {
    Path file = Fixtures.resource("data/good-lf.csv");
    String wrong = Sha256.of("other bytes".getBytes(StandardCharsets.UTF_8)).hex();
    PipelineSpec spec = Fixtures.spec(file, wrong, "");

    PipelineException e = catchThrowableOfType(PipelineException.class, () -> ingest.run(spec));

    assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH);
    assertThat(e.getMessage())
        .isEqualTo(
            "digest mismatch: good-lf.csv expected sha256:"
                + wrong
                + ", found "
                + Fixtures.sha256(file));
  }

  @Test
  void run_lockFile_readsThePinnedFilesAndRecordsTheLockDigest(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("rows.csv");
    Files.copy(Fixtures.resource("data/good-lf.csv"), data);
    Path lock = dir.resolve("data.lock.yaml");
    Files.writeString(
        lock, "files:\n  - path: rows.csv\n    sha256: " + Fixtures.sha256(data).hex() + "\n");
    PipelineSpec spec =
        lockSpec(dir, "lock: data.lock.yaml\n  sha256: " + Fixtures.sha256(lock).hex());

    IngestResult r = ingest.run(spec);

    assertThat(r.table().rows()).hasSize(4);
    assertThat(r.summary().lock().sha256()).isEqualTo(Fixtures.sha256(lock));
    assertThat(r.summary().lock().source()).isEqualTo("data.lock.yaml");
  }

  @Test
  void run_lockFileChanged_rejectedAsDigestMismatch(@TempDir Path dir) throws Exception {
    Path lock = dir.resolve("data.lock.yaml");
    Files.writeString(lock, "files: []\n");
    String pinned = Sha256.of("files:\n".getBytes(StandardCharsets.UTF_8)).hex();
    PipelineSpec spec = lockSpec(dir, "lock: data.lock.yaml\n  sha256: " + pinned);

    PipelineException e = catchThrowableOfType(PipelineException.class, () -> ingest.run(spec));

    assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH);
    assertThat(e.getMessage())
        .startsWith("digest mismatch: data.lock.yaml expected sha256:" + pinned);
  }

  @Test
  void run_lockFileWithUnknownKey_rejectedNamingKeyAndLine(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("data.lock.yaml"),
        "files:\n  - path: rows.csv\n    sha265: " + "0".repeat(64) + "\n");
    PipelineSpec spec = lockSpec(dir, "lock: data.lock.yaml");

    PipelineException e = catchThrowableOfType(PipelineException.class, () -> ingest.run(spec));

    assertThat(e.reason()).isEqualTo(Reason.SPEC_INVALID);
    assertThat(e.getMessage())
        .isEqualTo(
            "data.lock.yaml:3:5: files[0].sha265: unknown key (expected one of: path, url,"
                + " sha256)");
  }

  @Test
  void table_goldenFile_verifiedAndParsedWithTheSpecSchema() throws Exception {
    PipelineSpec spec = Fixtures.spec("data/good-lf.csv", "");
    Path golden = Fixtures.resource("data/good-crlf-no-final-newline.csv");

    TrainingTable t =
        ingest.table(
            spec,
            new PipelineSpec.LocalFile(golden.getFileName().toString(), Fixtures.sha256(golden)));

    assertThat(t.rows()).hasSize(4);
    PipelineException e =
        catchThrowableOfType(
            PipelineException.class,
            () ->
                ingest.table(
                    spec,
                    new PipelineSpec.LocalFile(
                        golden.getFileName().toString(),
                        Fixtures.sha256(Fixtures.resource("data/good-lf.csv")))));
    assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH);
  }

  @Test
  void run_creditData_readsAllRowsWithCrlfAndNoFinalNewline() throws Exception {
    PipelineSpec spec =
        PipelineSpec.load(Fixtures.projectRoot().resolve("examples/credit-rf.yaml"));

    List<CanonicalRow> rows = ingest.rows(spec);

    assertThat(rows).hasSize(30_000);
    assertThat(rows.stream().filter(r -> r.label().equals("1")).count()).isEqualTo(6_636);
    assertThat(rows.get(0).id()).isEqualTo("1");
    assertThat(rows.get(0).fields())
        .containsExactly("1", "20000", "24", "2", "2", "-1", "3913", "3102", "0", "2");
    assertThat(rows.get(29_999).line()).isEqualTo(30_001);
    // Pinned: the canonical form and the tree shape are part of the format. This value was also
    // computed by an independent implementation (Python: csv + decimal + a recursive RFC 6962 MTH).
    assertThat(Merkle.root(rows).hex())
        .isEqualTo("e83e97d1c98e742894155f90a036157302e34e1344e63b0aafd669d9d9324e0c");
  }

  private static PipelineSpec lockSpec(Path dir, String dataYaml) throws Exception {
    String yaml =
        String.join(
            "\n",
            "name: mini",
            "version: 1",
            "data:",
            "  " + dataYaml,
            "format: csv",
            "schema:",
            "  label: {column: label, allowed: [\"yes\", \"no\"]}",
            "  numeric: [age, income]",
            "split: {testFraction: 0.25, seed: 1}",
            "trainer: {type: logistic}",
            "");
    return PipelineSpec.parse(yaml.getBytes(StandardCharsets.UTF_8), dir, "lock-spec.yaml");
  }
}
