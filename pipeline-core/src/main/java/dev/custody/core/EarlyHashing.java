package dev.custody.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Hashing started before a command knows it needs it: the command line's launcher starts the
 * hashing of the one large file a verb will hash as the JVM starts, so that the command line's own
 * start-up (its parser, the key, the JSON and bundle classes) runs while the file is hashed instead
 * of before. A guess, never an input: {@link Digests#sha256(Path)} and {@link
 * ShardHasher#hash(List)} take its result only for exactly the file and byte ranges they were asked
 * for (another way of hashing that file stops it), and only when the file's identity (file key,
 * size, modification time) is the same before the early hashing read it and after it finished;
 * otherwise they stop it and hash as usual. At most one early hashing is pending; it runs on a
 * daemon thread, so a command that never asks for it exits without waiting for it.
 */
public final class EarlyHashing {
  /** Smaller files are hashed as usual: the JVM's start-up costs less than a thread's hand-over. */
  static final long MIN_SIZE = 64L << 20;

  /** The most shards hashed early: a plan of more is not the one large file this is for. */
  static final int MAX_SHARDS = 64;

  /**
   * What was started: the ranges ({@code whole} false) or the whole file, its identity when it
   * started, and the hashing.
   */
  private record Job(
      Path file,
      boolean whole,
      List<ShardHasher.Range> ranges,
      Identity identity,
      FutureTask<List<Sha256>> task) {}

  /** What tells a replaced or rewritten file: its file key, size and modification time. */
  private record Identity(Object fileKey, long size, long modified) {
    static Identity of(Path file) throws IOException {
      BasicFileAttributes a =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isRegularFile()) {
        return null;
      }
      return new Identity(a.fileKey(), a.size(), a.lastModifiedTime().toMillis());
    }
  }

  private static final AtomicReference<Job> PENDING = new AtomicReference<>();

  private EarlyHashing() {}

  /**
   * Starts hashing {@code file} whole (what the files method hashes for a single-file model), if it
   * is a regular file, not a link, of at least {@link #MIN_SIZE} bytes and nothing else was
   * started; otherwise does nothing. Never fails: an error here is the command's to report.
   */
  public static void startFile(Path file) {
    start(file, 0, MIN_SIZE);
  }

  /**
   * Starts hashing {@code file} by shards of {@code shardSize} bytes (the {@code shards} method's
   * plan for a model that is this one file), under the conditions of {@link #startFile(Path)}.
   */
  public static void startShards(Path file, long shardSize) {
    if (shardSize > 0) {
      start(file, shardSize, MIN_SIZE);
    }
  }

  /** Starts hashing {@code given} whole ({@code shardSize} 0) or by shards, if it qualifies. */
  static void start(Path given, long shardSize, long minSize) {
    try {
      Path file = given.toAbsolutePath().normalize();
      Identity id = Identity.of(file);
      if (id == null || id.size() < minSize || PENDING.get() != null) {
        return;
      }
      List<ShardHasher.Range> ranges = new ArrayList<>();
      if (shardSize > 0) {
        if ((id.size() - 1) / shardSize + 1 > MAX_SHARDS) {
          return;
        }
        for (long start = 0; start < id.size(); start += shardSize) {
          ranges.add(new ShardHasher.Range(file, start, Math.min(id.size(), start + shardSize)));
        }
      }
      boolean whole = shardSize == 0;
      FutureTask<List<Sha256>> task =
          new FutureTask<>(
              () -> whole ? List.of(Digests.sha256ReadAhead(file)) : ShardHasher.hashNow(ranges));
      if (!PENDING.compareAndSet(null, new Job(file, whole, List.copyOf(ranges), id, task))) {
        return;
      }
      Thread t = new Thread(task, "custody-early-sha256");
      t.setDaemon(true);
      t.start();
    } catch (IOException | RuntimeException e) {
      // The command reads the file itself and reports what is wrong with it.
    }
  }

  /** Whether an early hashing waits for its claim. */
  static boolean pending() {
    return PENDING.get() != null;
  }

  /** The early digest of {@code file} whole, or null (and the early hashing stopped). */
  static Sha256 claimFile(Path file) {
    List<Sha256> d = claim(file.toAbsolutePath().normalize(), true, List.of());
    return d == null ? null : d.get(0);
  }

  /** The early digests of exactly {@code ranges}, in their order, or null (see the class). */
  static List<Sha256> claimRanges(List<ShardHasher.Range> ranges) {
    if (ranges.isEmpty()) {
      return null;
    }
    Path file = ranges.get(0).file().toAbsolutePath().normalize();
    List<ShardHasher.Range> normalized = new ArrayList<>(ranges.size());
    for (ShardHasher.Range r : ranges) {
      normalized.add(
          new ShardHasher.Range(r.file().toAbsolutePath().normalize(), r.start(), r.end()));
    }
    return claim(file, false, normalized);
  }

  private static List<Sha256> claim(Path file, boolean whole, List<ShardHasher.Range> ranges) {
    Job job = PENDING.get();
    // Another file is none of this file's business: its early hashing waits for its own claim.
    if (job == null || !job.file().equals(file) || !PENDING.compareAndSet(job, null)) {
      return null;
    }
    if (job.whole() != whole || !job.ranges().equals(ranges)) {
      job.task().cancel(true);
      return null;
    }
    try {
      List<Sha256> digests = job.task().get();
      return Objects.equals(job.identity(), Identity.of(file)) ? digests : null;
    } catch (InterruptedException e) {
      job.task().cancel(true);
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | CancellationException | IOException e) {
      // Hashed again as usual, which reports the error in the command's words.
      return null;
    }
  }
}
