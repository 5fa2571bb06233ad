package dev.custody.core;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
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
    return Digests.inParallel(ranges, ShardHasher::hash, "shards");
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
}
