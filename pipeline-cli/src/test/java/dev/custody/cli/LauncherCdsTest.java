package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code custody} launcher's class-data sharing, run for real with bash and this JDK: a copy of
 * the launcher in a scratch checkout whose {@code custody.jar} is a one-class program ({@link
 * CdsProbe}), so no build runs and the archive's effect shows in the JVM's class-loading log.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LauncherCdsTest {
  @TempDir Path root;
  private Path cds;

  @BeforeEach
  void scratchCheckout() throws IOException {
    Path launcher = Path.of("").toAbsolutePath().getParent().resolve("custody");
    Files.copy(launcher, root.resolve("custody"), StandardCopyOption.COPY_ATTRIBUTES);
    Path target = Files.createDirectories(root.resolve("pipeline-cli/target"));
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, CdsProbe.class.getName());
    String entry = CdsProbe.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(target.resolve("custody.jar"));
        JarOutputStream jar = new JarOutputStream(file, manifest);
        InputStream in = CdsProbe.class.getClassLoader().getResourceAsStream(entry)) {
      jar.putNextEntry(new JarEntry(entry));
      in.transferTo(jar);
    }
    // The build stamp, newer than the jar: the launcher sees an up-to-date build.
    Path stamp = Files.createFile(target.resolve(".built"));
    Files.setLastModifiedTime(
        target.resolve("custody.jar"), FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    Files.setLastModifiedTime(stamp, FileTime.fromMillis(System.currentTimeMillis() - 30_000));
    cds = target.resolve("cds");
  }

  @Test
  void launcher_firstRunOfAVerb_writesItsArchiveSilently() throws Exception {
    Result first = launch(Map.of(), "probe");

    assertThat(first.exit()).isZero();
    assertThat(first.stdout()).isEqualTo("probe ok\n");
    assertThat(first.stderr()).isEmpty();
    assertThat(cds.resolve("probe.jsa")).isNotEmptyFile();
    assertThat(cds.resolve("probe.jvm")).isNotEmptyFile();
    try (var left = Files.list(cds)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("probe.jsa", "probe.jvm");
    }
  }

  @Test
  void launcher_laterRun_loadsTheVerbsClassesFromItsArchive() throws Exception {
    launch(Map.of(), "probe");

    Result second = launch(Map.of("CUSTODY_JAVA_OPTS", "-Xlog:class+load=info"), "probe");

    assertThat(second.exit()).isZero();
    assertThat(second.stderr()).isEmpty();
    assertThat(second.stdout())
        .contains(CdsProbe.class.getName() + " source: shared objects file (top)")
        .contains("probe ok\n");
  }

  @Test
  void launcher_archiveTheJvmRefuses_runsWithoutItAndWithoutAWarning() throws Exception {
    launch(Map.of(), "probe");
    Path archive = cds.resolve("probe.jsa");
    FileTime made = Files.getLastModifiedTime(archive);
    assertThat(archive.toFile().setWritable(true)).isTrue(); // the JVM writes archives read-only
    Files.write(archive, "not an archive".getBytes(StandardCharsets.US_ASCII));
    Files.setLastModifiedTime(archive, made);

    Result stale = launch(Map.of("CUSTODY_JAVA_OPTS", "-Xlog:class+load=info"), "probe");

    assertThat(stale.exit()).isZero();
    assertThat(stale.stderr()).isEmpty();
    assertThat(stale.stdout())
        .contains(CdsProbe.class.getName() + " source: file:")
        .contains("probe ok\n");
  }

  @Test
  void launcher_archiveOfAnotherJvm_isMadeAgain() throws Exception {
    launch(Map.of(), "probe");
    Files.writeString(cds.resolve("probe.jvm"), "/other/jdk/bin/java 0");

    Result again = launch(Map.of(), "probe");

    assertThat(again.exit()).isZero();
    assertThat(again.stderr()).isEmpty();
    assertThat(cds.resolve("probe.jvm")).content().isNotEqualTo("/other/jdk/bin/java 0");
  }

  @Test
  void launcher_cdsOff_writesNoArchive() throws Exception {
    Result off = launch(Map.of("CUSTODY_CDS", "off"), "probe");

    assertThat(off.exit()).isZero();
    assertThat(off.stdout()).isEqualTo("probe ok\n");
    assertThat(cds).doesNotExist();
  }

  @Test
  void launcher_exitCode_isTheProgramsWhileAnArchiveIsMade() throws Exception {
    Result failed = launch(Map.of(), "fail");

    assertThat(failed.exit()).isEqualTo(3);
    assertThat(failed.stderr()).isEmpty();
    assertThat(cds.resolve("fail.jsa")).isNotEmptyFile();
  }

  @Test
  void launcher_verifyOfASmallModel_stopsAtC1() throws Exception {
    Path model = Files.createDirectories(root.resolve("small-model"));
    Files.write(model.resolve("model.tribuo"), new byte[1000]);

    Result r = launch(Map.of(), "verify", model.toString(), "--policy", "p.yaml");

    assertThat(r.exit()).isZero();
    assertThat(r.stdout()).startsWith("TieredStopAtLevel=1\n");
  }

  @Test
  void launcher_verifyOfAModelAbove16MiB_keepsC2() throws Exception {
    Path model = Files.createDirectories(root.resolve("large-model"));
    try (var f = new java.io.RandomAccessFile(model.resolve("model.tribuo").toFile(), "rw")) {
      f.setLength((16L << 20) + 1); // sparse: no 16 MiB written
    }

    Result r = launch(Map.of(), "verify", "--policy", "p.yaml", model.toString());

    assertThat(r.exit()).isZero();
    assertThat(r.stdout()).startsWith("TieredStopAtLevel=4\n");
  }

  @Test
  void launcher_runOfASpecWithSmallLocalData_stopsAtC1() throws Exception {
    Files.write(root.resolve("data.csv"), new byte[1000]);
    Path spec =
        Files.writeString(
            root.resolve("small.yaml"),
            "data:\n  - path: data.csv\n    sha256: ab\ngates:\n  canary: {path: 'data.csv', sha256: ab}\n");

    Result r = launch(Map.of(), "run", "--key", "k.key", spec.toString());

    assertThat(r.exit()).isZero();
    assertThat(r.stdout()).startsWith("TieredStopAtLevel=1\n");
  }

  @Test
  void launcher_runOfASpecAbove16MiBDownloadingOrMissingData_keepsC2() throws Exception {
    try (var f = new java.io.RandomAccessFile(root.resolve("big.csv").toFile(), "rw")) {
      f.setLength((16L << 20) + 1); // sparse: no 16 MiB written
    }
    Files.write(root.resolve("small.csv"), new byte[1000]);
    Path big = Files.writeString(root.resolve("big.yaml"), "data:\n  - {path: big.csv}\n");
    Path url =
        Files.writeString(
            root.resolve("url.yaml"),
            "data:\n  - path: small.csv\n  - url: https://example.org/d.csv\n");
    Path missing = Files.writeString(root.resolve("missing.yaml"), "data:\n  - path: gone.csv\n");

    for (Path spec : List.of(big, url, missing)) {
      Result r = launch(Map.of(), "run", spec.toString(), "--key", "k.key");

      assertThat(r.exit()).isZero();
      assertThat(r.stdout()).as(spec.toString()).startsWith("TieredStopAtLevel=4\n");
    }
  }

  record Result(int exit, String stdout, String stderr) {}

  private Result launch(Map<String, String> env, String verb, String... args) throws Exception {
    Path out = Files.createTempFile(root, "stdout", ".txt");
    Path err = Files.createTempFile(root, "stderr", ".txt");
    List<String> command =
        new java.util.ArrayList<>(List.of("bash", root.resolve("custody").toString(), verb));
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().remove("CUSTODY_JAVA_OPTS");
    pb.environment().remove("CUSTODY_CDS");
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(150, TimeUnit.SECONDS)).isTrue();
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
