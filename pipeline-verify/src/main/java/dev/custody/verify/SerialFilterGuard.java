package dev.custody.verify;

import java.io.ObjectInputFilter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;

/**
 * A Java deserialization filter for the duration of a model load, on the loading thread.
 *
 * <p>The JDK applies one JVM-wide filter factory to every {@code ObjectInputStream}, and lets it be
 * replaced only before the first stream is created. This class installs, once, a factory that wraps
 * the existing one: on a thread inside {@link #call}, every stream gets {@link #FILTER}, which
 * rejects every class (and bounds depth, references, array lengths and bytes); on any other thread
 * the previous factory decides, unchanged.
 *
 * <p>Rejecting every class is right because none of the model types Custody supports (logistic
 * regression, CART, random forest) embeds Java serialization in Tribuo 4.3.2: their protobuf forms
 * hold only protobuf. {@code ModelLoaderTest} checks that loading them opens no stream at all.
 *
 * <p>If the factory cannot be installed (another factory was installed first, or a stream was
 * created before this class was initialized), {@link #call} fails closed with {@link
 * IllegalStateException}.
 */
final class SerialFilterGuard {
  /** Rejects every class; the limits bound what a stream may read before it gets that far. */
  static final ObjectInputFilter FILTER =
      ObjectInputFilter.Config.createFilter(
          "maxdepth=16;maxrefs=1024;maxarray=65536;maxbytes=1048576;!*");

  private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
  private static final AtomicLong STREAMS_FILTERED = new AtomicLong();
  private static final String INSTALL_FAILURE = install();

  private SerialFilterGuard() {}

  /**
   * Runs {@code action} with Java deserialization rejected on this thread.
   *
   * @throws IllegalStateException if the filter factory could not be installed in this JVM
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
   * @throws IllegalStateException if it could not be installed in this JVM
   */
  static void requireInstalled() {
    if (INSTALL_FAILURE != null) {
      throw new IllegalStateException(
          "cannot install Custody's deserialization filter ("
              + INSTALL_FAILURE
              + "): load a model before any ObjectInputStream is created, and do not set"
              + " jdk.serialFilterFactory");
    }
  }

  /** Whether this thread is inside {@link #call}. */
  static boolean active() {
    return DEPTH.get()[0] > 0;
  }

  /** How many object streams (or stream filter changes) were filtered inside {@link #call}, ever. */
  static long streamsFiltered() {
    return STREAMS_FILTERED.get();
  }

  private static String install() {
    BinaryOperator<ObjectInputFilter> current = ObjectInputFilter.Config.getSerialFilterFactory();
    if (current instanceof ScopedFactory) {
      return null;
    }
    try {
      ObjectInputFilter.Config.setSerialFilterFactory(new ScopedFactory(current));
      return null;
    } catch (IllegalStateException | SecurityException e) {
      return e.getMessage();
    }
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
