package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile paths and names given to the real {@link Main} (issue 8, W7 and W10): a FIFO or a link
 * where a file is expected, a directory as a key, a file name that forges an output line, a name
 * that is not UTF-8. Each is refused with a stable reason and an escaped, one-line message, and
 * nothing blocks.
 */
class HostileInputsTest {
  /** A file name that, printed raw, ends the line and starts a fake green "verified" line. */
  static final String FORGING_NAME = "evil\n\u001b[32mverified credit-rf v1 OK";

  @TempDir Path dir;
  Path model;
  Path key;

  @BeforeEach
  void keyAndModel() throws Exception {
    key = dir.resolve("custody.key");
    assertThat(Cli.run("keygen", "-o", key.toString()).exit()).isZero();
    model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("model.tribuo"), "weights");
  }

  // ---- W7 ----

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void verifyModel_signatureIsAFifo_malformedWithoutBlocking() throws Exception {
    mkfifo(model.resolve("model.sig"));

    Result r = run("verify-model", model.toString(), "--key", key + ".pub");

    assertThat(r.exit()).as(r.stderr()).isEqualTo(Reason.MALFORMED.exitCode());
    assertThat(r.stderr())
        .contains("model.sig: expected a model signature (Sigstore bundle) (a regular file)")
        .contains("found a FIFO");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void verifyModel_signatureLinksToPasswd_refusedWithoutReadingIt() throws Exception {
    Path secret = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
    Files.createSymbolicLink(model.resolve("model.sig"), secret);

    Result r = run("verify-model", model.toString(), "--key", key + ".pub");

    assertThat(r.exit()).as(r.stderr()).isEqualTo(Reason.MALFORMED.exitCode());
    assertThat(r.stderr()).contains("found a symbolic link").doesNotContain("root");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void verify_policyIsAFifo_usageErrorWithoutBlocking() throws Exception {
    Path policy = mkfifo(dir.resolve("policy.yaml"));

    Result r = run("verify", model.toString(), "--policy", policy.toString(), "--json");

    assertThat(r.exit()).as(r.stderr()).isEqualTo(Errors.USAGE);
    assertThat(r.stderr())
        .contains(policy + ": expected a YAML file (a regular file), found a FIFO");
    JsonNode json = Json.parse(r.stdout().getBytes(StandardCharsets.UTF_8), "stdout");
    assertThat(json.path("reason").asText()).isEqualTo("USAGE");
  }

  // ---- W10: exit codes ----

  @Test
  void verifyModel_keyIsADirectory_usageErrorNamingIt() throws Exception {
    assertThat(Cli.run("sign-model", model.toString(), "--key", key.toString()).exit()).isZero();
    Path keyDir = Files.createDirectory(dir.resolve("key-dir.pub"));

    Result r = run("verify-model", model.toString(), "--key", keyDir.toString());

    assertThat(r.exit()).as(r.stderr()).isEqualTo(Errors.USAGE);
    assertThat(r.stderr())
        .contains(keyDir + ": expected a PEM public key (a regular file), found a directory");
  }

  @Test
  void verify_policyWithAllowClassesWildcard_policyInvalid() throws Exception {
    Path policy =
        new ChainFixture.Keys()
            .policy(dir, "policy.yaml", "model: {allowClasses: [\"org.tribuo.*\"]}\n");

    Result r = run("verify", model.toString(), "--policy", policy.toString());

    assertThat(r.exit()).as(r.stderr()).isEqualTo(Reason.POLICY_INVALID.exitCode());
    assertThat(r.stderr()).contains("model.allowClasses");
  }

  @Test
  void verify_policyWithMissingLock_policyInvalid() throws Exception {
    Path policy =
        new ChainFixture.Keys().policy(dir, "policy.yaml", "dependencies: {lock: missing.json}\n");

    Result r = run("verify", model.toString(), "--policy", policy.toString());

    assertThat(r.exit()).as(r.stderr()).isEqualTo(Reason.POLICY_INVALID.exitCode());
    assertThat(r.stderr()).contains("dependencies.lock").contains("missing.json");
  }

  @Test
  void depsVerify_lockIsADirectory_usageError() throws Exception {
    Path lock = Files.createDirectory(dir.resolve("deps.lock.json"));

    Result r = run("deps", "verify", lock.toString(), "--key", key + ".pub");

    assertThat(r.exit()).as(r.stderr()).isEqualTo(Errors.USAGE);
    assertThat(r.stderr()).contains("found a directory");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void verifyModel_trustedRootIsAFifo_usageErrorWithoutBlocking() throws Exception {
    assertThat(Cli.run("sign-model", model.toString(), "--key", key.toString()).exit()).isZero();
    Path root = mkfifo(dir.resolve("trusted_root.json"));

    Result r =
        run(
            "verify-model",
            model.toString(),
            "--identity",
            "ci@example.com",
            "--issuer",
            "https://issuer.example.com",
            "--trusted-root",
            root.toString());

    assertThat(r.exit()).as(r.stderr()).isEqualTo(Errors.USAGE);
    assertThat(r.stderr()).contains("--trusted-root").contains("found a FIFO");
  }

  @Test
  void signModel_keyIsADirectory_usageErrorSayingSo() throws Exception {
    Path keyDir = Files.createDirectory(dir.resolve("key-dir"));

    Result r = run("sign-model", model.toString(), "--key", keyDir.toString());

    assertThat(r.exit()).as(r.stderr()).isEqualTo(Errors.USAGE);
    assertThat(r.stderr())
        .contains("expected a PEM private key (a regular file), found a directory")
        .doesNotContain("permissions");
  }

  @Test
  void signModel_signatureIsADirectory_usageErrorNotUnexpected() throws Exception {
    Path sigDir = Files.createDirectory(dir.resolve("sig-dir"));

    Result r =
        run(
            "sign-model",
            model.toString(),
            "--key",
            key.toString(),
            "--signature",
            sigDir.toString());

    assertThat(r.exit()).as(r.stderr()).isEqualTo(Errors.USAGE);
    assertThat(r.stderr()).contains("--signature: expected a file to write, found a directory");
  }

  // ---- W10: untrusted names in output ----

  @Test
  void hash_fileNameForgingAVerifiedLine_printedEscapedOnItsOwnLine() throws Exception {
    Files.writeString(model.resolve(FORGING_NAME), "x");

    Result r = run("hash", model.toString());

    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stdout()).doesNotContain("\u001b").contains("evil\\n\\x1b[32mverified");
    assertThat(r.stdout().lines()).noneMatch(l -> l.startsWith("verified") || l.contains("\u001b"));
  }

  @Test
  void hashJson_fileNameForgingAVerifiedLine_escapedByJsonRules() throws Exception {
    Files.writeString(model.resolve(FORGING_NAME), "x");

    Result r = run("hash", model.toString(), "--json");

    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stdout()).doesNotContain("\u001b").contains("evil\\n\\u001B[32mverified");
    JsonNode json = Json.parse(r.stdout().getBytes(StandardCharsets.UTF_8), "stdout");
    assertThat(json.path("files").has(FORGING_NAME)).isTrue();
  }

  @Test
  void verifyModel_changedFileWithForgingName_oneEscapedErrorLine() throws Exception {
    Path evil = Files.writeString(model.resolve(FORGING_NAME), "x");
    assertThat(Cli.run("sign-model", model.toString(), "--key", key.toString()).exit()).isZero();
    Files.writeString(evil, "changed");

    Result r = run("verify-model", model.toString(), "--key", key + ".pub");

    assertThat(r.exit()).as(r.stderr()).isEqualTo(Reason.MANIFEST_MISMATCH.exitCode());
    assertThat(r.stderr().lines()).hasSize(1);
    assertThat(r.stderr()).doesNotContain("\u001b").contains("evil\\n\\x1b[32mverified");
  }

  @Test
  void hash_argumentNotUtf8_malformedNamingTheEscapedBytes() throws Exception {
    // The argument's bytes (0xff is never UTF-8) go through the shell: Java cannot spell them.
    Files.writeString(dir.resolve("placeholder"), "x");
    String shell = "exec \"$@\" \"$(printf '" + dir + "/\\377name')\"";

    Result r = runShell(shell, "hash");

    assertThat(r.exit()).as(r.stderr()).isEqualTo(Reason.MALFORMED.exitCode());
    assertThat(r.stderr())
        .contains("\\u{fffd}name")
        .contains("expected a UTF-8 file name, found bytes that are not UTF-8")
        .doesNotContain("no such file");
  }

  record Result(int exit, String stdout, String stderr) {}

  private static Path mkfifo(Path path) throws Exception {
    Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertThat(p.waitFor()).as("mkfifo " + path).isZero();
    return path;
  }

  private List<String> java() {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp",
        System.getProperty("java.class.path"),
        Main.class.getName());
  }

  private Result run(String... args) throws Exception {
    List<String> command = new ArrayList<>(java());
    command.addAll(List.of(args));
    return start(command);
  }

  /** Runs {@code sh -c shell} with {@code $@} = the java command and {@code args}. */
  private Result runShell(String shell, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("sh", "-c", shell, "sh"));
    command.addAll(java());
    command.addAll(List.of(args));
    return start(command);
  }

  private Result start(List<String> command) throws Exception {
    Path out = dir.resolve("stdout");
    Path err = dir.resolve("stderr");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(p.waitFor(50, TimeUnit.SECONDS)).as("the command finished").isTrue();
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
