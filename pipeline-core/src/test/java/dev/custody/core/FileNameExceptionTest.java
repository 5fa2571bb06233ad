package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The name check on names read from disk (their bytes written by {@code printf}, so the test does
 * not depend on this JVM's locale), given the charset a JVM decodes names with: a non-UTF-8 charset
 * refuses every non-ASCII name, and any charset refuses bytes that are not UTF-8.
 */
class FileNameExceptionTest {
  @TempDir Path dir;

  @Test
  void check_nonAsciiNameUnderAsciiCharset_refusedSayingHowToFixTheLocale() throws Exception {
    FileNameException.Names names = new FileNameException.Names(StandardCharsets.US_ASCII);
    names.check(onDisk("caf\\303\\251.txt"), "");
    names.check(onDisk("weights.bin"), "");

    assertThatThrownBy(() -> names.throwIfAny(Path.of("model")))
        .isInstanceOf(FileNameException.class)
        .hasMessageStartingWith(
            "model: 1 file name cannot be recorded as UTF-8 exactly as on disk: ")
        .hasMessageContaining(" (decoded as US-ASCII)")
        .hasMessageContaining("This JVM decodes file names as US-ASCII")
        .hasMessageContaining("LC_ALL=C.UTF-8")
        .hasMessageNotContaining("weights.bin")
        .hasMessageNotContaining("rename the file")
        .satisfies(e -> assertThat(((PipelineException) e).reason()).isEqualTo(Reason.UNSUPPORTED));
  }

  @Test
  void check_bytesNotUtf8UnderUtf8Charset_refusedAsking_toRename() throws Exception {
    FileNameException.Names names = new FileNameException.Names(StandardCharsets.UTF_8);
    names.check(onDisk("card\\377.json"), "the model's name ");

    assertThatThrownBy(() -> names.throwIfAny(Path.of("m")))
        .hasMessageContaining("1 file name cannot")
        .hasMessageContaining("the model's name card\\u{fffd}.json (bytes that are not UTF-8)")
        .hasMessageContaining("rename the file")
        .hasMessageNotContaining("LC_ALL");
  }

  @Test
  void check_asciiNames_nothingRefused() throws Exception {
    FileNameException.Names names = new FileNameException.Names(StandardCharsets.US_ASCII);
    names.check(onDisk("weights.bin"), "");
    names.check(onDisk("a b.txt"), "");

    names.throwIfAny(Path.of("model"));
  }

  @Test
  void throwIfAny_manyNames_listsTheFirstMaxListedAndCountsTheRest() throws Exception {
    FileNameException.Names names = new FileNameException.Names(StandardCharsets.US_ASCII);
    List<String> created = new ArrayList<>();
    for (int i = 0; i < ModelManifest.MAX_LISTED + 3; i++) {
      created.add("f" + i + "\\303\\251");
    }
    for (String n : created) {
      names.check(onDisk(n), "");
    }

    assertThatThrownBy(() -> names.throwIfAny(Path.of("model")))
        .hasMessageContaining((ModelManifest.MAX_LISTED + 3) + " file names cannot")
        .hasMessageContaining("; and 3 more.")
        .satisfies(
            e ->
                assertThat(e.getMessage().split("decoded as US-ASCII\\)", -1))
                    .hasSize(ModelManifest.MAX_LISTED + 1));
  }

  /** A file named by printf's rendering of {@code printfName}, as the walked path holding it. */
  private Path onDisk(String printfName) throws Exception {
    Path sub = Files.createTempDirectory(dir, "d");
    Process p =
        new ProcessBuilder(
                "sh", "-c", "printf x > \"$1/$(printf \"$2\")\"", "sh", sub + "", printfName)
            .inheritIO()
            .start();
    assertThat(p.waitFor()).isZero();
    try (Stream<Path> s = Files.list(sub)) {
      return sub.relativize(s.findFirst().orElseThrow());
    }
  }
}
