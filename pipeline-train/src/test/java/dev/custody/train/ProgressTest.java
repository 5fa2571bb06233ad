package dev.custody.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.train.data.TrainingTable;
import dev.custody.train.fit.Trainers;
import dev.custody.train.spec.Fixtures;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.train.spec.TrainerSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library's progress callback inside long steps: rows read, screen folds, trees grown. */
class ProgressTest {
  private static final int ROWS = 9000;

  @TempDir Path dir;

  /** Every {@link Progress} call, in order. */
  private static final class Recorder implements Progress {
    record Advance(String step, String unit, long done, long total) {}

    final List<Advance> advances = new ArrayList<>();
    final List<String> started = new ArrayList<>();

    @Override
    public void started(String step) {
      started.add(step);
    }

    @Override
    public void advanced(String step, String unit, long done, long total) {
      assertThat(started).as("advanced only inside a started step").contains(step);
      advances.add(new Advance(step, unit, done, total));
    }

    @Override
    public void finished(String step, String detail, Duration elapsed) {}

    List<Long> done(String step, String unit) {
      return advances.stream()
          .filter(a -> a.step().equals(step) && a.unit().equals(unit))
          .map(Advance::done)
          .toList();
    }

    List<Long> totals(String step, String unit) {
      return advances.stream()
          .filter(a -> a.step().equals(step) && a.unit().equals(unit))
          .map(Advance::total)
          .toList();
    }
  }

  @Test
  void run_ingestWithLabelNoiseThenForest_reportsMonotoneCountsEndingAtTheTotal() throws Exception {
    Path data = dir.resolve("rows.csv");
    StringBuilder csv = new StringBuilder("id,age,income,sex,label\n");
    SplittableRandom rng = new SplittableRandom(7);
    for (int i = 1; i <= ROWS; i++) {
      int age = 18 + rng.nextInt(60);
      csv.append(
          String.format(
              Locale.ROOT,
              "%d,%d,%d,%s,%s%n",
              i,
              age,
              20000 + rng.nextInt(80000),
              rng.nextBoolean() ? "f" : "m",
              age > 45 ^ rng.nextInt(10) == 0 ? "yes" : "no"));
    }
    Files.writeString(data, csv, StandardCharsets.UTF_8);
    PipelineSpec spec =
        Fixtures.spec(
            data,
            Fixtures.sha256(data).hex(),
            "screens:\n  labelNoise: {policy: warn, params: {folds: 3, epochs: 2}}\n");
    Recorder progress = new Recorder();

    IngestResult r = Ingest.create().run(spec, progress);
    TrainingTable table = r.table();
    progress.started("train");
    Trainers.train(new TrainerSpec.RandomForest(4, 3, 50f, 0.5f, 1L), table, progress);

    assertThat(progress.done("read", "rows"))
        .isSorted()
        .endsWith((long) ROWS)
        .hasSizeGreaterThan(2);
    assertThat(progress.totals("read", "rows")).endsWith((long) ROWS);
    assertThat(progress.done("screen", "folds")).containsExactly(1L, 2L, 3L);
    assertThat(progress.totals("screen", "folds")).containsOnly(3L);
    assertThat(progress.done("train", "trees")).isSorted().startsWith(0L).endsWith(4L);
    assertThat(progress.totals("train", "trees")).containsOnly(4L);
  }
}
