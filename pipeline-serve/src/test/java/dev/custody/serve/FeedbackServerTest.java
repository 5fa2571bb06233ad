package dev.custody.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.feedback.FeedbackRecord;
import dev.custody.core.feedback.FeedbackStatus;
import dev.custody.serve.feedback.FeedbackQuota;
import dev.custody.serve.feedback.JournalStore;
import dev.custody.serve.security.Client;
import dev.custody.serve.security.Role;
import dev.custody.serve.security.TokenFile;
import dev.custody.serve.security.Tokens;
import dev.custody.verify.TrustPolicy;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feedback endpoint on a real server (credit-rf v2 of the golden chains, loopback port 0) with
 * a real journal file, called with {@link HttpClient}. Each test uses its own client, so that quota
 * and de-duplication of one test never reach another.
 */
class FeedbackServerTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Map<String, String> TOKENS = new LinkedHashMap<>();

  /** The model predicts "1" at 0.513 for this row: an unsure prediction. */
  private static final Map<String, String> UNSURE = row("20000", "24", "2", "3913", "0", "2");

  /** The model predicts "0" at 0.837 for this row: sure, above the test's threshold 0.8. */
  private static final Map<String, String> SURE = row("120000", "26", "-1", "2682", "0", "2");

  private static final String PATH = "/v2/models/credit-rf/feedback";

  @TempDir static Path work;
  static Path chains;
  static TrustPolicy policy;
  static Tokens tokens;
  static JournalStore store;
  static ModelServer server;
  static final StringBuilder ACCESS = new StringBuilder();
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  @BeforeAll
  static void start() throws Exception {
    chains = TestChains.copyTo(work.resolve("chains"));
    policy = TestChains.policy(chains);
    TokenFile file = TokenFile.empty();
    for (String id :
        List.of(
            "alice", "bob", "carol", "dave", "erin", "frank", "busy", "racer", "grace", "heidi")) {
      String token = Tokens.generate(RANDOM);
      TOKENS.put(id, token);
      file = file.with(new TokenFile.Entry(new Client(id, Role.INFER), Tokens.digest(token)));
    }
    String admin = Tokens.generate(RANDOM);
    TOKENS.put("ops", admin);
    file = file.with(new TokenFile.Entry(new Client("ops", Role.ADMIN), Tokens.digest(admin)));
    tokens = Tokens.of(file);
    store = JournalStore.open(work.resolve("feedback.journal"));
    server =
        ModelServer.builder(chains.resolve("a"), policy)
            .port(0)
            .tokens(tokens)
            .limits(ServerLimits.defaults().withMaxBodyBytes(16 * 1024))
            .accessLog(ACCESS)
            .feedbackStore(store)
            // Windows of 100 years: no test straddles a window boundary.
            .feedbackQuota(new FeedbackQuota(5, Duration.ofDays(36_500)))
            .feedbackQuarantineAbove(0.8)
            .build()
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    store.close();
  }

  private static Map<String, String> row(
      String limit, String age, String pay0, String bill, String payAmt, String sex) {
    Map<String, String> r = new LinkedHashMap<>();
    r.put("LIMIT_BAL", limit);
    r.put("AGE", age);
    r.put("PAY_0", pay0);
    r.put("BILL_AMT1", bill);
    r.put("PAY_AMT1", payAmt);
    r.put("SEX", sex);
    return r;
  }

  /** A feedback body: each column a BYTES tensor of shape [1]. */
  static String body(Map<String, String> row, String label) {
    StringBuilder b = new StringBuilder("{\"inputs\": [");
    row.forEach(
        (k, v) ->
            b.append(b.charAt(b.length() - 1) == '[' ? "" : ",")
                .append("{\"name\": \"")
                .append(k)
                .append("\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"")
                .append(v)
                .append("\"]}"));
    return b.append("], \"label\": \"").append(label).append("\"}").toString();
  }

  private static HttpResponse<String> post(ModelServer s, String path, String client, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(s.uri().resolve(path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (client != null) {
      b.header("Authorization", "Bearer " + TOKENS.getOrDefault(client, client));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> feedback(String client, String body) throws Exception {
    return post(server, PATH, client, body);
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.parse(r.body().getBytes(StandardCharsets.UTF_8), "response");
  }

  private static List<FeedbackRecord> recordsOf(String client) throws Exception {
    return store.readAll().stream().filter(r -> r.entry().client().equals(client)).toList();
  }

  private static void assertRefused(HttpResponse<String> r, int status, String reason)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(json(r).get("reason").asText()).isEqualTo(reason);
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void feedback_agreesWithPrediction_is201AcceptedAndDurablyRecorded() throws Exception {
    HttpResponse<String> r = feedback("alice", body(UNSURE, "1"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(r.headers().firstValue("Custody-Model-Digest"))
        .hasValue(server.model().rootDigest().toString());
    JsonNode j = json(r);
    assertThat(j.get("status").asText()).isEqualTo("accepted");
    assertThat(j.get("duplicate").asBoolean()).isFalse();
    assertThat(j.get("why").asText()).startsWith("agrees with the served model's prediction");
    assertThat(j.get("record").get("chain").asText()).isEqualTo("journal");
    assertThat(j.get("record").get("hash").asText()).matches("[0-9a-f]{64}");
    assertThat(j.get("model").get("name").asText()).isEqualTo("credit-rf");
    assertThat(j.get("model").get("digest").asText())
        .isEqualTo(server.model().rootDigest().toString());
    List<FeedbackRecord> mine = recordsOf("alice");
    assertThat(mine).hasSize(1);
    FeedbackRecord rec = mine.get(0);
    assertThat(rec.sequence()).isEqualTo(j.get("record").get("seq").asLong());
    assertThat(rec.hash().hex()).isEqualTo(j.get("record").get("hash").asText());
    assertThat(rec.entry().status()).isEqualTo(FeedbackStatus.ACCEPTED);
    assertThat(rec.entry().input()).isEqualTo(UNSURE);
    assertThat(rec.entry().label()).isEqualTo("1");
    assertThat(rec.entry().servedLabel()).isEqualTo("1");
    assertThat(rec.entry().modelDigest()).isEqualTo(server.model().rootDigest());
  }

  @Test
  void feedback_honestCorrectionAgainstConfidentPrediction_is201Accepted() throws Exception {
    // "1" is the model's last (positive) label: by default only "0" is protected, as in training.
    HttpResponse<String> r = feedback("bob", body(SURE, "1"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode j = json(r);
    assertThat(j.get("status").asText()).isEqualTo("accepted");
    assertThat(j.get("why").asText())
        .isEqualTo(
            "corrects the served model's prediction \"0\" (0.8370) to \"1\", a label the"
                + " quarantine does not protect [\"0\"]: accepted at any confidence");
    FeedbackRecord rec = recordsOf("bob").get(0);
    assertThat(rec.entry().status()).isEqualTo(FeedbackStatus.ACCEPTED);
    assertThat(rec.entry().servedLabel()).isEqualTo("0");
    assertThat(rec.entry().servedConfidence()).isBetween(0.83, 0.84);
  }

  @Test
  void feedback_protectedClaimAgainstConfidentPrediction_is201Quarantined() throws Exception {
    JournalStore protecting = JournalStore.open(work.resolve("protecting.journal"));
    try (protecting;
        ModelServer s =
            ModelServer.builder(chains.resolve("a"), policy)
                .port(0)
                .tokens(tokens)
                .feedbackStore(protecting)
                .feedbackQuarantineAbove(0.8)
                .feedbackQuarantineLabels(Set.of("1"))
                .build()
                .start()) {
      HttpResponse<String> r = post(s, PATH, "bob", body(SURE, "1"));

      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      JsonNode j = json(r);
      assertThat(j.get("status").asText()).isEqualTo("quarantined");
      assertThat(j.get("record").get("status").asText()).isEqualTo("quarantined");
      assertThat(j.get("why").asText())
          .isEqualTo(
              "claims the protected label \"1\" against the served model's confident prediction"
                  + " \"0\" (0.8370 >= the quarantine threshold 0.8000): held out of training"
                  + " until reviewed");
      assertThat(protecting.readAll().get(0).entry().status())
          .isEqualTo(FeedbackStatus.QUARANTINED);
    }
  }

  @Test
  void start_quarantineLabelNotOfTheModel_isRefused() {
    ModelServer.Builder b =
        ModelServer.builder(chains.resolve("a"), policy)
            .port(0)
            .tokens(tokens)
            .feedbackStore(store)
            .feedbackQuarantineLabels(Set.of("ham", "0"));

    assertThatThrownBy(() -> b.build().start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "feedback quarantine labels: expected labels of the served model [0, 1], found"
                + " [ham]");
  }

  @Test
  void feedback_contradictsUnsurePrediction_is201Accepted() throws Exception {
    HttpResponse<String> r = feedback("carol", body(UNSURE, "0"));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(json(r).get("status").asText()).isEqualTo("accepted");
    assertThat(json(r).get("why").asText())
        .isEqualTo(
            "claims the protected label \"0\" against the served model's prediction \"1\""
                + " (0.5128 < the quarantine threshold 0.8000)");
  }

  @Test
  void feedback_sameClientSameInputOtherSpelling_is200DuplicateWithEarlierStatus()
      throws Exception {
    HttpResponse<String> first = feedback("dave", body(SURE, "1"));
    // The same row with its numbers spelled otherwise and its columns in another order.
    Map<String, String> again = new LinkedHashMap<>();
    again.put("SEX", "2");
    again.put("PAY_AMT1", "0.0");
    again.put("BILL_AMT1", "2.682e3");
    again.put("PAY_0", "-1");
    again.put("AGE", "26.00");
    again.put("LIMIT_BAL", "120000");

    HttpResponse<String> second = feedback("dave", body(again, "1"));

    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    JsonNode j = json(second);
    assertThat(j.get("status").asText()).isEqualTo("duplicate");
    assertThat(j.get("duplicate").asBoolean()).isTrue();
    assertThat(j.get("record").get("status").asText()).isEqualTo("accepted");
    assertThat(j.get("record").get("seq").asLong())
        .isEqualTo(json(first).get("record").get("seq").asLong());
    assertThat(j.get("why").asText()).contains("counted once");
    assertThat(recordsOf("dave")).hasSize(1);
    // Another client's claim on the same input is its own record.
    assertThat(feedback("erin", body(again, "1")).statusCode()).isEqualTo(201);
  }

  @Test
  void feedback_missingOrUnknownToken_is401AndRecordsNothing() throws Exception {
    int before = store.readAll().size();

    HttpResponse<String> none = feedback(null, body(UNSURE, "0"));
    HttpResponse<String> unknown = feedback(Tokens.generate(RANDOM), body(UNSURE, "0"));

    assertRefused(none, 401, "UNAUTHENTICATED");
    assertRefused(unknown, 401, "UNAUTHENTICATED");
    assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(store.readAll()).hasSize(before);
  }

  @Test
  void feedback_beyondQuota_is429WithRetryAfterAndRecordsNothing() throws Exception {
    for (int age = 40; age < 45; age++) {
      HttpResponse<String> r =
          feedback("busy", body(row("50000", String.valueOf(age), "0", "1000", "0", "1"), "0"));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    HttpResponse<String> r = feedback("busy", body(row("50000", "45", "0", "1000", "0", "1"), "0"));

    assertRefused(r, 429, "FEEDBACK_QUOTA_EXCEEDED");
    assertThat(json(r).get("error").asText())
        .isEqualTo(
            "client busy sent 5 feedback records in this window; expected at most 5 per"
                + " 3153600000 s: nothing recorded, retry in "
                + r.headers().firstValue("Retry-After").orElseThrow()
                + " s");
    assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow())).isPositive();
    assertThat(recordsOf("busy")).hasSize(5);
  }

  @Test
  void feedback_concurrentRequestsOfOneClient_neverOverrunTheQuota() throws Exception {
    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int age = 50; age < 62; age++) {
      Map<String, String> r = row("60000", String.valueOf(age), "0", "500", "0", "2");
      sent.add(
          HTTP.sendAsync(
              HttpRequest.newBuilder(server.uri().resolve(PATH))
                  .timeout(Duration.ofSeconds(30))
                  .header("Content-Type", "application/json")
                  .header("Authorization", "Bearer " + TOKENS.get("racer"))
                  .POST(HttpRequest.BodyPublishers.ofString(body(r, "0")))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    List<Integer> statuses = new ArrayList<>();
    for (var f : sent) {
      statuses.add(f.get().statusCode());
    }

    assertThat(statuses).filteredOn(s -> s == 201).hasSize(5);
    assertThat(statuses).filteredOn(s -> s == 429).hasSize(7);
    assertThat(recordsOf("racer")).hasSize(5);
  }

  @Test
  void feedback_labelNotOfTheModel_is400NamingTheAllowedLabels() throws Exception {
    HttpResponse<String> r = feedback("frank", body(UNSURE, "ham"));

    assertRefused(r, 400, "INVALID_INPUT");
    assertThat(json(r).get("error").asText())
        .isEqualTo("\"label\": expected one of the model's labels [\"0\", \"1\"], found \"ham\"");
    assertThat(recordsOf("frank")).isEmpty();
  }

  @Test
  void feedback_invalidColumnValue_is400NamingTheColumn() throws Exception {
    Map<String, String> bad = new LinkedHashMap<>(UNSURE);
    bad.put("AGE", "old");

    HttpResponse<String> r = feedback("frank", body(bad, "0"));

    assertRefused(r, 400, "INVALID_INPUT");
    assertThat(json(r).get("error").asText()).contains("AGE").contains("\"old\"");
    assertThat(recordsOf("frank")).isEmpty();
  }

  @Test
  void feedback_unknownKey_is400NamingTheKey() throws Exception {
    String b = body(UNSURE, "0").replaceFirst("\\{", "{\"parameters\": {}, ");

    HttpResponse<String> r = feedback("frank", b);

    assertRefused(r, 400, "INVALID_INPUT");
    assertThat(json(r).get("error").asText())
        .isEqualTo(
            "feedback: unknown field \"parameters\": expected only [inputs, label,"
                + " prediction_id]");
  }

  @Test
  void feedback_twoRows_is400ExpectingOneRow() throws Exception {
    String b =
        body(UNSURE, "0")
            .replace("\"shape\": [1], \"data\": [\"", "\"shape\": [2], \"data\": [\"1\", \"");

    HttpResponse<String> r = feedback("frank", b);

    assertRefused(r, 400, "INVALID_INPUT");
    assertThat(json(r).get("error").asText())
        .isEqualTo("\"inputs\": expected exactly one row (shape [1]), found 2");
  }

  @Test
  void feedback_bodyTooLarge_is413() throws Exception {
    String b =
        body(UNSURE, "0").replace("}", ", \"prediction_id\": \"" + "x".repeat(20_000) + "\"}");

    HttpResponse<String> r = feedback("frank", b);

    assertRefused(r, 413, "BODY_TOO_LARGE");
    assertThat(recordsOf("frank")).isEmpty();
  }

  @Test
  void feedback_predictionIdAndVersionedPath_areRecorded() throws Exception {
    String b = body(SURE, "0").replaceFirst("\\{", "{\"prediction_id\": \"req-42\", ");

    HttpResponse<String> r = post(server, "/v2/models/credit-rf/versions/2/feedback", "grace", b);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(recordsOf("grace").get(0).entry().predictionId()).hasValue("req-42");
    assertRefused(
        post(server, "/v2/models/credit-rf/versions/1/feedback", "grace", b), 404, "NOT_FOUND");
  }

  @Test
  void feedback_metricsAndAccessLog_countByStatusAndNameTheClientOnly() throws Exception {
    feedback("heidi", body(UNSURE, "1"));

    HttpResponse<String> m =
        HTTP.send(
            HttpRequest.newBuilder(server.uri().resolve("/metrics"))
                .header("Authorization", "Bearer " + TOKENS.get("ops"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(m.body()).containsPattern("custody_feedback_total\\{status=\"accepted\"} \\d");
    String log = AccessLogTest.awaitLine(ACCESS, "\"clientId\":\"heidi\"");
    assertThat(log).contains("\"path\":\"" + PATH + "\"").contains("\"clientId\":\"heidi\"");
    TOKENS.values().forEach(t -> assertThat(log).doesNotContain(t));
    assertThat(log).doesNotContain("3913");
  }

  @Test
  void feedback_serverWithoutStore_is404NotEnabled() throws Exception {
    try (ModelServer plain =
        ModelServer.builder(chains.resolve("a"), policy).port(0).build().start()) {
      HttpResponse<String> r = post(plain, PATH, null, body(UNSURE, "0"));

      assertRefused(r, 404, "NOT_FOUND");
      assertThat(json(r).get("error").asText())
          .startsWith("feedback is not enabled on this server");
    }
  }

  @Test
  void feedback_storeFails_is503AndNothingAcknowledged() throws Exception {
    JournalStore failing = JournalStore.open(work.resolve("failing.journal"));
    try (ModelServer s =
        ModelServer.builder(chains.resolve("a"), policy)
            .port(0)
            .tokens(tokens)
            .feedbackStore(failing)
            .build()
            .start()) {
      failing.close(); // what a store that lost its file or database looks like to the server

      HttpResponse<String> r = post(s, PATH, "alice", body(SURE, "0"));

      assertRefused(r, 503, "FEEDBACK_STORE_UNAVAILABLE");
      assertThat(r.headers().firstValue("Retry-After")).isPresent();
      assertThat(json(r).get("error").asText()).doesNotContain(work.toString());
    }
    try (JournalStore reopened = JournalStore.open(work.resolve("failing.journal"))) {
      assertThat(reopened.readAll()).isEmpty();
    }
  }

  @Test
  void build_feedbackStoreWithoutTokens_isRefused() {
    ModelServer.Builder b = ModelServer.builder(chains.resolve("a"), policy).feedbackStore(store);

    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("feedback needs bearer tokens: expected a token file (--tokens)");
  }
}
