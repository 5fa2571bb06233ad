package dev.custody.train;

import java.time.Duration;

/**
 * Hears about the long steps of a pipeline (reading and hashing data, screening, training,
 * signing), so that a command line can show what is happening and how long each step took, and
 * about the work done inside a long step ({@link #advanced}: rows read, screen folds done, trees
 * grown). Called on the thread that runs the step; an implementation must not throw.
 */
@FunctionalInterface
public interface Progress {
  /**
   * A step is starting.
   *
   * @param step a short name, e.g. {@code "train"}
   */
  default void started(String step) {}

  /**
   * A step finished.
   *
   * @param step the name given to {@link #started}
   * @param detail what it did, in a few words (counts, sizes), never secret material
   * @param elapsed its wall time
   */
  void finished(String step, String detail, Duration elapsed);

  /**
   * Work done so far inside a running step; called between {@link #started} and {@link #finished}
   * of that step, with {@code done} never decreasing within the step. Steps report at most every
   * few thousand units, so an implementation may print or draw on every call it chooses to.
   *
   * @param step the name given to {@link #started}
   * @param unit what is counted, plural: {@code "rows"}, {@code "folds"}, {@code "trees"}
   * @param done units done so far
   * @param total units the step will do, or -1 when unknown in advance (rows of a file)
   */
  default void advanced(String step, String unit, long done, long total) {}

  /** Ignores everything. */
  static Progress none() {
    return (step, detail, elapsed) -> {};
  }

  /** Times one step: {@link #started} now, {@link #finished} when {@link Timer#done} is called. */
  static Timer start(Progress progress, String step) {
    progress.started(step);
    return new Timer(progress, step, System.nanoTime());
  }

  /** A running step. */
  final class Timer {
    private final Progress progress;
    private final String step;
    private final long startNanos;

    private Timer(Progress progress, String step, long startNanos) {
      this.progress = progress;
      this.step = step;
      this.startNanos = startNanos;
    }

    /** Reports the step finished with {@code detail}. */
    public void done(String detail) {
      progress.finished(step, detail, Duration.ofNanos(System.nanoTime() - startNanos));
    }
  }
}
