package dev.custody.train.export;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A model directory written atomically: everything goes into a directory of the final name inside a
 * private staging directory next to the target ({@code .NAME.staging-RANDOM/NAME}); {@link
 * #publish()} fsyncs every file and directory, renames the staged directory onto the target in one
 * step and fsyncs the parent. A reader sees no directory or the complete one, never a half-written
 * model; a failure before {@code publish} leaves nothing behind ({@link #close()} removes the
 * staging directory).
 *
 * <p>The staged directory already has its final name, so what is signed inside it (the model
 * signature names the directory) is what is published.
 */
public final class ModelDirectory implements AutoCloseable {
  private final Path target;
  private final Path staging;
  private final Path dir;
  private boolean published;

  private ModelDirectory(Path target, Path staging, Path dir) {
    this.target = target;
    this.staging = staging;
    this.dir = dir;
  }

  /**
   * Starts a model directory that will become {@code target}.
   *
   * @throws FileAlreadyExistsException if {@code target} exists: a model directory is never
   *     replaced
   */
  public static ModelDirectory stage(Path target) throws IOException {
    Path abs = target.toAbsolutePath().normalize();
    requireAbsent(abs);
    Path parent = abs.getParent();
    Files.createDirectories(parent);
    Path staging = Files.createTempDirectory(parent, "." + abs.getFileName() + ".staging-");
    return new ModelDirectory(
        abs, staging, Files.createDirectory(staging.resolve(abs.getFileName())));
  }

  /**
   * Refuses a target that exists, before any work is done for it.
   *
   * @throws FileAlreadyExistsException if {@code target} exists: a model directory is never
   *     replaced
   */
  public static void requireAbsent(Path target) throws FileAlreadyExistsException {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(
          target.toString(), null, "refusing to replace a model directory");
    }
  }

  /** The staged directory to write into. */
  public Path dir() {
    return dir;
  }

  /** The final location. */
  public Path target() {
    return target;
  }

  /** Makes the staged directory durable and renames it onto the target. */
  public void publish() throws IOException {
    List<Path> dirs = new ArrayList<>();
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
              ch.force(true);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            dirs.add(d);
            return FileVisitResult.CONTINUE;
          }
        });
    dirs.forEach(ModelDirectory::fsyncDirectory);
    requireAbsent(target);
    try {
      Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          "cannot rename " + dir + " onto " + target + " atomically (different file systems?)", e);
    }
    published = true;
    fsyncDirectory(target.getParent());
    Files.delete(staging);
  }

  /** Removes whatever is still staged (all of it, unless {@link #publish()} succeeded). */
  @Override
  public void close() throws IOException {
    if (!Files.exists(staging, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(staging)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
    if (!published) {
      fsyncDirectory(staging.getParent());
    }
  }

  private static void fsyncDirectory(Path d) {
    // Makes entries durable on Linux; directories cannot be opened for reading everywhere
    // (Windows).
    try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // The rename stands; only its durability across a power cut is not forced here.
    }
  }
}
