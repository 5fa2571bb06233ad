package dev.custody.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@code main} class of the test classpath in a fresh JVM with a small heap, for the
 * resource-bound tests: a hostile input must be refused within a generous wall-clock limit and
 * without exhausting a 256 MiB heap. Running in a child process is the point: the refusal's memory
 * is measured alone, an out-of-memory cannot take the test JVM down, and a hang is killed.
 */
public final class ForkedJvm {
  /** The heap every resource-bound test gets, as the issue sets it. */
  public static final String SMALL_HEAP = "-Xmx256m";

  private ForkedJvm() {}

  /** What the child did: its exit code, its output streams, and how long it ran. */
  public record Result(int exitCode, String stdout, String stderr, Duration elapsed) {
    /** Whether the child died of heap exhaustion (reported by the JVM on stderr). */
    public boolean outOfMemory() {
      return stderr.contains("OutOfMemoryError") || stdout.contains("OutOfMemoryError");
    }
  }

  /**
   * Runs {@code mainClass} with {@code args} under {@link #SMALL_HEAP}, killing it after {@code
   * limit}.
   *
   * @throws AssertionError if the child is still running at {@code limit} (it is killed first)
   */
  public static Result run(Class<?> mainClass, Duration limit, String... args)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("forked-jvm", ".out");
    Path err = Files.createTempFile("forked-jvm", ".err");
    try {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add(SMALL_HEAP);
      command.add("-XX:+ExitOnOutOfMemoryError");
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(mainClass.getName());
      command.addAll(List.of(args));
      long start = System.nanoTime();
      Process child =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!child.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        child.destroyForcibly().waitFor();
        throw new AssertionError(
            mainClass.getSimpleName() + " still running after " + limit + "; killed");
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      return new Result(
          child.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8),
          elapsed);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
