package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link Main} as a real process, the way the {@code custody} launcher does: what a verb
 * prints must reach standard output before the JVM exits (the in-process tests give picocli their
 * own writer, so they cannot see a missing flush).
 */
class MainProcessTest {
  @TempDir Path dir;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void main_hashJson_printsParsableJsonBeforeExit() throws Exception {
    Path file = dir.resolve("weights.bin");
    Files.write(file, "custody".getBytes(StandardCharsets.UTF_8));

    Result r = run("hash", "--json", file.toString());

    assertThat(r.exit()).as(r.stderr()).isZero();
    JsonNode json = Json.parse(r.stdout().getBytes(StandardCharsets.UTF_8), "stdout");
    assertThat(json.path("files").path(".").asText())
        .isEqualTo("sha256:" + Sha256.of("custody".getBytes(StandardCharsets.UTF_8)).hex());
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void main_verify_loadsNoTrainerClass() throws Exception {
    Path classes = dir.resolve("classes.log");

    Result r =
        run(
            List.of("-Xlog:class+load=info:file=" + classes),
            "verify",
            "--json",
            dir.resolve("no-model").toString(),
            "--policy",
            dir.resolve("no-policy.yaml").toString());

    assertThat(r.exit()).as(r.stderr()).isNotZero();
    assertThat(
            Json.parse(r.stdout().getBytes(StandardCharsets.UTF_8), "stdout")
                .path("ok")
                .asBoolean(true))
        .isFalse();
    String loaded = Files.readString(classes, StandardCharsets.UTF_8);
    assertThat(loaded).contains(" dev.custody.cli.VerifyCommand ");
    assertThat(loaded)
        .doesNotContain(" dev.custody.train.fit.Trainers ")
        .doesNotContain(" org.tribuo.Trainer ");
  }

  record Result(int exit, String stdout, String stderr) {}

  private Result run(String... args) throws Exception {
    return run(List.of(), args);
  }

  private Result run(List<String> jvmOptions, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    Path out = dir.resolve("stdout");
    Path err = dir.resolve("stderr");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(p.waitFor(50, TimeUnit.SECONDS)).isTrue();
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
