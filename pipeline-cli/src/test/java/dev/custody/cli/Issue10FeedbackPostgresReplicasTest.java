package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.feedback.FeedbackRecord;
import dev.custody.serve.feedback.PostgresStore;
import dev.custody.serve.security.Client;
import dev.custody.serve.security.Role;
import dev.custody.serve.security.TokenFile;
import dev.custody.serve.security.Tokens;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's replica test: two real {@code custody serve} processes, replicas {@code replica-a} and
 * {@code replica-b}, record feedback into one real PostgreSQL. Every client sends each of its rows
 * to both servers at the same time, so the two replicas race on every row: each row must be
 * recorded exactly once (201 from one server, 200 duplicate from the other), nothing acknowledged
 * may be missing, and both chains must verify.
 */
@Tag("postgres")
class Issue10FeedbackPostgresReplicasTest {
  private static final int CLIENTS = 3;
  private static final int ROWS = 40;
  private static final Pattern URL = Pattern.compile("\"url\":\"(http://127\\.0\\.0\\.1:\\d+)\"");

  @TempDir Path work;

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void serve_twoReplicasOnOnePostgres_recordEachRowOnceAndBothChainsVerify() throws Exception {
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

    try (EmbeddedPostgres pg =
        EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start()) {
      try (Connection c = pg.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE feedback");
      }
      String location = "postgresql://localhost:" + pg.getPort() + "/feedback?user=postgres";
      List<Process> servers = new ArrayList<>();
      try {
        List<URI> urls = new ArrayList<>();
        for (String replica : List.of("replica-a", "replica-b")) {
          Path out = work.resolve(replica + ".out");
          Path err = work.resolve(replica + ".err");
          Process p = start(chains.resolve("a"), policy, tokenFile, location, replica, out, err);
          servers.add(p);
          urls.add(awaitUrl(p, out, err));
        }

        AtomicInteger created = new AtomicInteger();
        AtomicInteger duplicates = new AtomicInteger();
        Queue<String> unexpected = new ConcurrentLinkedQueue<>();
        List<Thread> senders = new ArrayList<>();
        for (Map.Entry<String, String> client : tokens.entrySet()) {
          for (URI url : urls) { // the same rows to both replicas at once
            Thread t =
                new Thread(
                    () ->
                        send(
                            url,
                            client.getKey(),
                            client.getValue(),
                            created,
                            duplicates,
                            unexpected));
            t.start();
            senders.add(t);
          }
        }
        for (Thread t : senders) {
          t.join(240_000);
        }

        assertThat(unexpected).isEmpty();
        assertThat(created.get()).isEqualTo(CLIENTS * ROWS);
        assertThat(duplicates.get()).isEqualTo(CLIENTS * ROWS);
      } finally {
        for (Process p : servers) {
          p.destroy();
          p.waitFor(30, TimeUnit.SECONDS);
        }
      }

      List<FeedbackRecord> records;
      try (PostgresStore store = PostgresStore.open(location, Optional.of("reader"))) {
        records = store.readAll(); // verifies both chains' hashes and links
      }
      assertThat(records).hasSize(CLIENTS * ROWS);
      Map<String, Integer> perRow = new HashMap<>();
      for (FeedbackRecord r : records) {
        perRow.merge(
            r.entry().client() + "|" + r.entry().input().get("BILL_AMT1"), 1, Integer::sum);
      }
      assertThat(perRow).hasSize(CLIENTS * ROWS).allSatisfy((row, n) -> assertThat(n).isOne());
      assertThat(records).extracting(FeedbackRecord::chain).containsOnly("replica-a", "replica-b");
    }
  }

  private static Process start(
      Path model, Path policy, Path tokens, String store, String replica, Path out, Path err)
      throws IOException {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:TieredStopAtLevel=1",
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
            store,
            "--feedback-replica",
            replica,
            "--feedback-quota",
            "1000000/1d");
    return new ProcessBuilder(command)
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
  }

  private static URI awaitUrl(Process p, Path out, Path err) throws Exception {
    for (int i = 0; i < 12_000; i++) {
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

  /** Sends the client's rows in order; counts 201 (recorded) and 200 (duplicate) answers. */
  private static void send(
      URI base,
      String client,
      String token,
      AtomicInteger created,
      AtomicInteger duplicates,
      Queue<String> unexpected) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int n = 0; n < ROWS; n++) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(base.resolve("/v2/models/credit-rf/feedback"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(body(client, n)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 201) {
          created.incrementAndGet();
        } else if (r.statusCode() == 200 && r.body().contains("\"duplicate\":true")) {
          duplicates.incrementAndGet();
        } else {
          unexpected.add(r.statusCode() + " " + r.body());
        }
      } catch (IOException e) {
        unexpected.add(client + " row " + n + ": " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static String body(String client, int n) {
    String age = String.valueOf(25 + client.charAt(client.length() - 1) - '0');
    return "{\"inputs\": ["
        + tensor("LIMIT_BAL", "50000")
        + ","
        + tensor("AGE", age)
        + ","
        + tensor("PAY_0", "0")
        + ","
        + tensor("BILL_AMT1", String.valueOf(1000 + n))
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
