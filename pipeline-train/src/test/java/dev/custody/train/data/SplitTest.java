package dev.custody.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SplitTest {
  private static final Long[] PINNED = {2L, 5L, 8L};

  private static TrainingTable numbered(int n) {
    List<TrainingTable.Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String label = i % 2 == 0 ? "a" : "b";
      rows.add(new TrainingTable.Row(i + 2, label, List.of("x"), List.of((double) i)));
    }
    return new TrainingTable(List.of("x"), List.of("a", "b"), rows);
  }

  private static List<Long> lines(TrainingTable t) {
    return t.rows().stream().map(TrainingTable.Row::sourceLine).toList();
  }

  @Test
  void seeded_sameSeed_sameRows() {
    Split a = Split.seeded(numbered(1000), 0.2, 42);
    Split b = Split.seeded(numbered(1000), 0.2, 42);

    assertThat(lines(a.test())).isEqualTo(lines(b.test()));
    assertThat(lines(a.train())).isEqualTo(lines(b.train()));
  }

  @Test
  void seeded_knownSeed_givesPinnedPermutation() {
    // java.util.Random's sequence is specified by the JDK, so this holds on every JVM. Expected
    // value computed independently with a Python port of Random's LCG and nextInt(bound).
    Split split = Split.seeded(numbered(10), 0.3, 42);

    assertThat(lines(split.test())).containsExactly(4L, 6L, 8L);
  }

  @Test
  void seeded_otherSeed_otherTestRows() {
    Split a = Split.seeded(numbered(1000), 0.2, 42);
    Split b = Split.seeded(numbered(1000), 0.2, 43);

    assertThat(lines(a.test())).isNotEqualTo(lines(b.test()));
  }

  @Test
  void seeded_tenPercent_partitionsRowsInSourceOrder() {
    TrainingTable table = numbered(1001);

    Split split = Split.seeded(table, 0.1, 7);

    assertThat(split.test().rows()).hasSize(101); // ceil(100.1), as scikit-learn rounds
    assertThat(split.train().rows()).hasSize(900);
    List<Long> all = new ArrayList<>(lines(split.train()));
    all.addAll(lines(split.test()));
    assertThat(all).doesNotHaveDuplicates().hasSize(1001);
    assertThat(lines(split.test())).isSorted();
    assertThat(lines(split.train())).isSorted();
    assertThat(split.test().featureNames()).isEqualTo(table.featureNames());
    assertThat(split.test().labels()).isEqualTo(table.labels());
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.0, 1.0, -0.1, 1.5, Double.NaN})
  void seeded_fractionOutsideOpenUnitInterval_throws(double fraction) {
    assertThatThrownBy(() -> Split.seeded(numbered(10), fraction, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("test fraction");
  }

  @Test
  void seeded_fractionLeavingNoTrainingRows_throws() {
    assertThatThrownBy(() -> Split.seeded(numbered(2), 0.9, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty part");
  }

  /** {@code sizes[c]} rows of class "c0", "c1", ..., interleaved as a data file might list them. */
  private static TrainingTable skewed(int... sizes) {
    List<TrainingTable.Row> rows = new ArrayList<>();
    int[] left = sizes.clone();
    long line = 2;
    for (boolean any = true; any; ) {
      any = false;
      for (int c = 0; c < left.length; c++) {
        if (left[c] > 0) {
          rows.add(new TrainingTable.Row(line, "c" + c, List.of("x"), List.of((double) line)));
          line++;
          left[c]--;
          any = true;
        }
      }
    }
    List<String> labels = new ArrayList<>();
    for (int c = 0; c < sizes.length; c++) {
      labels.add("c" + c);
    }
    return new TrainingTable(List.of("x"), labels, rows);
  }

  private static long count(TrainingTable t, String label) {
    return t.rows().stream().filter(r -> r.label().equals(label)).count();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 7, 42, 2026})
  void stratified_skewedClasses_eachClassWithinOneRowOfItsShare(long seed) {
    int[] sizes = {4827, 747, 59};
    TrainingTable table = skewed(sizes);
    int n = table.rows().size();

    for (double fraction : new double[] {0.1, 0.2, 0.25, 0.33}) {
      Split split = Split.stratified(table, fraction, seed);

      int testSize = split.test().rows().size();
      assertThat(testSize).isEqualTo((int) Math.ceil(fraction * n));
      for (int c = 0; c < sizes.length; c++) {
        double share = (double) testSize * sizes[c] / n;
        assertThat((double) count(split.test(), "c" + c))
            .as("class c%d at fraction %s", c, fraction)
            .isBetween(share - 1, share + 1);
      }
    }
  }

  @Test
  void seeded_skewedClasses_isNotStratified() {
    // Why stratification is needed: the plain shuffle misses a small class's share by many rows.
    TrainingTable table = skewed(150, 20);

    Split plain = Split.seeded(table, 0.2, 4);
    Split stratified = Split.stratified(table, 0.2, 4);

    assertThat(count(plain.test(), "c1")).as("share 4").isEqualTo(1);
    assertThat(count(stratified.test(), "c1")).isEqualTo(4);
  }

  @Test
  void stratified_sameSeed_sameRows_otherSeed_otherRows() {
    TrainingTable table = skewed(700, 230, 70);

    Split a = Split.stratified(table, 0.2, 42);
    Split b = Split.stratified(table, 0.2, 42);
    Split c = Split.stratified(table, 0.2, 43);

    assertThat(lines(a.test())).isEqualTo(lines(b.test())).isSorted();
    assertThat(lines(a.train())).isEqualTo(lines(b.train())).isSorted();
    assertThat(lines(a.test())).isNotEqualTo(lines(c.test()));
    List<Long> all = new ArrayList<>(lines(a.train()));
    all.addAll(lines(a.test()));
    assertThat(all).doesNotHaveDuplicates().hasSize(1000);
  }

  @Test
  void stratified_knownSeed_givesPinnedRows() {
    // Pinned so that a port (scripts/eval-datasets reimplements it for scikit-learn) can check
    // itself: classes in order of first appearance, one Random(seed) shuffling each in turn.
    Split split = Split.stratified(skewed(6, 3, 1), 0.3, 42);

    assertThat(lines(split.test())).containsExactly(PINNED);
  }

  @Test
  void of_stratifyFlag_choosesTheRule() {
    TrainingTable table = skewed(700, 230, 70);

    assertThat(lines(Split.of(table, 0.2, 5, true).test()))
        .isEqualTo(lines(Split.stratified(table, 0.2, 5).test()));
    assertThat(lines(Split.of(table, 0.2, 5, false).test()))
        .isEqualTo(lines(Split.seeded(table, 0.2, 5).test()));
  }
}
