package dev.custody.train.fit;

import java.util.function.LongConsumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Counts the trees of a random forest as Tribuo grows them. Tribuo's bagging trainer has no
 * callback, and wrapping its tree trainer would change the trainer provenance inside the model (so
 * its content digest, and what the safe loader accepts); what it does have is one INFO record,
 * {@code "Building model i"}, before each tree. While a count is open the bagging trainer's logger
 * is set to INFO with its records kept from the console handlers (unless Tribuo's logging was on
 * anyway), and a handler hears the records logged on the counting thread only, so concurrent
 * trainings each count their own trees.
 */
final class TreesGrown {
  private static final String LOGGER = "org.tribuo.ensemble.BaggingTrainer";
  private static final String PREFIX = "Building model ";

  /** Held strongly: java.util.logging keeps loggers weakly, and the settings must stay. */
  private static final Logger BAGGING = Logger.getLogger(LOGGER);

  private static int open;
  private static Level savedLevel;
  private static boolean savedUseParent;

  private final Handler handler;

  private TreesGrown(LongConsumer grown) {
    long thread = Thread.currentThread().getId();
    this.handler =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            String m = r.getMessage();
            if (r.getLongThreadID() == thread && m != null && m.startsWith(PREFIX)) {
              try {
                grown.accept(Long.parseLong(m.substring(PREFIX.length())));
              } catch (NumberFormatException e) {
                // Another message with the same start: not a tree.
              }
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
  }

  /** Starts counting: {@code grown} hears the number of trees already grown before each new one. */
  static TreesGrown count(LongConsumer grown) {
    TreesGrown t = new TreesGrown(grown);
    synchronized (TreesGrown.class) {
      if (open++ == 0) {
        savedLevel = BAGGING.getLevel();
        savedUseParent = BAGGING.getUseParentHandlers();
        // Records Tribuo's logging would show anyway (custody.tribuo.logging, or the application's
        // own configuration) still reach the console; the others are heard by the count only.
        boolean shown = BAGGING.isLoggable(Level.INFO);
        BAGGING.setLevel(Level.INFO);
        BAGGING.setUseParentHandlers(savedUseParent && shown);
      }
    }
    BAGGING.addHandler(t.handler);
    return t;
  }

  /** Stops counting. */
  void close() {
    BAGGING.removeHandler(handler);
    synchronized (TreesGrown.class) {
      if (--open == 0) {
        BAGGING.setLevel(savedLevel);
        BAGGING.setUseParentHandlers(savedUseParent);
      }
    }
  }
}
