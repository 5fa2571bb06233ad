package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, early and clear failures: untrusted data never reaches the terminal raw, special files
 * are usage errors naming the path, a positive label the data lacks is a spec error before any
 * screen, a public key given for the private one says so, and reproduce hints at --spec-dir.
 */
class Issue11PolishTest {
  @TempDir Path dir;
  Path key;

  @BeforeEach
  void signingKey() {
    key = dir.resolve("signer.key");
    assertThat(Cli.run("keygen", "-o", key.toString()).exit()).isZero();
  }

  @Test
  void ingest_cellWithEscapeAndNul_dataInvalidAndStderrHoldsNeitherByte() throws Exception {
    Path spec = spec(rows(40, "yes") + "41,no,\u001b[2J\u0000,f\n", "data.csv");

    Cli r = Cli.run("ingest", spec.toString(), "--key", key.toString(), "-o", out("att"));

    assertThat(r.exit()).as(r.err()).isEqualTo(Reason.DATA_INVALID.exitCode());
    assertThat(r.err())
        .contains("data.csv line 42: column 3 (age): ")
        .contains("\\x1b[2J\\x00")
        .doesNotContain("\u001b")
        .doesNotContain("\u0000");
    assertThat(r.out()).doesNotContain("\u001b").doesNotContain("\u0000");
  }

  @Test
  void run_positiveLabelNeverInTheData_specInvalidBeforeAnyScreen() throws Exception {
    Path spec = spec(rows(40, "no"), "data.csv");

    Cli r = Cli.run("run", spec.toString(), "--key", key.toString(), "-o", out("model"));

    assertThat(r.exit()).as(r.err()).isEqualTo(Reason.SPEC_INVALID.exitCode());
    assertThat(r.err())
        .contains("schema.label.allowed: expected the positive label \"yes\"")
        .contains("none of its 40 rows")
        .doesNotContain("screen")
        .doesNotContain("the model");
    assertThat(dir.resolve("model")).doesNotExist();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
  void run_dataPathIsAFifo_usageErrorNamingItWithoutBlocking() throws Exception {
    Path fifo = dir.resolve("data.csv");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertThat(p.waitFor()).as("mkfifo").isZero();
    Path spec = specNaming("data.csv", Sha256.of(new byte[0]).hex());

    Cli r = Cli.run("run", spec.toString(), "--key", key.toString(), "-o", out("model"));

    assertThat(r.exit()).as(r.err()).isEqualTo(Errors.USAGE);
    assertThat(r.err()).contains(fifo + ": expected ").contains("found a FIFO");
  }

  @Test
  void run_specAndDataPathsAreDirectories_usageErrorsNamingThem() throws Exception {
    Path specDir = Files.createDirectory(dir.resolve("spec.yaml"));
    Cli spec = Cli.run("run", specDir.toString(), "--key", key.toString(), "-o", out("m1"));
    assertThat(spec.exit()).as(spec.err()).isEqualTo(Errors.USAGE);
    assertThat(spec.err()).contains(specDir + ": expected ").contains("found a directory");

    Files.createDirectory(dir.resolve("data.csv"));
    Path dataSpec = specNaming("data.csv", Sha256.of(new byte[0]).hex());
    Cli data = Cli.run("run", dataSpec.toString(), "--key", key.toString(), "-o", out("m2"));
    assertThat(data.exit()).as(data.err()).isEqualTo(Errors.USAGE);
    assertThat(data.err())
        .contains(dir.resolve("data.csv") + ": expected ")
        .contains("found a directory");
  }

  @Test
  void run_publicKeyGivenAsKey_saysItIsAPublicKeyNotChmod() throws Exception {
    Path spec = spec(rows(40, "yes"), "data.csv");

    Cli r = Cli.run("run", spec.toString(), "--key", key + ".pub", "-o", out("model"));

    assertThat(r.exit()).as(r.err()).isEqualTo(Reason.KEY_INVALID.exitCode());
    assertThat(r.err())
        .contains("found a public key")
        .contains(key + ", beside it")
        .doesNotContain("chmod");
  }

  @Test
  void reproduce_withoutSpecDirWhereTheDataIsRelative_hintsAtSpecDir() throws Exception {
    Path spec = spec(rows(40, "yes"), "data.csv");
    Path model = dir.resolve("model");
    Cli run = Cli.run("run", spec.toString(), "--key", key.toString(), "-o", model.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(
        policy,
        "version: 1\nstages:\n  ingest: {keys: [signer.key.pub]}\n  train: {keys:"
            + " [signer.key.pub]}\n  evaluate: {keys: [signer.key.pub]}\n  reproduce: {keys:"
            + " [signer.key.pub]}\nrequire: {gatePassed: false}\n");

    Cli r =
        Cli.run(
            "reproduce",
            model.toString(),
            "--policy",
            policy.toString(),
            "--key",
            key.toString(),
            "--quiet");

    assertThat(r.exit()).as(r.err()).isEqualTo(Errors.USAGE);
    assertThat(r.err()).contains("data.csv").contains("give --spec-dir DIR");
  }

  private String out(String name) {
    return dir.resolve(name).toString();
  }

  /** {@code n} good rows whose label alternates with {@code other} (or is "no" throughout). */
  private static String rows(int n, String other) {
    StringBuilder b = new StringBuilder("id,label,age,sex\n");
    for (int i = 1; i <= n; i++) {
      boolean odd = i % 2 == 1;
      b.append(i)
          .append(',')
          .append(odd ? other : "no")
          .append(',')
          .append(odd ? 60 + i % 7 : 20 + i % 5)
          .append(',')
          .append(i % 3 == 0 ? "f" : "m")
          .append('\n');
    }
    return b.toString();
  }

  /** A spec in the temp directory reading {@code csv}, written there as {@code name}. */
  private Path spec(String csv, String name) throws Exception {
    byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
    Files.write(dir.resolve(name), bytes);
    return specNaming(name, Sha256.of(bytes).hex());
  }

  private Path specNaming(String name, String sha256) throws Exception {
    Path spec = dir.resolve("tiny.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "name: tiny",
            "version: 1",
            "data:",
            "  - path: " + name,
            "    sha256: " + sha256,
            "format: csv",
            "schema:",
            "  id: id",
            "  label: {column: label, allowed: [\"no\", \"yes\"]}",
            "  numeric: [age]",
            "  categorical:",
            "    - {column: sex, allowed: [f, m]}",
            "split: {testFraction: 0.25, seed: 1}",
            "trainer: {type: cart, params: {maxDepth: 2, minLeaf: 2}}",
            "screens: {duplicates: {policy: warn}}",
            ""));
    return spec;
  }
}
