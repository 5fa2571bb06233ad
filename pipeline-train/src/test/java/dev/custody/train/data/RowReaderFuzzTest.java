package dev.custody.train.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.train.spec.Fixtures;
import dev.custody.train.spec.PipelineSpec;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the CSV and TSV readers ({@link DelimitedText} through {@link RowReader}) with the schemas
 * of the two example specs: {@code credit-rf.yaml} (CSV with a header) and {@code sms-spam.yaml}
 * (label-TAB-text). Without {@code JAZZER_FUZZ} this runs the committed inputs in {@code
 * RowReaderFuzzTestInputs/} (CONTRIBUTING.md, "Fuzzing").
 */
class RowReaderFuzzTest {
  private static RowReader csv;
  private static RowReader tsv;

  @BeforeAll
  static void readers() throws Exception {
    csv = reader("examples/credit-rf.yaml");
    tsv = reader("examples/sms-spam.yaml");
  }

  /** Any bytes as a CSV file are read or refused as {@link Reason#DATA_INVALID}. */
  @FuzzTest
  void readCsv_fuzzedBytes_readsOrRefuses(FuzzedDataProvider data) {
    readOrRefuse(csv, data.consumeRemainingAsBytes());
  }

  /** Any bytes as a TSV text file are read or refused as {@link Reason#DATA_INVALID}. */
  @FuzzTest
  void readTsv_fuzzedBytes_readsOrRefuses(FuzzedDataProvider data) {
    readOrRefuse(tsv, data.consumeRemainingAsBytes());
  }

  /** Reads, or checks the refusal; any other throwable is a finding. */
  private static void readOrRefuse(RowReader reader, byte[] bytes) {
    try {
      assertThat(reader.read(bytes, "fuzz")).isNotNull();
    } catch (PipelineException e) {
      assertThat(e.reason()).isEqualTo(Reason.DATA_INVALID);
    }
  }

  private static RowReader reader(String spec) throws Exception {
    PipelineSpec s = PipelineSpec.load(Fixtures.projectRoot().resolve(spec));
    return new RowReader(s.schema(), s.format());
  }
}
