package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How step progress reaches a stderr that is not a terminal (a log, CI), and --quiet. */
class StderrProgressTest {
  private final StringWriter text = new StringWriter();
  private final AtomicLong clock = new AtomicLong();

  private StderrProgress progress(boolean quiet) {
    return new StderrProgress(
        new PrintWriter(text, true), "run", quiet, null, clock::get, Duration.ofSeconds(1));
  }

  /** A read of 12288 rows reported every 4096 rows, {@code secondsApart} between reports. */
  private void longRead(StderrProgress p, long secondsApart) {
    p.started("read");
    for (long rows = 4096; rows <= 12288; rows += 4096) {
      clock.addAndGet(Duration.ofSeconds(secondsApart).toNanos());
      p.advanced("read", "rows", rows, rows == 12288 ? rows : -1);
    }
    p.finished("read", "1 file(s), 12288 rows", Duration.ofSeconds(3 * secondsApart));
  }

  @Test
  void advanced_longStepOnPlainStderr_printsAPlainLinePerSecondThenTheResult() {
    longRead(progress(false), 2);

    assertThat(text.toString().lines())
        .containsExactly(
            "run       read      started",
            "run       read      4096 rows",
            "run       read      8192 rows",
            "run       read      12288/12288 rows",
            "run       read        6.00 s  1 file(s), 12288 rows");
    assertThat(text.toString()).doesNotContain("\r").doesNotContain("\u001b");
  }

  @Test
  void advanced_reportsCloserThanASecond_printOnlyTheStepLine() {
    StderrProgress p = progress(false);
    p.started("screen");
    for (int fold = 1; fold <= 5; fold++) {
      clock.addAndGet(Duration.ofMillis(150).toNanos());
      p.advanced("screen", "folds", fold, 5);
    }
    p.finished("screen", "labelNoise 3 flagged (warn)", Duration.ofMillis(750));

    assertThat(text.toString().lines())
        .containsExactly("run       screen      0.75 s  labelNoise 3 flagged (warn)");
  }

  @Test
  void advanced_quiet_printsNothing() {
    longRead(progress(true), 2);

    assertThat(text.toString()).isEmpty();
  }
}
