package dev.custody.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Streaming SHA-256. Reads in 64 KiB chunks: Commons Codec's {@code sha256Hex(InputStream)} reads
 * 1 KiB at a time and runs at about half the speed, and 1 MiB chunks keep the hot loop out of the
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

  /** SHA-256 of each file, hashed in parallel (the common pool: one thread per core). */
  public static Map<Path, Sha256> sha256All(List<Path> files) throws IOException {
    Map<Path, Sha256> out = new ConcurrentHashMap<>();
    try {
      files.parallelStream()
          .forEach(
              f -> {
                try {
                  out.put(f, sha256(f));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return out;
  }
}
