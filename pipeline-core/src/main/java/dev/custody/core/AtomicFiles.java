package dev.custody.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes files so that a reader sees either the old content or the complete new content, never a
 * half-written artifact: write a temporary file in the same directory, fsync it, rename it over the
 * target, fsync the directory.
 */
public final class AtomicFiles {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  // Artifacts (not secrets) are world-readable, as a plain file written under umask 022 would be.
  private static final Set<PosixFilePermission> ARTIFACT =
      PosixFilePermissions.fromString("rw-r--r--");

  /** Writes the content of an artifact to a stream. */
  @FunctionalInterface
  public interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  /** Atomically replaces {@code target} with {@code content}. */
  public static void write(Path target, byte[] content) throws IOException {
    write(target, out -> out.write(content), false);
  }

  /** Atomically replaces {@code target} with what {@code writer} writes. */
  public static void write(Path target, Writer writer) throws IOException {
    write(target, writer, false);
  }

  /**
   * Atomically writes a file readable and writable by its owner only (mode 0600 from creation, so
   * the content is never visible to others, even briefly). Refuses to replace an existing file.
   */
  public static void writeOwnerOnly(Path target, byte[] content) throws IOException {
    if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(target.toString(), null, "refusing to overwrite");
    }
    write(target, out -> out.write(content), true);
  }

  /**
   * Atomically writes or replaces a file readable and writable by its owner only (mode 0600 from
   * creation), for a file that is rewritten whole, such as a token file.
   */
  public static void replaceOwnerOnly(Path target, byte[] content) throws IOException {
    write(target, out -> out.write(content), true);
  }

  private static void write(Path target, Writer writer, boolean ownerOnly) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    boolean posix = supportsPosix(dir);
    Path tmp =
        posix
            ? Files.createTempFile(
                dir,
                "." + abs.getFileName(),
                ".tmp",
                PosixFilePermissions.asFileAttribute(OWNER_ONLY))
            : Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
    try {
      if (posix && !ownerOnly) {
        Files.setPosixFilePermissions(tmp, ARTIFACT);
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
          OutputStream out = Channels.newOutputStream(ch)) {
        writer.writeTo(out);
        out.flush();
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
      fsyncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static boolean supportsPosix(Path dir) {
    return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static void fsyncDirectory(Path dir) {
    // Makes the rename durable on Linux; not possible on every platform, where it is skipped.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Directories cannot be opened for reading on some platforms (Windows): the rename stands.
    }
  }
}
