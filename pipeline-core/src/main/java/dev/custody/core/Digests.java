package dev.custody.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Streaming SHA-256. Reads in 64 KiB chunks: Commons Codec's {@code sha256Hex(InputStream)} reads 1
 * KiB at a time and runs at about half the speed, and 1 MiB chunks keep the hot loop out of the
 * JIT's top tier (measured in DESIGN.md). One large file hashed alone is read ahead on a second
 * thread, so that the hashing thread only hashes (BENCHMARKS.md, "Shards").
 */
public final class Digests {
  static final int CHUNK = 64 * 1024;

  /**
   * Read-ahead chunk: 256 KiB × {@value #READ_AHEAD_BUFFERS} buffers kept the hashing thread at
   * 1.04 s of CPU for 2 GiB (the SHA alone), where 64 KiB buffers cost 1.10 s (a hand-over per 64
   * KiB) and 1 MiB ones 1.13 s (out of the core's cache); reading inline costs 1.15 s.
   */
  static final int READ_AHEAD_CHUNK = 256 * 1024;

  private static final int READ_AHEAD_BUFFERS = 8;

  /** Files smaller than this are read inline: a thread costs more than it saves. */
  static final long READ_AHEAD_MIN = 4L * READ_AHEAD_CHUNK;

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

  /**
   * SHA-256 of a file's bytes. A regular file of at least {@link #READ_AHEAD_MIN} bytes is read
   * ahead by a daemon thread of this call (stopped before it returns) when there is more than one
   * core, so that reading overlaps hashing; the hashing itself is one sequential stream.
   */
  public static Sha256 sha256(Path file) throws IOException {
    Sha256 early = EarlyHashing.claimFile(file);
    if (early != null) {
      return early;
    }
    if (Runtime.getRuntime().availableProcessors() > 1
        && Files.isRegularFile(file)
        && Files.size(file) >= READ_AHEAD_MIN) {
      return sha256ReadAhead(file);
    }
    return sha256Inline(file);
  }

  /** SHA-256 of a file's bytes, read on the calling thread. */
  static Sha256 sha256Inline(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return sha256(in);
    }
  }

  /** A chunk the reader filled, the end of the file ({@code length < 0}) or the reader's error. */
  private static final class Filled {
    static final Filled END = new Filled(new byte[0], -1, null);

    final byte[] buf;
    final int length;
    final IOException error;

    Filled(byte[] buf, int length, IOException error) {
      this.buf = buf;
      this.length = length;
      this.error = error;
    }
  }

  /**
   * SHA-256 of a file read by a second thread into {@link #READ_AHEAD_BUFFERS} buffers that it
   * keeps full ahead of the hashing (calling) thread.
   */
  static Sha256 sha256ReadAhead(Path file) throws IOException {
    MessageDigest md = DigestUtils.getSha256Digest();
    BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(READ_AHEAD_BUFFERS);
    // Room for every buffer and the end or an error: the reader never waits to hand over.
    BlockingQueue<Filled> filled = new ArrayBlockingQueue<>(READ_AHEAD_BUFFERS + 1);
    for (int i = 0; i < READ_AHEAD_BUFFERS; i++) {
      free.add(new byte[READ_AHEAD_CHUNK]);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Thread reader = new Thread(() -> readAhead(ch, free, filled), "custody-sha256-read");
      reader.setDaemon(true);
      reader.start();
      try {
        for (Filled f = filled.take(); f.length >= 0; f = filled.take()) {
          if (f.error != null) {
            throw f.error;
          }
          md.update(f.buf, 0, f.length);
          free.add(f.buf);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while hashing " + file);
      } finally {
        stop(reader);
      }
    }
    return Sha256.ofRaw(md.digest());
  }

  /** The read-ahead thread: fills free buffers until the end of the file, an error or a stop. */
  private static void readAhead(
      FileChannel ch, BlockingQueue<byte[]> free, BlockingQueue<Filled> filled) {
    try {
      while (true) {
        byte[] buf = free.take();
        ByteBuffer bb = ByteBuffer.wrap(buf);
        boolean end = false;
        while (bb.hasRemaining() && !end) {
          end = ch.read(bb) < 0;
        }
        if (bb.position() > 0) {
          filled.add(new Filled(buf, bb.position(), null));
        }
        if (end) {
          filled.add(Filled.END);
          return;
        }
      }
    } catch (IOException e) {
      filled.add(new Filled(new byte[0], 0, e));
    } catch (InterruptedException e) {
      // Stopped by the hashing thread, which has what it needs or gave up.
    }
  }

  /** Interrupts {@code t} and waits for it to end, keeping the caller's interrupt status. */
  private static void stop(Thread t) {
    t.interrupt();
    boolean interrupted = false;
    while (t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
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
    // Several files keep the cores busy by themselves; one file alone is read ahead.
    List<Sha256> digests =
        inParallel(files, files.size() == 1 ? Digests::sha256 : Digests::sha256Inline, "files");
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
