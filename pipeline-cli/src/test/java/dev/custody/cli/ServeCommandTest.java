package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.Reason;
import dev.custody.core.chain.ChainLayout;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code custody serve} on the golden chains of pipeline-verify's test-jar. */
@Timeout(120)
class ServeCommandTest {
  private static final Pattern READY =
      Pattern.compile(
          "serving credit-rf v2 \\((sha256:[0-9a-f]{64})\\) on (http://127\\.0\\.0\\.1:\\d+)\\n");

  @TempDir static Path work;
  static Path chains;
  static Path policy;

  @BeforeAll
  static void copyChains() throws Exception {
    chains = GoldenChains.copyTo(work.resolve("chains"));
    policy = GoldenChains.policyWithoutDependencies(chains);
  }

  /** A running {@code custody serve}, stopped by interrupting its thread. */
  private static final class Running implements AutoCloseable {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final AtomicInteger exit = new AtomicInteger(-1);
    final Thread thread;

    Running(String... args) {
      var cl = CustodyCommand.commandLine();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      thread = new Thread(() -> exit.set(cl.execute(args)), "custody-serve-test");
      thread.start();
    }

    /** Waits for the ready line (or the end of the command). */
    String awaitOutput(Pattern p) throws InterruptedException {
      for (int i = 0; i < 6_000; i++) {
        Matcher m = p.matcher(out.toString());
        if (m.find()) {
          return m.group();
        }
        if (!thread.isAlive()) {
          break;
        }
        Thread.sleep(10);
      }
      throw new AssertionError("no match; out: " + out + " err: " + err);
    }

