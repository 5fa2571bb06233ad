package dev.custody.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.train.data.CanonicalRow;
import dev.custody.train.data.DataDiff;
import dev.custody.train.spec.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataDiffTest {
  private final Ingest ingest = Ingest.create();

  @Test
  void between_twoVersionsWithIds_reportsAddedRemovedAndChangedFields() throws Exception {
    List<CanonicalRow> v1 = ingest.rows(Fixtures.spec("diff/v1.csv", ""));
    List<CanonicalRow> v2 = ingest.rows(Fixtures.spec("diff/v2.csv", ""));

    DataDiff diff = DataDiff.between(v1, v2);

    assertThat(diff.byId()).isTrue();
    assertThat(diff.added()).extracting(CanonicalRow::id).containsExactly("5");
    assertThat(diff.added().get(0).line()).isEqualTo(5);
    assertThat(diff.removed()).extracting(CanonicalRow::id).containsExactly("3");
    // Row 1 only changed how 52000 is written (5.2e4): not a change.
    assertThat(diff.changed()).extracting(c -> c.after().id()).containsExactly("2", "4");
    assertThat(diff.changed().get(0).fields()).containsExactly(2); // income
    assertThat(diff.changed().get(1).fields()).containsExactly(0); // label
    assertThat(diff.changed().get(1).before().label()).isEqualTo("yes");
    assertThat(diff.changed().get(1).after().label()).isEqualTo("no");
  }

  @Test
  void between_sameRows_isEmpty() throws Exception {
    List<CanonicalRow> a = ingest.rows(Fixtures.spec("data/good-lf.csv", ""));
    List<CanonicalRow> b = ingest.rows(Fixtures.spec("data/good-bom-quoted.csv", ""));

    assertThat(DataDiff.between(a, b).isEmpty()).isTrue();
  }

  @Test
  void between_rowsWithoutIds_comparesContentAsMultisets() {
    CanonicalRow x = new CanonicalRow("old", 1, "", List.of("ham", "hi"));
    CanonicalRow y = new CanonicalRow("old", 2, "", List.of("spam", "win"));
    CanonicalRow x2 = new CanonicalRow("new", 1, "", List.of("ham", "hi"));
    CanonicalRow x3 = new CanonicalRow("new", 2, "", List.of("ham", "hi"));
    CanonicalRow yFlipped = new CanonicalRow("new", 3, "", List.of("ham", "win"));

    DataDiff diff = DataDiff.between(List.of(x, y), List.of(x2, x3, yFlipped));

    assertThat(diff.byId()).isFalse();
    assertThat(diff.added()).containsExactly(x3, yFlipped);
    assertThat(diff.removed()).containsExactly(y);
    assertThat(diff.changed()).isEmpty();
  }

  @Test
  void between_repeatedId_rejected() {
    CanonicalRow a = new CanonicalRow("f", 2, "1", List.of("yes"));
    CanonicalRow b = new CanonicalRow("f", 3, "1", List.of("no"));

    assertThatThrownBy(() -> DataDiff.between(List.of(a, b), List.of(a)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("id 1 repeats: f line 2 and f line 3");
  }
}
