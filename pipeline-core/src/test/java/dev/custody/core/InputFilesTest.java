package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.InputFiles.Links;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link InputFiles}: an input file is opened only when it is a regular file (a FIFO would block
 * the open forever), and read only up to its limit.
 */
class InputFilesTest {
  @TempDir Path dir;

  @Test
  void read_regularFile_returnsItsBytes() throws Exception {
    Path f = Files.writeString(dir.resolve("key.pub"), "pem");

    assertThat(InputFiles.read(f, "a key", 3, Reason.KEY_INVALID, Links.REFUSE))
        .isEqualTo("pem".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void read_fifo_refusedNamingItWithoutOpeningIt() throws Exception {
    Path fifo = mkfifo(dir.resolve("model.sig"));

    refused(() -> InputFiles.read(fifo, "a signature", 100, Reason.MALFORMED, Links.FOLLOW))
        .hasMessage(fifo + ": expected a signature (a regular file), found a FIFO (named pipe)");
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void read_linkToFifoWhereLinksAreFollowed_refusedWithoutOpeningIt() throws Exception {
    Path fifo = mkfifo(dir.resolve("pipe"));
    Path link = Files.createSymbolicLink(dir.resolve("policy.yaml"), fifo);

    refused(() -> InputFiles.read(link, "a policy", 100, Reason.POLICY_INVALID, Links.FOLLOW))
        .hasMessageEndingWith("found a symbolic link to a FIFO (named pipe)");
  }

  @Test
  void read_directory_refused() throws Exception {
    Path d = Files.createDirectory(dir.resolve("key.pub"));

    refused(() -> InputFiles.read(d, "a PEM public key", 100, Reason.KEY_INVALID, Links.FOLLOW))
        .hasMessage(d + ": expected a PEM public key (a regular file), found a directory");
  }

  @Test
  void read_symbolicLinkWhereLinksAreRefused_refusedWithoutReadingTheTarget() throws Exception {
    Path target = Files.writeString(dir.resolve("passwd"), "root:x:0:0");
    Path link = Files.createSymbolicLink(dir.resolve("model.sig"), target);

    refused(() -> InputFiles.read(link, "a signature", 100, Reason.MALFORMED, Links.REFUSE))
        .hasMessageContaining("found a symbolic link")
        .hasMessageNotContaining("root");
  }

  @Test
  void read_symbolicLinkWhereLinksAreFollowed_readsTheTarget() throws Exception {
    Path target = Files.writeString(dir.resolve("real.yaml"), "version: 1");
    Path link = Files.createSymbolicLink(dir.resolve("policy.yaml"), target);

    assertThat(InputFiles.read(link, "a policy", 100, Reason.POLICY_INVALID, Links.FOLLOW))
        .isEqualTo("version: 1".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void read_largerThanTheLimit_refused() throws Exception {
    Path f = Files.write(dir.resolve("big"), new byte[11]);

    refused(() -> InputFiles.read(f, "a key", 10, Reason.KEY_INVALID, Links.FOLLOW))
        .hasMessage(f + ": expected a key of at most 10 bytes, found a larger file");
  }

  @Test
  void read_missing_noSuchFile() {
    Path missing = dir.resolve("missing");

    assertThatThrownBy(
            () -> InputFiles.read(missing, "a key", 10, Reason.KEY_INVALID, Links.FOLLOW))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void read_nameWithControlCharacters_errorNamesItEscaped() throws Exception {
    Path d = Files.createDirectory(dir.resolve("evil\n\u001b[32mverified"));

    refused(() -> InputFiles.read(d, "a key", 10, Reason.KEY_INVALID, Links.FOLLOW))
        .hasMessageNotContaining("\n")
        .hasMessageNotContaining("\u001b")
        .hasMessageContaining("evil??[32mverified");
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> refused(ThrowingCallable call) {
    return assertThatThrownBy(call).isInstanceOf(PipelineException.class);
  }

  /** Creates a FIFO (git cannot hold one, so tests make their own). */
  static Path mkfifo(Path path) throws Exception {
    Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertThat(p.waitFor()).as("mkfifo " + path).isZero();
    return path;
  }
}
