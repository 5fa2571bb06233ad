package dev.custody.core;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Hashes byte ranges of files (the shards of model_signing's {@code shards} serialization) on a
 * bounded pool: at most one thread per core and one per shard, owned by the call and stopped before
 * it returns. Each shard is read with positional {@link FileChannel} reads into one {@link
 * Digests#CHUNK} buffer per task, so memory does not grow with the shard or file size, and shards
 * of one file are hashed on several cores at once.
 */
final class ShardHasher {
  /**
   * One byte range to hash.
   *
   * @param file the file
   * @param start first byte, included
   * @param end last byte, excluded; greater than {@code start}
   */
  record Range(Path file, long start, long end) {}

  private ShardHasher() {}

  /**
   * The SHA-256 of each range, in the order given whatever order the threads finish in.
   *
   * @throws IOException the first range that cannot be read, or a file that ends before a range's
   *     end (it changed while it was hashed); the other reads are stopped
   */
  static List<Sha256> hash(List<Range> ranges) throws IOException {
    int threads = Math.min(ranges.size(), Runtime.getRuntime().availableProcessors());
    List<Sha256> out = new ArrayList<>(ranges.size());
    if (threads <= 1) {
      for (Range r : ranges) {
        out.add(hash(r));
      }
      return out;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads, ShardHasher::hashingThread);
    try {
      List<Future<Sha256>> pending = new ArrayList<>(ranges.size());
      for (Range r : ranges) {
        pending.add(pool.submit(() -> hash(r)));
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
      throw new InterruptedIOException("interrupted while hashing " + ranges.size() + " shards");
    } finally {
      pool.shutdownNow();
    }
  }

  /** The SHA-256 of one range, read with positional reads. */
  static Sha256 hash(Range r) throws IOException {
    MessageDigest md = DigestUtils.getSha256Digest();
    ByteBuffer buf = ByteBuffer.allocate(Digests.CHUNK);
    try (FileChannel ch = FileChannel.open(r.file(), StandardOpenOption.READ)) {
      long pos = r.start();
      while (pos < r.end()) {
        buf.clear().limit((int) Math.min(buf.capacity(), r.end() - pos));
        int n = ch.read(buf, pos);
        if (n < 0) {
          throw new EOFException(
              r.file()
                  + ": ended at byte "
                  + pos
                  + ", before the shard's end "
                  + r.end()
                  + " (the file changed while it was hashed)");
        }
        md.update(buf.array(), 0, n);
        pos += n;
      }
    }
    return Sha256.ofRaw(md.digest());
  }

  private static Thread hashingThread(Runnable r) {
    Thread t = new Thread(r, "custody-shard-sha256");
    t.setDaemon(true);
    return t;
  }
}
