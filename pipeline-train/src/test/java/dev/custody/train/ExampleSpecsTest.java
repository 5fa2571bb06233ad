package dev.custody.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.chain.DatasetPredicate;
import dev.custody.train.screen.DatasetSummary;
import dev.custody.train.spec.Fixtures;
import dev.custody.train.spec.PipelineSpec;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The committed example specs, ingested end to end from the shared data, screens included. */
class ExampleSpecsTest {
  private final Ingest ingest = Ingest.create();

  @Test
  void run_creditExample_verifiesParsesAndScreens() throws Exception {
    long start = System.nanoTime();
    IngestResult r =
        ingest.run(PipelineSpec.load(Fixtures.projectRoot().resolve("examples/credit-rf.yaml")));
    print(r, start);

    DatasetSummary s = r.summary();
    assertThat(s.files().get(0).sha256().hex()).isEqualTo(Fixtures.CREDIT_SHA256);
    assertThat(s.files().get(0).bytes()).isEqualTo(2_897_188);
    assertThat(s.rows()).isEqualTo(30_000);
    assertThat(s.labelCounts()).containsExactly(Map.entry("0", 23_364L), Map.entry("1", 6_636L));
    assertThat(s.rowsRoot().hex())
        .isEqualTo("e83e97d1c98e742894155f90a036157302e34e1344e63b0aafd669d9d9324e0c");
    assertThat(s.screens())
        .extracting(DatasetPredicate.Screen::screen)
        .containsExactly("duplicates", "conflicts", "outliers", "labelNoise");
    assertThat(r.table().featureNames())
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
    assertThat(r.table().rows()).hasSize((int) s.keptRows());
    assertThat(s.keptRows()).isEqualTo(30_000 - s.screens().get(0).dropped());
  }

  @Test
  void run_smsExample_verifiesParsesAndScreens() throws Exception {
    long start = System.nanoTime();
    IngestResult r =
        ingest.run(PipelineSpec.load(Fixtures.projectRoot().resolve("examples/sms-spam.yaml")));
    print(r, start);

    DatasetSummary s = r.summary();
    assertThat(s.files().get(0).sha256().hex()).isEqualTo(Fixtures.SMS_SHA256);
    assertThat(s.rows()).isEqualTo(5_574);
    assertThat(s.labelCounts()).containsExactly(Map.entry("ham", 4_827L), Map.entry("spam", 747L));
    assertThat(s.screens().get(0).screen()).isEqualTo("duplicates");
    assertThat(s.keptRows()).isEqualTo(5_574 - s.screens().get(0).dropped());
    assertThat(r.rows()).anyMatch(row -> row.fields().get(1).contains("\""));
  }

  private static void print(IngestResult r, long start) {
    System.out.printf(
        Locale.ROOT,
        "ingest %s: %.1f s%n",
        r.summary().specName(),
        (System.nanoTime() - start) / 1e9);
    for (DatasetPredicate.Screen s : r.summary().screens()) {
      System.out.printf(
          Locale.ROOT,
          "  %s (%s): %d of %d flagged, %d dropped %s; first: %s%n",
          s.screen(),
          s.policy(),
          s.flagged(),
          s.rowsChecked(),
          s.dropped(),
          s.statistics(),
          s.firstRows().isEmpty() ? "-" : s.firstRows().get(0));
    }
  }
}
