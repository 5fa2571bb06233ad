package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every verb that takes {@code --json} reports a failure as JSON on stdout (besides the one line on
 * stderr), with the same exit code the process returns: scripts never read an empty stdout.
 */
class JsonFailureTest {
  @TempDir static Path dir;

  static Stream<Arguments> failures() throws Exception {
    Path spec = dir.resolve("bad.yaml");
    Files.writeString(spec, "name: x\nversion: 1\nunknownKey: 1\n", StandardCharsets.UTF_8);
    String missing = dir.resolve("missing").toString();
    String key = dir.resolve("no.key").toString();
    return Stream.of(
        Arguments.of("run", new String[] {"run", spec.toString(), "--key", key, "--json"}),
        Arguments.of("ingest", new String[] {"ingest", spec.toString(), "--key", key, "--json"}),
        Arguments.of(
            "train",
            new String[] {
              "train",
              spec.toString(),
              "--dataset",
              missing,
              "--key",
              key,
              "--trust-ingest-key",
              key,
              "--json"
            }),
        Arguments.of(
            "reproduce",
            new String[] {"reproduce", missing, "--policy", missing, "--key", key, "--json"}),
        Arguments.of("verify", new String[] {"verify", missing, "--policy", missing, "--json"}),
        Arguments.of(
            "verify-model", new String[] {"verify-model", missing, "--key", key, "--json"}),
        Arguments.of("hash", new String[] {"hash", missing, "--json"}),
        Arguments.of(
            "data diff", new String[] {"data", "diff", spec.toString(), spec.toString(), "--json"}),
        Arguments.of(
            "feedback export",
            new String[] {
              "feedback", "export", "--store", missing, "--key", key, "-o", missing, "--json"
            }),
        Arguments.of(
            "feedback review", new String[] {"feedback", "review", "--store", missing, "--json"}),
        Arguments.of(
            "feedback verify", new String[] {"feedback", "verify", "--store", missing, "--json"}),
        Arguments.of("usage error", new String[] {"hash", "--no-such-option", "--json"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void jsonVerb_failure_printsJsonWithReasonAndExitCode(String verb, String[] args)
      throws Exception {
    Cli r = Cli.run(args);

    assertThat(r.exit()).as(r.err()).isNotZero();
    JsonNode report = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout of " + verb);
    assertThat(report.path("ok").asBoolean(true)).isFalse();
    assertThat(report.path("command").asText()).startsWith("custody ");
    assertThat(report.path("exit").asInt()).isEqualTo(r.exit());
    assertThat(report.has("exitCode")).isFalse();
    assertThat(report.path("reason").asText()).isNotEmpty();
    assertThat(report.path("message").asText()).isNotEmpty();
    assertThat(r.err()).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void jsonVerb_specOrFileProblem_namesTheReasonOfItsExitCode(String verb, String[] args) {
    Cli r = Cli.run(args);

    JsonNode report;
    try {
      report = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout");
    } catch (Exception e) {
      throw new AssertionError(verb + ": " + e.getMessage(), e);
    }
    String reason = report.path("reason").asText();
    if (reason.equals("USAGE")) {
      assertThat(r.exit()).isEqualTo(Errors.USAGE);
    } else {
      assertThat(Reason.valueOf(reason).exitCode()).isEqualTo(r.exit());
    }
  }
}
