package dev.custody.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Streaming SHA-256. Reads in 64 KiB chunks: Commons Codec's {@code sha256Hex(InputStream)} reads 1
 * KiB at a time and runs at about half the speed, and 1 MiB chunks keep the hot loop out of the
 * JIT's top tier (measured in DESIGN.md).
 */
public final class Digests {
  static final int CHUNK = 64 * 1024;

  private Digests() {}

  /** SHA-256 of everything {@code in} yields; does not close it. */
  public static Sha256 sha256(InputStream in) throws IOException {
    MessageDigest md = DigestUtils.getSha256Digest();
    byte[] buf = new byte[CHUNK];
    for (int n; (n = in.read(buf)) != -1; ) {
      md.update(buf, 0, n);
    }
    return new Sha256(Hex.encodeHexString(md.digest()));
  }

  /** SHA-256 of a file's bytes. */
  public static Sha256 sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return sha256(in);
    }
  }

  /**
   * SHA-256 of each file, hashed in parallel on threads owned by this call: at most one per core
   * and one per file, daemon threads, stopped before it returns. It never runs on the common {@link
   * java.util.concurrent.ForkJoinPool}, whose threads other code in the JVM relies on and which
   * blocking file reads would starve.
   *
   * @throws IOException the first file that cannot be read; the other reads are stopped
   */
  public static Map<Path, Sha256> sha256All(List<Path> files) throws IOException {
    List<Sha256> digests = inParallel(files, Digests::sha256, "files");
    Map<Path, Sha256> out = new HashMap<>();
    for (int i = 0; i < files.size(); i++) {
      out.put(files.get(i), digests.get(i));
    }
    return out;
  }

  /** One hashing job: reads what {@code item} names and returns its digest. */
  @FunctionalInterface
  interface HashJob<T> {
    Sha256 hash(T item) throws IOException;
  }

  /**
   * {@code job} applied to each item, in the order given whatever order the threads finish in, on
   * threads owned by this call (at most one per core and one per item, daemon threads, stopped
   * before it returns; never the common ForkJoinPool, which blocking reads would starve).
   *
   * @param what the items' plural noun, for the interruption message
   * @throws IOException the first item that cannot be read; the other reads are stopped
   */
  static <T> List<Sha256> inParallel(List<T> items, HashJob<T> job, String what)
      throws IOException {
    int threads = Math.min(items.size(), Runtime.getRuntime().availableProcessors());
    List<Sha256> out = new ArrayList<>(items.size());
    if (threads <= 1) {
      for (T item : items) {
        out.add(job.hash(item));
      }
      return out;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads, Digests::hashingThread);
    try {
      List<Future<Sha256>> pending = new ArrayList<>(items.size());
      for (T item : items) {
        pending.add(pool.submit(() -> job.hash(item)));
      }
      for (Future<Sha256> f : pending) {
        out.add(f.get());
      }
      return out;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("hashing failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while hashing " + items.size() + " " + what);
    } finally {
      pool.shutdownNow();
    }
  }

  private static Thread hashingThread(Runnable r) {
    Thread t = new Thread(r, "custody-sha256");
    t.setDaemon(true);
    return t;
  }
}
