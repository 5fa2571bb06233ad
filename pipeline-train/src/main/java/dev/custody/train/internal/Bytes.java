package dev.custody.train.internal;

import dev.custody.core.Digests;
import dev.custody.core.InputFiles;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading whole files into memory, with a size limit, so that what is hashed is what is parsed. */
public final class Bytes {
  private Bytes() {}

  /**
   * Reads a whole file, refusing one larger than {@code limit} bytes (without reading past it), or
   * one that is not a regular file (checked before it is opened: a FIFO would block forever).
   *
   * @throws PipelineException with {@code reason} when the file is too large, or is a FIFO, a
   *     device or a directory
   */
  public static byte[] readLimited(Path file, long limit, Reason reason)
      throws IOException, PipelineException {
    InputFiles.requireRegular(file, "a file to read", reason, InputFiles.Links.FOLLOW);
    try (InputStream in = Files.newInputStream(file)) {
      return readLimited(in, limit, reason, InputFiles.shown(file));
    }
  }

  /** Reads a stream to its end, refusing more than {@code limit} bytes. */
  public static byte[] readLimited(InputStream in, long limit, Reason reason, String what)
      throws IOException, PipelineException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    for (int n; (n = in.read(buf)) != -1; ) {
      total += n;
      if (total > limit) {
        throw new PipelineException(
            reason, what + ": expected at most " + limit + " bytes, found more");
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  /** SHA-256 of bytes held in memory, fed to the digest in 64 KiB chunks. */
  public static Sha256 sha256(byte[] content) {
    try {
      return Digests.sha256(new ByteArrayInputStream(content));
    } catch (IOException e) {
      throw new IllegalStateException("reading memory failed", e);
    }
  }
}
