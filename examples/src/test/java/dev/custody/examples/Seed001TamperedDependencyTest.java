package dev.custody.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Reason;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Seed001TamperedDependencyTest {
  @TempDir Path work;

  @Test
  void tamperedJar_isRefusedByTheSignedLock_namingIt() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Seed001TamperedDependency.Result r;
    try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      r = Seed001TamperedDependency.run(work, out);
    }
    System.out.print(printed.toString(StandardCharsets.UTF_8));

    assertThat(r.locked()).hasSize(3);
    assertThat(r.altered().reason()).isEqualTo(Reason.DEPENDENCY_MISMATCH);
    assertThat(r.altered().getMessage())
        .contains("1 differences")
        .contains(
            "changed: "
                + r.alteredJar()
                + " (locked "
                + r.locked().get(r.alteredJar())
                + ", found sha256:");
    assertThat(r.swapped().reason()).isEqualTo(Reason.DEPENDENCY_MISMATCH);
    assertThat(r.swapped().getMessage())
        .contains("1 differences")
        .contains(
            "changed: "
                + r.swappedJar()
                + " (locked "
                + r.locked().get(r.swappedJar())
                + ", found "
                + r.locked().get(r.swappedIn())
                + ")");
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("scripts/check-tampered-dependency");
  }
}
