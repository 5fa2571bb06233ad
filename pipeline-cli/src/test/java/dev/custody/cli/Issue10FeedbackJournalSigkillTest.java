package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.PipelineException;
import dev.custody.core.feedback.FeedbackJson;
import dev.custody.core.feedback.FeedbackRecord;
import dev.custody.serve.feedback.JournalStore;
import dev.custody.serve.security.Client;
import dev.custody.serve.security.Role;
import dev.custody.serve.security.TokenFile;
import dev.custody.serve.security.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's durability test: a real {@code custody serve} process with a journal file takes
 * feedback from several client threads and is killed with SIGKILL ({@link
 * Process#destroyForcibly()}) at seeded random moments, 20 times, restarting on the same journal
 * each time. Every feedback the server acknowledged (2xx) must be in the journal exactly once, the
 * hash chain must verify, and a torn last line (left by a kill, or appended by the test between
 * kills so the path is always taken) must be moved aside with a message, never read as a record.
 */
class Issue10FeedbackJournalSigkillTest {
  private static final int KILLS = 20;
  private static final int CLIENTS = 3;
  private static final long SEED = 10L;
  private static final Pattern URL = Pattern.compile("\"url\":\"(http://127\\.0\\.0\\.1:\\d+)\"");

  @TempDir Path work;

  /** One acknowledged claim: which client sent which row. */
  private record Ack(String client, String billAmount) {}

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void serve_sigkilledTwentyTimes_keepsEveryAcknowledgedRecordExactlyOnce() throws Exception {
    Path chains = GoldenChains.copyTo(work.resolve("chains"));
    Path policy = GoldenChains.policyWithoutDependencies(chains);
    Map<String, String> tokens = new LinkedHashMap<>();
    TokenFile file = TokenFile.empty();
    SecureRandom secure = new SecureRandom();
    for (int c = 0; c < CLIENTS; c++) {
      String token = Tokens.generate(secure);
      tokens.put("client" + c, token);
      file =
          file.with(
              new TokenFile.Entry(new Client("client" + c, Role.INFER), Tokens.digest(token)));
    }
    Path tokenFile = work.resolve("tokens.yaml");
    Files.write(tokenFile, file.toYaml());
    Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
    Path journal = work.resolve("feedback.journal");

    AtomicReference<URI> current = new AtomicReference<>();
    AtomicBoolean done = new AtomicBoolean();
    Set<Ack> acked = ConcurrentHashMap.newKeySet();
    Queue<String> unexpected = new ConcurrentLinkedQueue<>();
    List<Thread> clients = new ArrayList<>();
    for (Map.Entry<String, String> c : tokens.entrySet()) {
      Thread t =
          new Thread(
              () -> send(c.getKey(), c.getValue(), current, done, acked, unexpected), c.getKey());
      t.start();
      clients.add(t);
    }
    Random random = new Random(SEED);
    int tornByTest = 0;
    int movedAside = 0;
    try {
      for (int kill = 0; kill < KILLS; kill++) {
        Path out = work.resolve("out-" + kill);
        Path err = work.resolve("err-" + kill);
        Process p = start(chains.resolve("a"), policy, tokenFile, journal, out, err);
        current.set(awaitUrl(p, out, err));
        if (Files.readString(err).contains("torn")) {
          movedAside++;
        }
        Thread.sleep(50 + random.nextInt(400)); // the clients keep sending meanwhile
        current.set(null);
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no close
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        if (kill % 4 == 1) {
          // A crash mid-append, made certain: the start of a record and no newline.
          Files.write(
              journal,
              "{\"seq\":99999,\"chain\":\"journal\",\"time\":\"2026-"
                  .getBytes(StandardCharsets.UTF_8),
              StandardOpenOption.APPEND);
          tornByTest++;
        }
      }
    } finally {
      done.set(true);
      for (Thread t : clients) {
        t.join(30_000);
      }
    }

    List<Path> torn;
    try (Stream<Path> s = Files.list(work)) {
      torn =
          s.filter(f -> f.getFileName().toString().startsWith("feedback.journal.torn-")).toList();
    }
    assertThat(unexpected).isEmpty();
    assertThat(movedAside).isGreaterThanOrEqualTo(tornByTest);
    List<FeedbackRecord> records;
    try (JournalStore store = JournalStore.open(journal)) { // moves the last torn line aside
      records = store.readAll(); // verifies every hash and link
    }
    try (Stream<Path> s = Files.list(work)) {
      assertThat(s.filter(f -> f.getFileName().toString().startsWith("feedback.journal.torn-")))
          .hasSizeGreaterThanOrEqualTo(tornByTest);
    }
    for (Path t : torn) { // never a record: the reader refuses every one of them
      byte[] bytes = Files.readAllBytes(t);
      assertThatThrownBy(() -> FeedbackJson.parse(bytes, t.toString()))
          .isInstanceOf(PipelineException.class);
    }
    assertThat(acked).hasSizeGreaterThan(KILLS);
    Map<Ack, Integer> found = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      FeedbackRecord r = records.get(i);
      assertThat(r.sequence()).isEqualTo(i + 1L);
      found.merge(new Ack(r.entry().client(), r.entry().input().get("BILL_AMT1")), 1, Integer::sum);
    }
    for (Ack a : acked) {
      assertThat(found.get(a)).as("acknowledged %s", a).isEqualTo(1);
    }
    assertThat(found.values()).allMatch(n -> n == 1);
    byte[] all = Files.readAllBytes(journal);
    assertThat(all[all.length - 1]).isEqualTo((byte) '\n');
    assertThat(FeedbackJson.parse(lastLine(all), "last line").hash())
        .isEqualTo(records.get(records.size() - 1).hash());
  }

  private static byte[] lastLine(byte[] all) {
    int end = all.length - 1;
    int start = end;
    while (start > 0 && all[start - 1] != '\n') {
      start--;
    }
    return java.util.Arrays.copyOfRange(all, start, end);
  }

  private static Process start(
      Path model, Path policy, Path tokens, Path journal, Path out, Path err) throws IOException {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:TieredStopAtLevel=1",
            "-Xshare:auto",
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "serve",
            model.toString(),
            "--policy",
            policy.toString(),
            "--port",
            "0",
            "--json",
            "--tokens",
            tokens.toString(),
            "--feedback-store",
            journal.toString(),
            "--feedback-quota",
            "1000000/1d");
    return new ProcessBuilder(command)
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
  }

  private static URI awaitUrl(Process p, Path out, Path err) throws Exception {
    for (int i = 0; i < 6_000; i++) {
      Matcher m = URL.matcher(Files.readString(out));
      if (m.find()) {
        return URI.create(m.group(1));
      }
      if (!p.isAlive()) {
        break;
      }
      Thread.sleep(10);
    }
    throw new AssertionError(
        "the server did not start: out " + Files.readString(out) + " err " + Files.readString(err));
  }

  /**
   * Sends distinct rows one after another; a row not acknowledged (the server was killed, or not
   * up) is sent again until it is, so a retry after a kill may meet its own earlier record.
   */
  private static void send(
      String client,
      String token,
      AtomicReference<URI> current,
      AtomicBoolean done,
      Set<Ack> acked,
      Queue<String> unexpected) {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    int n = 0;
    while (!done.get()) {
      URI base = current.get();
      String bill = String.valueOf(1000 + n);
      try {
        if (base != null) {
          HttpResponse<String> r =
              http.send(
                  HttpRequest.newBuilder(base.resolve("/v2/models/credit-rf/feedback"))
                      .timeout(Duration.ofSeconds(5))
                      .header("Content-Type", "application/json")
                      .header("Authorization", "Bearer " + token)
                      .POST(HttpRequest.BodyPublishers.ofString(body(client, bill, n)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() / 100 == 2) {
            acked.add(new Ack(client, bill));
            n++;
            continue;
          }
          unexpected.add(r.statusCode() + " " + r.body());
        }
        Thread.sleep(5);
      } catch (IOException e) {
        // Killed mid-request or not up yet: the same row again, on the next server.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static String body(String client, String bill, int n) {
    String age = String.valueOf(25 + client.charAt(client.length() - 1) - '0');
    return "{\"inputs\": ["
        + tensor("LIMIT_BAL", "50000")
        + ","
        + tensor("AGE", age)
        + ","
        + tensor("PAY_0", "0")
        + ","
        + tensor("BILL_AMT1", bill)
        + ","
        + tensor("PAY_AMT1", "1000")
        + ","
        + tensor("SEX", "1")
        + "], \"label\": \""
        + (n % 2)
        + "\"}";
  }

  private static String tensor(String name, String value) {
    return "{\"name\": \""
        + name
        + "\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\""
        + value
        + "\"]}";
  }
}
