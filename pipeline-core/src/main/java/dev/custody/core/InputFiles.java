package dev.custody.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * Reads an input file that a command or the library was given (policy, key, lock, signature,
 * trusted root, spec, data) only when it is a regular file, checked before the file is opened so
 * that a FIFO, which would block the open forever, or a device, is never opened; and at most a
 * given number of bytes of it. Errors name the path (escaped by {@link Printable}), what was
 * expected and what was found.
 */
public final class InputFiles {
  /** Longest path shown in an error. */
  private static final int MAX_SHOWN_PATH = 300;

  /** Whether the path itself may be a symbolic link to a regular file. */
  public enum Links {
    /** A path the user named (a command-line argument): a link to a regular file is followed. */
    FOLLOW,
    /** A path inside untrusted content (a model directory): a link is refused, never followed. */
    REFUSE
  }

  private InputFiles() {}

  /**
   * Reads the whole of {@code file}, which must be a regular file of at most {@code maxBytes}
   * bytes.
   *
   * @param what what the file should be, for error messages (e.g. "a PEM public key")
   * @param reason the reason of every {@link PipelineException} thrown
   * @throws PipelineException with {@code reason} if the file is not a regular file (a FIFO, a
   *     device, a directory, or a symbolic link under {@link Links#REFUSE}) or is larger than
   *     {@code maxBytes}
   * @throws java.nio.file.NoSuchFileException if the file (or a link's target) does not exist
   * @throws IOException if the file cannot be read
   */
  public static byte[] read(Path file, String what, long maxBytes, Reason reason, Links links)
      throws IOException, PipelineException {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be at least 0, got " + maxBytes);
    }
    requireRegular(file, what, reason, links);
    LinkOption[] options =
        links == Links.REFUSE ? new LinkOption[] {LinkOption.NOFOLLOW_LINKS} : new LinkOption[0];
    try (InputStream in = Files.newInputStream(file, options)) {
      byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8L));
      if (bytes.length > maxBytes) {
        throw new PipelineException(
            reason,
            shown(file)
                + ": expected "
                + what
                + " of at most "
                + maxBytes
                + " bytes, found a larger file");
      }
      return bytes;
    }
  }

  /**
   * Checks, without opening it, that {@code file} is a regular file (or, under {@link
   * Links#FOLLOW}, a symbolic link to one).
   *
   * @param what what the file should be, for the error message
   * @throws PipelineException with {@code reason} naming the path, {@code what} and what was found:
   *     a FIFO, a socket, a device, a directory or a symbolic link; a {@link
   *     NotRegularFileException} under {@link Links#FOLLOW} (a path the user named)
   * @throws java.nio.file.NoSuchFileException if the file (or a link's target) does not exist
   * @throws IOException if its attributes cannot be read
   */
  public static void requireRegular(Path file, String what, Reason reason, Links links)
      throws IOException, PipelineException {
    BasicFileAttributes attrs =
        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    boolean link = attrs.isSymbolicLink();
    if (link && links == Links.REFUSE) {
      throw notRegular(file, what, reason, "a symbolic link (links are not followed here)");
    }
    if (link) {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    }
    if (!attrs.isRegularFile()) {
      String kind = attrs.isDirectory() ? "a directory" : special(file, links);
      String found = link ? "a symbolic link to " + kind : kind;
      if (links == Links.FOLLOW) {
        throw new NotRegularFileException(reason, notRegularMessage(file, what, found));
      }
      throw notRegular(file, what, reason, found);
    }
  }

  /** A path as it may be printed: escaped, one line, bounded. */
  /**
   * The permissions of {@code file} when they grant any of {@code forbidden}, for secrets and files
   * that grant access (keys, token files, password files); empty when none is granted or the file
   * system has no POSIX permissions to check. The caller words the refusal.
   */
  public static Optional<Set<PosixFilePermission>> grantedAnyOf(
      Path file, Set<PosixFilePermission> forbidden, Links links) throws IOException {
    LinkOption[] options =
        links == Links.REFUSE ? new LinkOption[] {LinkOption.NOFOLLOW_LINKS} : new LinkOption[0];
    PosixFileAttributeView view =
        Files.getFileAttributeView(file, PosixFileAttributeView.class, options);
    if (view == null) {
      return Optional.empty(); // not a POSIX file system: permissions cannot be checked here
    }
    Set<PosixFilePermission> perms = view.readAttributes().permissions();
    return perms.stream().anyMatch(forbidden::contains) ? Optional.of(perms) : Optional.empty();
  }

  public static String shown(Path file) {
    return Printable.of(file.toString(), MAX_SHOWN_PATH);
  }

  private static PipelineException notRegular(Path file, String what, Reason reason, String found) {
    return new PipelineException(reason, notRegularMessage(file, what, found));
  }

  private static String notRegularMessage(Path file, String what, String found) {
    return shown(file) + ": expected " + what + " (a regular file), found " + found;
  }

  /** Names a file that is neither regular nor a directory, from its POSIX type bits if known. */
  private static String special(Path file, Links links) {
    LinkOption[] options =
        links == Links.REFUSE ? new LinkOption[] {LinkOption.NOFOLLOW_LINKS} : new LinkOption[0];
    int mode;
    try {
      mode = (Integer) Files.getAttribute(file, "unix:mode", options);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "a special file";
    }
    return switch (mode & 0170000) {
      case 0010000 -> "a FIFO (named pipe)";
      case 0140000 -> "a socket";
      case 0020000 -> "a character device";
      case 0060000 -> "a block device";
      default -> "a special file";
    };
  }
}
