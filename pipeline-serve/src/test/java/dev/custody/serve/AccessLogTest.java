package dev.custody.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log writes lines in batches, each whole, and every one of them by the close. */
class AccessLogTest {
  @TempDir Path work;

  /**
   * Waits (a few seconds at most) until {@code log} (a test's sink, locked while read) holds {@code
   * text}, which the access log writes within {@link AccessLog#FLUSH_MILLIS} of its request;
   * returns the log either way.
   */
  static String awaitLine(Object log, String text) throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      String s;
      synchronized (log) {
        s = log.toString();
      }
      if (s.contains(text)) {
        return s;
      }
      Thread.sleep(10);
    }
    synchronized (log) {
      return log.toString();
    }
  }

  @Test
  void log_withoutClose_isWrittenSoon() throws Exception {
    StringWriter out = new StringWriter();
    try (AccessLog log = AccessLog.to(out)) {
      log.log(Instant.EPOCH, "127.0.0.1", "GET", "/v2", 200, null, 0.5, null, null);

      assertThat(awaitLine(out, "\"path\":\"/v2\"")).endsWith("\n");
    }
  }

  @Test
  void close_afterManyLines_writesEachWholeLine() throws Exception {
    Path file = work.resolve("access.jsonl");
    AccessLog log = AccessLog.to(file);
    int n = 5_000; // more than one batch of MAX_PENDING_CHARS
    for (int i = 0; i < n; i++) {
      log.log(Instant.EPOCH, "127.0.0.1", "POST", "/p/" + i, 200, null, 0.5, null, null);
    }
    log.close();

    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(n);
    for (int i = 0; i < n; i++) {
      JsonNode line = Json.parse(lines.get(i).getBytes(StandardCharsets.UTF_8), "line");
      assertThat(line.get("path").asText()).isEqualTo("/p/" + i);
    }
  }

  @Test
  void close_server_hasWrittenEveryRequestsLine() throws Exception {
    Path chains = TestChains.copyTo(work.resolve("chains"));
    Path file = work.resolve("server-access.jsonl");
    int n = 20;
    try (ModelServer s =
        ModelServer.builder(chains.resolve("a"), TestChains.policy(chains))
            .port(0)
            .accessLog(file)
            .build()
            .start()) {
      Http http = new Http(s);
      for (int i = 0; i < n; i++) {
        HttpResponse<String> r =
            http.postJson("/v2/models/credit-rf/infer", Requests.infer(Requests.ROW));
        assertThat(r.statusCode()).isEqualTo(200);
      }
    }

    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(n);
    for (String l : lines) {
      JsonNode line = Json.parse(l.getBytes(StandardCharsets.UTF_8), "line");
      assertThat(line.get("status").asInt()).isEqualTo(200);
      assertThat(line.get("path").asText()).isEqualTo("/v2/models/credit-rf/infer");
    }
  }
}
