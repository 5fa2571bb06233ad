package dev.custody.cli;

import dev.custody.train.Progress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Shows each pipeline step on stderr as it runs: its name when it starts, then its wall time and
 * what it did when it finishes ({@code train 1.58 s random-forest on 27000 rows, ...}).
 */
final class StderrProgress implements Progress {
  private final PrintWriter err;
  private final String stage;
  private final boolean quiet;
  private boolean open;

  StderrProgress(PrintWriter err, String stage, boolean quiet) {
    this.err = err;
    this.stage = stage;
    this.quiet = quiet;
  }

  @Override
  public void started(String step) {
    if (!quiet) {
      err.printf(Locale.ROOT, "%-9s %-9s ", stage, step);
      err.flush();
      open = true;
    }
  }

  /** Ends a step's line when the step threw, so that the one-line error starts on its own line. */
  void failed() {
    if (open) {
      err.println("failed");
      err.flush();
      open = false;
    }
  }

  @Override
  public void finished(String step, String detail, Duration elapsed) {
    if (!quiet) {
      err.printf(Locale.ROOT, "%6.2f s  %s%n", elapsed.toNanos() / 1e9, Errors.shown(detail));
      err.flush();
      open = false;
    }
  }
}
