package dev.custody.train.screen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.Digests;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Shared;
import dev.custody.train.Ingest;
import dev.custody.train.IngestResult;
import dev.custody.train.data.CanonicalRow;
import dev.custody.train.data.ParsedRow;
import dev.custody.train.data.RowReader;
import dev.custody.train.spec.Fixtures;
import dev.custody.train.spec.PipelineSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 002, label flipping: 5% of the credit data's labels flipped at random, then screened against
 * the previous, pinned version of the data (examples/credit-rf.yaml).
 */
class LabelChangesScreenTest {
  private static final double FLIP_RATE = 0.05;

  @TempDir Path dir;
  Path original;
  Set<String> flippedIds;
  Path poisoned;

  @BeforeEach
  void poison() throws Exception {
    original = Shared.require("data/default_credit_card.csv");
    String[] lines = Files.readString(original, StandardCharsets.UTF_8).split("\r\n", -1);
    List<Integer> data = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      data.add(i);
    }
    Collections.shuffle(data, new Random(2024));
    flippedIds = new HashSet<>();
    for (int i : data.subList(0, (int) Math.round(data.size() * FLIP_RATE))) {
      String line = lines[i];
      int comma = line.lastIndexOf(',');
      String label = line.substring(comma + 1);
      lines[i] = line.substring(0, comma + 1) + (label.equals("0") ? "1" : "0");
      flippedIds.add(line.substring(0, line.indexOf(',')));
    }
    poisoned = dir.resolve("credit-poisoned.csv");
    Files.writeString(poisoned, String.join("\r\n", lines), StandardCharsets.UTF_8);
  }

  @Test
  void labelChanges_fivePercentFlipped_flagsEveryFlipAndNothingElse() throws Exception {
    PipelineSpec spec = spec("warn");
    List<ParsedRow> rows =
        new RowReader(spec.schema(), spec.format())
            .read(Files.readAllBytes(poisoned), "credit-poisoned.csv");
    List<CanonicalRow> baseline =
        Ingest.create()
            .rows(PipelineSpec.load(Fixtures.projectRoot().resolve("examples/credit-rf.yaml")));

    Screening.Outcome o = Screening.labelChanges(rows, baseline);

    int truePositives = 0;
    for (Screening.Flag f : o.flags()) {
      if (flippedIds.contains(rows.get(f.index()).canonical().id())) {
        truePositives++;
      }
    }
    double precision = truePositives / (double) o.flags().size();
    double recall = truePositives / (double) flippedIds.size();
    System.out.printf(
        Locale.ROOT,
        "labelChanges screen: %d rows, %d flipped, %d flagged: precision %.3f, recall %.3f%n",
        rows.size(),
        flippedIds.size(),
        o.flags().size(),
        precision,
        recall);
    assertThat(flippedIds).hasSize(1500);
    assertThat(recall).isGreaterThanOrEqualTo(0.5);
    assertThat(precision).isGreaterThanOrEqualTo(0.5);
    assertThat(o.flags()).hasSize(flippedIds.size()); // in fact exact: precision = recall = 1
  }

  @Test
  void ingest_labelChangesWithFailPolicy_refusesNamingTheFirstChangedRow() throws Exception {
    PipelineSpec spec = spec("fail");
    assertThatThrownBy(() -> Ingest.create().run(spec))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("screen labelChanges failed")
        .hasMessageContaining("found 1332 of 27000 training rows and 168 of 3000 test rows")
        .hasMessageContaining("label changed from")
        .extracting(e -> ((PipelineException) e).reason())
        .isEqualTo(Reason.SCREEN_FAILED);
  }

  @Test
  void ingest_labelChangesAgainstItself_flagsNothing() throws Exception {
    Path specFile = dir.resolve("same.yaml");
    Files.writeString(specFile, specText(original, "fail"));
    IngestResult r = Ingest.create().run(PipelineSpec.load(specFile));
    assertThat(r.summary().screens())
        .singleElement()
        .satisfies(s -> assertThat(s.flagged()).isZero());
  }

  private PipelineSpec spec(String policy) throws Exception {
    Path specFile = dir.resolve("poisoned.yaml");
    Files.writeString(specFile, specText(poisoned, policy));
    return PipelineSpec.load(specFile);
  }

  private String specText(Path data, String policy) throws Exception {
    Path baseline = Fixtures.projectRoot().resolve("examples/credit-rf.yaml").toAbsolutePath();
    return String.join(
        "\n",
        "name: credit-poisoned",
        "version: 2",
        "data:",
        "  - path: " + data.toAbsolutePath(),
        "    sha256: " + Digests.sha256(data).hex(),
        "format: csv",
        "schema:",
        "  id: ID",
        "  label: {column: DEFAULT, allowed: [\"0\", \"1\"]}",
        "  numeric: [LIMIT_BAL, AGE, PAY_0, PAY_2, PAY_3, BILL_AMT1, BILL_AMT2, PAY_AMT1]",
        "  categorical:",
        "    - {column: SEX, allowed: [\"1\", \"2\"]}",
        "split: {testFraction: 0.1, seed: 42}",
        "trainer: {type: random-forest, params: {trees: 5, maxDepth: 3, minLeaf: 100, seed: 42}}",
        "screens:",
        "  labelChanges: {policy: "
            + policy
            + ", params: {baseline: "
            + baseline
            + ", reportRows: 3}}",
        "");
  }
}
