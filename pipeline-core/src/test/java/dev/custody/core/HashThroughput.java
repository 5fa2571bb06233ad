package dev.custody.core;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * The in-process figures of scripts/bench-shards (not a test): one file hashed through the library,
 * warm (C2 has compiled the digest loop), by model_signing's {@code files} method (one hashing
 * thread, read ahead) and its {@code shards} method ({@code --shard-size 1GB}, shards in parallel),
 * and the ceilings they run against: SHA-256 of an in-memory buffer on one thread (the JDK's SHA
 * intrinsic) and reading the page-cached file without hashing. Prints one line per figure: {@code
 * NAME WALL_S CPU_S} (medians; CPU is the whole process's, user and system).
 *
 * <p>Usage: {@code java -cp ... dev.custody.core.HashThroughput FILE [ROUNDS]} (default 5 rounds
 * after 2 warm-up rounds).
 */
public final class HashThroughput {
  private static final long SHARD_SIZE = 1_000_000_000L;

  private HashThroughput() {}

  /** One measured task. */
  @FunctionalInterface
  private interface Task {
    Object run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: HashThroughput FILE [ROUNDS]");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    long size = Files.size(file);
    byte[] buffer = new byte[Digests.READ_AHEAD_CHUNK];
    Task memory =
        () -> {
          MessageDigest md = DigestUtils.getSha256Digest();
          for (long done = 0; done < size; done += buffer.length) {
            md.update(buffer, 0, (int) Math.min(buffer.length, size - done));
          }
          return md.digest();
        };
    Task read = () -> readAll(file);
    Task files = () -> ModelManifest.hash(file, List.of(), false).rootDigest();
    Task shards = () -> ShardManifest.hash(file, List.of(), false, SHARD_SIZE).rootDigest();
    System.out.printf(Locale.ROOT, "# %d bytes, %d cores, %d rounds%n", size, cores(), rounds);
    measure("sha256-in-memory-one-thread", memory, rounds);
    measure("read-page-cached-one-thread", read, rounds);
    measure("files-method-one-hashing-thread", files, rounds);
    measure("shards-1GB-parallel", shards, rounds);
  }

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** Reads the whole file into one direct 1 MiB buffer; returns a byte so the reads stay. */
  private static byte readAll(Path file) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    byte sink = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (ch.read(buf.clear()) >= 0) {
        sink ^= buf.get(0);
      }
    }
    return sink;
  }

  private static void measure(String name, Task task, int rounds) throws Exception {
    Object first = null;
    for (int i = 0; i < 2; i++) {
      first = task.run();
    }
    double[] wall = new double[rounds];
    double[] cpu = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      long cpu0 = processCpuNanos();
      long wall0 = System.nanoTime();
      Object result = task.run();
      wall[i] = (System.nanoTime() - wall0) / 1e9;
      cpu[i] = (processCpuNanos() - cpu0) / 1e9;
      if (first instanceof Sha256 && !first.equals(result)) {
        throw new IllegalStateException(name + ": another result in round " + i);
      }
    }
    System.out.printf(
        Locale.ROOT, "%s %.3f %.3f %s%n", name, median(wall), median(cpu), describe(first));
  }

  private static String describe(Object result) {
    return result instanceof Sha256 ? result.toString() : "-";
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** CPU time of the whole process (all threads, user and system), in nanoseconds. */
  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    return threads.getCurrentThreadCpuTime();
  }
}
