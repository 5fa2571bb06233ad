package dev.custody.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.chain.FeatureSchema;
import dev.custody.core.chain.FeatureSchema.CategoricalColumn;
import dev.custody.core.chain.FeatureSchema.LabelColumn;
import dev.custody.core.chain.FeatureSchema.NumericColumn;
import dev.custody.train.spec.PipelineSpec.Format;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 11: every bad row of a data file is counted and the first ones listed, in one line. */
class Issue11BadRowsTest {
  private static final FeatureSchema SCHEMA =
      new FeatureSchema(
          "id",
          new LabelColumn("label", List.of("no", "yes")),
          List.of(new NumericColumn("age", 0, 120)),
          List.of(new CategoricalColumn("sex", List.of("f", "m"))),
          List.of());

  private static PipelineException read(String csv) {
    return catchThrowableOfType(
        PipelineException.class,
        () ->
            new RowReader(SCHEMA, Format.CSV)
                .read(csv.getBytes(StandardCharsets.UTF_8), "bad.csv"));
  }

  @Test
  void read_fiveBadRows_listsEachWithLineColumnExpectedAndFound() {
    PipelineException e =
        read(
            "id,label,age,sex\n"
                + "1,no,30,f\n"
                + "2,no,x,f\n"
                + "3,maybe,30,m\n"
                + "4,yes,30,q\n"
                + "5,yes,200,m\n"
                + "6,no,30\n"
                + "7,yes,40,m\n");

    assertThat(e.reason()).isEqualTo(Reason.DATA_INVALID);
    assertThat(e.getMessage())
        .startsWith("bad.csv: 5 bad rows: line 3: column 3 (age): ")
        .contains("line 4: column 2 (label): label outside the allowed set")
        .contains("line 5: column 4 (sex): ")
        .contains("line 6: column 3 (age): ")
        .contains("line 7: expected 4 columns, found 3")
        .doesNotContain("line 8")
        .doesNotContain("more")
        .doesNotContain("\n");
  }

  @Test
  void read_moreBadRowsThanTheLimit_listsTheLimitAndCountsTheRest() {
    StringBuilder csv = new StringBuilder("id,label,age,sex\n");
    int bad = RowReader.MAX_LISTED_BAD_ROWS + 7;
    for (int i = 1; i <= bad; i++) {
      csv.append(i).append(",no,x").append(i).append(",f\n");
    }

    PipelineException e = read(csv.toString());

    assertThat(e.getMessage())
        .startsWith("bad.csv: " + bad + " bad rows: line 2: ")
        .contains("line " + (RowReader.MAX_LISTED_BAD_ROWS + 1) + ": ")
        .doesNotContain("line " + (RowReader.MAX_LISTED_BAD_ROWS + 2) + ": ")
        .endsWith("; ... and 7 more (" + bad + " bad rows in all)");
  }

  @Test
  void read_oneBadRow_keepsTheSingleRowMessage() {
    PipelineException e = read("id,label,age,sex\n1,no,30,f\n2,no,x,f\n");

    assertThat(e.getMessage()).startsWith("bad.csv line 3: column 3 (age): ");
  }
}
