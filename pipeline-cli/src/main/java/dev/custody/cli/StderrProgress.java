package dev.custody.cli;

import dev.custody.train.Progress;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;

/**
 * Shows each pipeline step on stderr as it runs: its name when it starts, then its wall time and
 * what it did when it finishes ({@code train 1.58 s random-forest on 27000 rows, ...}). Inside a
 * step that reports its work ({@link Progress#advanced}: rows read, folds, trees), a progress bar
 * when stderr is a terminal (drawn by the progressbar library), otherwise a plain line at most once
 * a second ({@code run read 24576 rows}), so that a log shows the work without a line per row. With
 * {@code --quiet}, nothing. Never writes to stdout.
 */
final class StderrProgress implements Progress {
  /** The shortest time between two plain progress lines, and before the first. */
  static final Duration PLAIN_INTERVAL = Duration.ofSeconds(1);

  private final PrintWriter err;
  private final String stage;
  private final boolean quiet;
  private final PrintStream terminal;
  private final LongSupplier nanoTime;
  private final long intervalNanos;
  private final List<Step> steps = new ArrayList<>();
  private boolean open;
  private ProgressBar bar;
  private long lastLine;

  StderrProgress(PrintWriter err, String stage, boolean quiet) {
    this(
        err,
        stage,
        quiet,
        !quiet && stderrIsTerminal() ? System.err : null,
        System::nanoTime,
        PLAIN_INTERVAL);
  }

  /**
   * @param terminal where bars are drawn (stderr, a terminal), or null for plain lines on {@code
   *     err}
   * @param nanoTime the clock that spaces plain lines
   */
  StderrProgress(
      PrintWriter err,
      String stage,
      boolean quiet,
      PrintStream terminal,
      LongSupplier nanoTime,
      Duration interval) {
    this.err = err;
    this.stage = stage;
    this.quiet = quiet;
    this.terminal = terminal;
    this.nanoTime = nanoTime;
    this.intervalNanos = interval.toNanos();
  }

  @Override
  public void started(String step) {
    if (!quiet) {
      err.printf(Locale.ROOT, "%-9s %-9s ", stage, step);
      err.flush();
      open = true;
      lastLine = nanoTime.getAsLong();
    }
  }

  @Override
  public void advanced(String step, String unit, long done, long total) {
    if (quiet) {
      return;
    }
    if (terminal != null) {
      if (bar == null) {
        // The bar asks JLine for the terminal's width; JLine would warn on stderr that the jansi
        // provider (on the classpath through Tribuo's OLCUT) is deprecated.
        System.setProperty("org.jline.terminal.disableDeprecatedProviderWarning", "true");
        err.flush();
        bar =
            new ProgressBarBuilder()
                .setTaskName(stage + " " + step)
                .setInitialMax(total)
                .setUnit(" " + unit, 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(terminal))
                .clearDisplayOnFinish()
                .build();
      }
      bar.maxHint(total);
      bar.stepTo(done);
      return;
    }
    long now = nanoTime.getAsLong();
    if (now - lastLine < intervalNanos) {
      return;
    }
    lastLine = now;
    if (open) {
      // The step's line was left open for its result; progress lines come first.
      err.println("started");
      open = false;
    }
    String count = total > 0 ? done + "/" + total : Long.toString(done);
    err.printf(Locale.ROOT, "%-9s %-9s %s %s%n", stage, step, count, unit);
    err.flush();
  }

  /** Ends a step's line when the step threw, so that the one-line error starts on its own line. */
  void failed() {
    closeBar();
    if (open) {
      err.println("failed");
      err.flush();
      open = false;
    }
  }

  /** A finished step and its wall time, as {@code --json} lists it. */
  record Step(String name, Duration elapsed) {}

  /** The steps finished so far, in order, also with {@code --quiet}. */
  List<Step> steps() {
    return List.copyOf(steps);
  }

  @Override
  public void finished(String step, String detail, Duration elapsed) {
    steps.add(new Step(step, elapsed));
    if (quiet) {
      return;
    }
    boolean interrupted = closeBar() || !open;
    if (interrupted) {
      // A bar or progress lines stood between the step's name and its result: name it again.
      err.printf(Locale.ROOT, "%-9s %-9s ", stage, step);
    }
    err.printf(Locale.ROOT, "%6.2f s  %s%n", elapsed.toNanos() / 1e9, Errors.shown(detail));
    err.flush();
    open = false;
  }

  /** Closes (and so erases) the bar of the current step; whether there was one. */
  private boolean closeBar() {
    if (bar == null) {
      return false;
    }
    bar.close();
    bar = null;
    return true;
  }

  /**
   * Whether stderr is a terminal, as JLine's exec provider finds it ({@code test -t 2}); false when
   * that cannot be told.
   */
  private static boolean stderrIsTerminal() {
    try {
      return TerminalProvider.load("exec").isSystemStream(SystemStream.Error);
    } catch (java.io.IOException | RuntimeException | LinkageError e) {
      return false;
    }
  }
}
