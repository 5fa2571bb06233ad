package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Parallel file hashing: correct digests, on threads of its own, gone when it returns. */
class DigestsTest {
  static final String THREAD_NAME = "custody-sha256";

  @TempDir Path tmp;

  @Test
  void sha256All_manyFiles_equalsEachFileHashedAlone() throws Exception {
    Random random = new Random(7);
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      byte[] content = new byte[random.nextInt(200_000)];
      random.nextBytes(content);
      files.add(Files.write(tmp.resolve("f" + i), content));
    }

    Map<Path, Sha256> all = Digests.sha256All(files);

    assertThat(all).hasSize(files.size());
    for (Path f : files) {
      assertThat(all.get(f)).isEqualTo(Sha256.of(Files.readAllBytes(f)));
    }
  }

  @Test
  void sha256_largeFilesReadAhead_equalTheDigestOfTheBytesAndLeaveNoReaderBehind()
      throws Exception {
    assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "one core: read inline");
    Random random = new Random(11);
    int chunk = Digests.READ_AHEAD_CHUNK;
    // Ends mid-buffer, exactly at a buffer's end, and after more buffers than the reader keeps.
    for (long size : new long[] {Digests.READ_AHEAD_MIN + 17, 6L * chunk, 21L * chunk - 1}) {
      byte[] content = new byte[(int) size];
      random.nextBytes(content);
      Path f = Files.write(tmp.resolve("large" + size), content);

      assertThat(Digests.sha256(f)).as("%d bytes", size).isEqualTo(Sha256.of(content));
      assertThat(Digests.sha256All(List.of(f)).get(f)).isEqualTo(Sha256.of(content));
    }
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals("custody-sha256-read") && t.isAlive());
  }

  @Test
  void sha256_readAheadAndInline_agreeAtTheThreshold() throws Exception {
    byte[] content = new byte[(int) Digests.READ_AHEAD_MIN];
    new Random(12).nextBytes(content);
    Path f = Files.write(tmp.resolve("threshold"), content);

    assertThat(Digests.sha256ReadAhead(f)).isEqualTo(Sha256.of(content));
    assertThat(Digests.sha256Inline(f)).isEqualTo(Sha256.of(content));
  }

  @Test
  void sha256ReadAhead_emptyFile_isTheDigestOfNothing() throws Exception {
    Path f = Files.write(tmp.resolve("empty"), new byte[0]);

    assertThat(Digests.sha256ReadAhead(f)).isEqualTo(Sha256.of(new byte[0]));
  }

  @Test
  void sha256All_oneFileMissing_throwsNoSuchFile() throws Exception {
    Path present = Files.writeString(tmp.resolve("present"), "x");
    Path missing = tmp.resolve("missing");

    assertThatThrownBy(() -> Digests.sha256All(List.of(present, missing)))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  @Timeout(30)
  void sha256All_whileReading_runsOnOwnDaemonThreadsAndStopsThemAfter() throws Exception {
    assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "one core: files are hashed inline");
    Path fifo = tmp.resolve("fifo");
    Process mkfifo;
    try {
      mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    } catch (java.io.IOException e) {
      assumeTrue(false, "no mkfifo: " + e.getMessage());
      return;
    }
    assumeTrue(mkfifo.waitFor() == 0 && Files.exists(fifo), "mkfifo failed");
    Path other = Files.writeString(tmp.resolve("other"), "other");
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      CompletableFuture<Map<Path, Sha256>> result = new CompletableFuture<>();
      caller.execute(
          () -> {
            try {
              result.complete(Digests.sha256All(List.of(fifo, other)));
            } catch (Exception | Error e) {
              result.completeExceptionally(e);
            }
          });
      // The reader of the fifo blocks until a writer opens it: meanwhile, look at who reads.
      List<Thread> hashing = List.of();
      while (hashing.isEmpty()) {
        Thread.sleep(10);
        hashing = hashingThreads();
      }
      assertThat(hashing).allMatch(Thread::isDaemon);
      assertThat(hashing).noneMatch(t -> t instanceof ForkJoinWorkerThread);
      try (OutputStream out = Files.newOutputStream(fifo)) {
        out.write("piped".getBytes(StandardCharsets.UTF_8));
      }

      Map<Path, Sha256> digests = result.get(20, TimeUnit.SECONDS);

      assertThat(digests.get(fifo)).isEqualTo(Sha256.of("piped".getBytes(StandardCharsets.UTF_8)));
      for (Thread t : hashing) {
        t.join(10_000);
      }
      assertThat(hashing).noneMatch(Thread::isAlive);
    } finally {
      caller.shutdownNow();
    }
  }

  private static List<Thread> hashingThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(THREAD_NAME))
        .collect(Collectors.toList());
  }
}