    @Override
    public void close() {
      thread.interrupt();
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void serve_genuineChain_printsReadyLineServesAndStopsWithExitZero() throws Exception {
    Path log = work.resolve("access.log");
    Running r;
    String line;
    try (Running running =
        new Running(
            "serve",
            chains.resolve("a").toString(),
            "--policy",
            policy.toString(),
            "--port",
            "0",
            "--max-rows",
            "5",
            "--access-log",
            log.toString())) {
      r = running;
      line = running.awaitOutput(READY);
      Matcher m = READY.matcher(line);
      assertThat(m.matches()).isTrue();
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> ready =
          client.send(
              HttpRequest.newBuilder(URI.create(m.group(2) + "/v2/health/ready")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(200);
      HttpResponse<String> tooMany =
          client.send(
              HttpRequest.newBuilder(URI.create(m.group(2) + "/invocations"))
                  .header("Content-Type", "text/csv")
                  .POST(HttpRequest.BodyPublishers.ofString("AGE\n1\n2\n3\n4\n5\n6\n"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(tooMany.statusCode()).isEqualTo(413);
      assertThat(tooMany.headers().firstValue("Custody-Model-Digest")).hasValue(m.group(1));
    }
    assertThat(r.exit.get()).as(r.err.toString()).isZero();
    assertThat(r.err.toString()).isEmpty();
    assertThat(Files.readString(log))
        .contains("\"path\":\"/v2/health/ready\"")
        .contains("\"status\":413");
  }

  @Test
  void serve_json_printsOneJsonLineWhenReady() throws Exception {
    try (Running running =
        new Running(
            "serve",
            chains.resolve("b").toString(),
            "--policy",
            policy.toString(),
            "--port",
            "0",
            "--json")) {
      String line = running.awaitOutput(Pattern.compile("\\{.*\\}\\n"));
      JsonNode j = Json.parse(line.trim().getBytes(StandardCharsets.UTF_8), "ready line");
      assertThat(j.get("ok").asBoolean()).isTrue();
      assertThat(j.get("command").asText()).isEqualTo("custody serve");
      assertThat(j.get("model").asText()).isEqualTo("credit-rf");
      assertThat(j.get("version").asInt()).isEqualTo(1);
      assertThat(j.get("digest").asText()).startsWith("sha256:");
      assertThat(j.get("url").asText()).startsWith("http://127.0.0.1:");
    }
  }

  @Test
  void serve_tamperedModel_exitsWithReasonCodeAndLeavesPortFree() throws Exception {
    Path dir = work.resolve("tampered");
    GoldenChains.copyTree(chains.resolve("a"), dir);
    Path model = dir.resolve(ChainLayout.MODEL_FILE);
    byte[] b = Files.readAllBytes(model);
    b[b.length / 2] ^= 1;
    Files.write(model, b);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }

    Cli r =
        Cli.run(
            "serve", dir.toString(), "--policy", policy.toString(), "--port", String.valueOf(port));

    assertThat(r.exit()).isEqualTo(Reason.MANIFEST_MISMATCH.exitCode());
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err()).startsWith("custody serve: MANIFEST_MISMATCH: ");
    assertThat(r.out()).isEmpty();
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThat(s.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void serve_dependencyLockNotMatchingClasspath_refusesWithJsonFailure() throws Exception {
    Cli r =
        Cli.run(
            "serve",
            chains.resolve("a").toString(),
            "--policy",
            chains.resolve("policy.yaml").toString(),
            "--port",
            "0",
            "--json");

    assertThat(r.exit()).isEqualTo(Reason.DEPENDENCY_MISMATCH.exitCode());
    JsonNode j = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "failure");
    assertThat(j.get("ok").asBoolean()).isFalse();
    assertThat(j.get("command").asText()).isEqualTo("custody serve");
    assertThat(j.get("reason").asText()).isEqualTo("DEPENDENCY_MISMATCH");
  }

  @Test
  void serve_badLimit_exitsWithUsageCode() {
    Cli r =
        Cli.run(
            "serve",
            chains.resolve("a").toString(),
            "--policy",
            policy.toString(),
            "--max-rows",
            "0");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("maxRows must be at least 1, got 0");
  }

  @Test
  void serve_feedbackStoreWithoutTokens_exitsWithUsageCodeAndCreatesNoJournal() {
    Path journal = work.resolve("untokened.journal");

    Cli r =
        Cli.run(
            "serve",
            chains.resolve("a").toString(),
            "--policy",
            policy.toString(),
            "--port",
            "0",
            "--feedback-store",
            journal.toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "custody serve: --feedback-store needs --tokens: without a token file the server"
                + " cannot tell clients apart to hold each to its quota or count its claim once\n");
    assertThat(journal).doesNotExist();
  }

  @Test
  void serve_feedbackOptionWithoutStore_exitsWithUsageCode() {
    Cli r =
        Cli.run(
            "serve",
            chains.resolve("a").toString(),
            "--policy",
            policy.toString(),
            "--feedback-quota",
            "10/1h");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("the --feedback-* options need --feedback-store");
  }

  @Test
  void serve_malformedFeedbackQuota_exitsWithUsageCode() throws Exception {
    Path tokens = work.resolve("tokens.yaml");
    Files.write(
        tokens,
        dev.custody.serve.security.TokenFile.empty()
            .with(
                new dev.custody.serve.security.TokenFile.Entry(
                    new dev.custody.serve.security.Client(
                        "ci", dev.custody.serve.security.Role.INFER),
                    dev.custody.core.Sha256.of(new byte[] {1})))
            .toYaml());
    Files.setPosixFilePermissions(
        tokens, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

    Cli r =
        Cli.run(
            "serve",
            chains.resolve("a").toString(),
            "--policy",
            policy.toString(),
            "--tokens",
            tokens.toString(),
            "--feedback-store",
            work.resolve("quota.journal").toString(),
            "--feedback-quota",
            "lots");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "expected a feedback quota N/DURATION such as 100/1h (units s, m, h, d), found"
                + " \"lots\"");
    assertThat(work.resolve("quota.journal")).doesNotExist();
  }

  @Test
  void serve_quarantineLabelNotOfTheModel_exitsWithUsageCode() throws Exception {
    Path tokens = work.resolve("labels-tokens.yaml");
    Files.write(
        tokens,
        dev.custody.serve.security.TokenFile.empty()
            .with(
                new dev.custody.serve.security.TokenFile.Entry(
                    new dev.custody.serve.security.Client(
                        "ci", dev.custody.serve.security.Role.INFER),
                    dev.custody.core.Sha256.of(new byte[] {1})))
            .toYaml());
    Files.setPosixFilePermissions(
        tokens, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

    Cli r =
        Cli.run(
            "serve",
            chains.resolve("a").toString(),
            "--policy",
            policy.toString(),
            "--port",
            "0",
            "--tokens",
            tokens.toString(),
            "--feedback-store",
            work.resolve("labels.journal").toString(),
            "--feedback-quarantine-labels",
            "0,ham");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(
            "custody serve: feedback quarantine labels: expected labels of the served model"
                + " [0, 1], found [ham]\n");
  }
}
