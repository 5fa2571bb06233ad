package dev.custody.verify;

import java.io.ObjectInputFilter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;

/**
 * The Java deserialization filter Custody applies while it loads a model: the application installs
 * it, explicitly, before it loads one.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *   DeserializationFilter.install();   // first thing, before anything creates an ObjectInputStream
 *   ...
 * }
 * }</pre>
 *
 * <p>The JDK applies one JVM-wide filter factory to every {@code ObjectInputStream}, and lets it be
 * set only once, and only before the first stream is created. {@link #install()} sets a factory
 * that wraps the one in place: on a thread that is loading a model, every stream gets a filter that
 * rejects every class (and bounds depth, references, array lengths and bytes); on any other thread
 * the previous factory decides, unchanged, so the host application's own deserialization is not
 * affected.
 *
 * <p>Rejecting every class is right because none of the model types Custody supports (logistic
 * regression, CART, random forest) embeds Java serialization in Tribuo 4.3.2: their protobuf forms
 * hold only protobuf. {@code ModelLoaderTest} checks that loading them opens no stream at all.
 *
 * <h3>Security guarantees</h3>
 *
 * Nothing is installed behind the application's back (no static initializer does it), and the safe
 * loader refuses to deserialize, with {@link IllegalStateException}, until this filter is in place.
 */
public final class DeserializationFilter {
  /** Rejects every class; the limits bound what a stream may read before it gets that far. */
  static final ObjectInputFilter FILTER =
      ObjectInputFilter.Config.createFilter(
          "maxdepth=16;maxrefs=1024;maxarray=65536;maxbytes=1048576;!*");

  /** The JDK's own factory, in place until someone sets another. */
  private static final String JDK_DEFAULT_FACTORY =
      "java.io.ObjectInputFilter$Config$BuiltinFilterFactory";

  private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
  private static final AtomicLong STREAMS_FILTERED = new AtomicLong();

  private DeserializationFilter() {}

  /**
   * Installs the filter factory for this JVM; does nothing if it is already installed.
   *
   * @throws IllegalStateException if the JDK refuses a new factory: another filter factory was set
   *     first ({@code jdk.serialFilterFactory} or {@code ObjectInputFilter.Config
   *     .setSerialFilterFactory}), or an {@code ObjectInputStream} was created first. The message
   *     says which, and that the call must come first in {@code main}.
   */
  public static synchronized void install() {
    BinaryOperator<ObjectInputFilter> current = ObjectInputFilter.Config.getSerialFilterFactory();
    if (current instanceof ScopedFactory) {
      return;
    }
    try {
      ObjectInputFilter.Config.setSerialFilterFactory(new ScopedFactory(current));
    } catch (IllegalStateException e) {
      String cause =
          JDK_DEFAULT_FACTORY.equals(current.getClass().getName())
              ? "an ObjectInputStream was already created in this JVM, after which the JDK accepts"
                  + " no filter factory"
              : "another deserialization filter factory is already set ("
                  + current.getClass().getName()
                  + "), and the JDK allows only one";
      throw new IllegalStateException(
          "cannot install Custody's deserialization filter: "
              + cause
              + " (JDK: "
              + e.getMessage()
              + "). Call dev.custody.verify.DeserializationFilter.install() first thing in main,"
              + " before any library creates an ObjectInputStream, and do not set"
              + " jdk.serialFilterFactory",
          e);
    }
  }

  /** Whether {@link #install()} has put the filter factory in place in this JVM. */
  public static boolean installed() {
    return ObjectInputFilter.Config.getSerialFilterFactory() instanceof ScopedFactory;
  }

  /**
   * Runs {@code action} with Java deserialization rejected on this thread.
   *
   * @throws IllegalStateException if the filter is not installed
   */
  static <T> T call(Supplier<T> action) {
    requireInstalled();
    int[] depth = DEPTH.get();
    depth[0]++;
    try {
      return action.get();
    } finally {
      depth[0]--;
    }
  }

  /**
   * Fails unless the filter factory is in place.
   *
   * @throws IllegalStateException if {@link #install()} has not run in this JVM
   */
  static void requireInstalled() {
    if (!installed()) {
      throw new IllegalStateException(
          "Custody's deserialization filter is not installed: call"
              + " dev.custody.verify.DeserializationFilter.install() first thing in main, before"
              + " loading a model");
    }
  }

  /** Whether this thread is inside {@link #call}. */
  static boolean active() {
    return DEPTH.get()[0] > 0;
  }

  /**
   * How many object streams (or stream filter changes) were filtered inside {@link #call}, ever.
   */
  static long streamsFiltered() {
    return STREAMS_FILTERED.get();
  }

  /** Delegates to the previous factory, and adds {@link #FILTER} inside {@link #call}. */
  private static final class ScopedFactory implements BinaryOperator<ObjectInputFilter> {
    private final BinaryOperator<ObjectInputFilter> previous;

    ScopedFactory(BinaryOperator<ObjectInputFilter> previous) {
      this.previous = previous;
    }

    @Override
    public ObjectInputFilter apply(ObjectInputFilter current, ObjectInputFilter next) {
      ObjectInputFilter chosen = previous.apply(current, next);
      if (!active()) {
        return chosen;
      }
      STREAMS_FILTERED.incrementAndGet();
      return chosen == null ? FILTER : ObjectInputFilter.merge(FILTER, chosen);
    }
  }
}
