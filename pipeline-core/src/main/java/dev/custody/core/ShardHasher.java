package dev.custody.core;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Hashes byte ranges of files (the shards of model_signing's {@code shards} serialization) on a
 * bounded pool: at most one thread per core and one per shard, owned by the call and stopped before
 * it returns. Each shard is read with positional {@link FileChannel} reads into one direct buffer
 * of {@link #READ_CHUNK} bytes per task, so memory does not grow with the shard or file size, and
 * shards of one file are hashed on several cores at once. The longest shards start first, so that
 * the critical path is as short as the shard sizes allow.
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

  /**
   * Direct 1 MiB reads: the digest copies them out in 4 KiB pieces that stay in the core's cache;
   * 2.5% less CPU than 64 KiB heap reads, whose JDK copy goes through a direct buffer anyway
   * (BENCHMARKS.md, "Shards").
   */
  static final int READ_CHUNK = 1024 * 1024;

  private ShardHasher() {}

  /**
   * The SHA-256 of each range, in the order given whatever order the threads finish in.
   *
   * @throws IOException the first range that cannot be read, or a file that ends before a range's
   *     end (it changed while it was hashed); the other reads are stopped
   */
  static List<Sha256> hash(List<Range> ranges) throws IOException {
    List<Sha256> early = EarlyHashing.claimRanges(ranges);
    return early != null ? early : hashNow(ranges);
  }

  /** As {@link #hash(List)}, without looking for {@link EarlyHashing}'s digests. */
  static List<Sha256> hashNow(List<Range> ranges) throws IOException {
    Integer[] longestFirst = new Integer[ranges.size()];
    Arrays.setAll(longestFirst, i -> i);
    Arrays.sort(
        longestFirst,
        Comparator.comparingLong((Integer i) -> ranges.get(i).start() - ranges.get(i).end()));
    List<Range> ordered = new ArrayList<>(ranges.size());
    for (int i : longestFirst) {
      ordered.add(ranges.get(i));
    }
    // One buffer per thread, reused from shard to shard: direct memory is only freed by a GC.
    Queue<ByteBuffer> spare = new ConcurrentLinkedQueue<>();
    List<Sha256> digests =
        Digests.inParallel(
            ordered,
            r -> {
              ByteBuffer buf = spare.poll();
              try {
                if (buf == null) {
                  buf = ByteBuffer.allocateDirect(READ_CHUNK);
                }
                return hash(r, buf);
              } finally {
                if (buf != null) {
                  spare.add(buf);
                }
              }
            },
            "shards");
    Sha256[] out = new Sha256[ranges.size()];
    for (int k = 0; k < longestFirst.length; k++) {
      out[longestFirst[k]] = digests.get(k);
    }
    return Arrays.asList(out);
  }

  /** The SHA-256 of one range, read with positional reads. */
  static Sha256 hash(Range r) throws IOException {
    return hash(r, ByteBuffer.allocateDirect((int) Math.min(READ_CHUNK, r.end() - r.start())));
  }

  /** The SHA-256 of one range, read with positional reads into {@code buf}. */
  private static Sha256 hash(Range r, ByteBuffer buf) throws IOException {
    MessageDigest md = DigestUtils.getSha256Digest();
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
        md.update(buf.flip());
        pos += n;
      }
    }
    return Sha256.ofRaw(md.digest());
  }
}
