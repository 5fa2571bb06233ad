package dev.custody.serve;

import static dev.custody.serve.ModelServerTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Start-up refusals, limits, draining, the request filter and reloads, each on its own server. */
@Timeout(60)
class ServerLifecycleTest {
  @TempDir static Path work;
  static Path chains;

  @BeforeAll
  static void copy() throws Exception {
    chains = TestChains.copyTo(work.resolve("chains"));
  }

  static ModelServer start(String chain, ServerLimits limits) throws Exception {
    return ModelServer.builder(chains.resolve(chain), TestChains.policy(chains))
        .port(0)
        .limits(limits)
        .build()
        .start();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static void assertBindable(int port) throws Exception {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThat(s.getLocalPort()).isEqualTo(port);
    }
  }

  static Path tampered(String name) throws Exception {
    return ServerLifecycleTestSupport.tamperedCopy(
        chains.resolve(name), work.resolve("tampered-" + name + "-" + System.nanoTime()));
  }

  @Test
  void start_tamperedModel_throwsReasonAndLeavesPortFree() throws Exception {
    int port = freePort();
    ModelServer s =
        ModelServer.builder(tampered("a"), TestChains.policy(chains)).port(port).build();

    assertThatThrownBy(s::start)
        .isInstanceOfSatisfying(
            PipelineException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH));
    assertBindable(port);
    assertThatThrownBy(s::port).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void start_dependencyLockNotMatchingClasspath_refusesAndLeavesPortFree() throws Exception {
    int port = freePort();
    // The chains' lock names three made-up jars; this JVM runs on others.
    ModelServer s =
        ModelServer.builder(chains.resolve("a"), TestChains.lockedPolicy(chains))
            .port(port)
            .build();

    assertThatThrownBy(s::start)
        .isInstanceOfSatisfying(
            PipelineException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.DEPENDENCY_MISMATCH));
    assertBindable(port);
  }

  @Test
  void start_portInUse_throwsIoExceptionNamingIt() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ModelServer s =
          ModelServer.builder(chains.resolve("a"), TestChains.policy(chains))
              .port(taken.getLocalPort())
              .build();
      assertThatThrownBy(s::start)
          .isInstanceOf(java.io.IOException.class)
          .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
  }

  @Test
  void post_contentLengthOverLimit_returns413() throws Exception {
    try (ModelServer s = start("a", ServerLimits.defaults().withMaxBodyBytes(1_000))) {
      Http http = new Http(s);
      HttpResponse<String> r =
          http.postJson("/v2/models/credit-rf/infer", "{\"inputs\": [" + " ".repeat(2_000) + "]}");
      assertThat(r.statusCode()).isEqualTo(413);
      assertError(
          r, "BODY_TOO_LARGE", "expected a body of at most 1000 bytes, found Content-Length");
    }
  }

  @Test
  void post_chunkedBodyOverLimit_returns413() throws Exception {
    try (ModelServer s = start("a", ServerLimits.defaults().withMaxBodyBytes(1_000));
        Http.HeldRequest req =
            new Http.HeldRequest(
                s, "/v2/models/credit-rf/infer", "{\"inputs\": [" + " ".repeat(3_000) + "]}")) {
      req.finish();
      Http.Raw r = req.response();
      assertThat(r.status()).as(r.body()).isEqualTo(413);
      JsonNode e = dev.custody.core.Json.parse(r.body().getBytes(StandardCharsets.UTF_8), "error");
      assertThat(e.get("reason").asText()).isEqualTo("BODY_TOO_LARGE");
      assertThat(e.get("error").asText()).contains("expected a body of at most 1000 bytes");
    }
  }

  @Test
  void infer_bodyInSeveralChunks_answersAsTheWholeBody() throws Exception {
    String body = Requests.infer(Requests.ROW);
    int third = body.length() / 3;
    try (ModelServer s = start("a", ServerLimits.defaults());
        Http.HeldRequest req =
            new Http.HeldRequest(s, "/v2/models/credit-rf/infer", body.substring(0, third))) {
      req.send(body.substring(third, 2 * third));
      req.send(body.substring(2 * third));
      req.finish();
      Http.Raw r = req.response();
      HttpResponse<String> whole = new Http(s).postJson("/v2/models/credit-rf/infer", body);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(whole.body());
    }
  }

  @Test
  void infer_moreRowsThanLimit_returns413TooManyRows() throws Exception {
    try (ModelServer s = start("a", ServerLimits.defaults().withMaxRows(2))) {
      HttpResponse<String> r =
          new Http(s)
              .postJson(
                  "/invocations",
                  "{\"dataframe_records\": [{\"AGE\": 1}, {\"AGE\": 2}, {\"AGE\": 3}]}");
      assertThat(r.statusCode()).isEqualTo(413);
      assertError(r, "TOO_MANY_ROWS", "expected at most 2 rows, found 3");
    }
  }

  @Test
  void infer_allSlotsInFlight_returns503OverloadedWithRetryAfter() throws Exception {
    try (ModelServer s = start("a", ServerLimits.defaults().withMaxInFlight(1));
        Http.HeldRequest held = new Http.HeldRequest(s, "/v2/models/credit-rf/infer", "{")) {
      Http http = new Http(s);
      HttpResponse<String> r = awaitOverloaded(http);
      assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
      assertError(r, "OVERLOADED", "expected at most 1 requests in flight");
      // Health and metrics stay answerable under overload.
      assertThat(http.get("/v2/health/live").statusCode()).isEqualTo(200);
      assertThat(http.get("/metrics").statusCode()).isEqualTo(200);
      held.finish();
      assertThat(held.response().status()).isEqualTo(400); // "{" is not a request
      assertThat(awaitAdmitted(http).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void infer_bodyBytesBudgetHeldByOthers_returns503OverloadedUntilFreed() throws Exception {
    String held40 = "{\"inputs\": [" + " ".repeat(27); // 40 bytes of a body still arriving
    try (ModelServer s =
            start("a", ServerLimits.defaults().withMaxBodyBytes(80).withMaxBodyBytesInFlight(100));
        Http.HeldRequest held = new Http.HeldRequest(s, "/v2/models/credit-rf/infer", held40)) {
      Http http = new Http(s);
      String body70 = "{\"dataframe_records\": []" + " ".repeat(45) + "}"; // 40 + 70 > 100
      // Until the held body's bytes are counted:
      HttpResponse<String> r =
          await(() -> http.postJson("/invocations", body70), st -> st == 503, "never refused");
      assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
      assertError(r, "OVERLOADED", "expected at most 100 request-body bytes in flight");
      held.finish();
      assertThat(held.response().status()).isEqualTo(400);
      // The held bytes are given back at its end:
      await(() -> http.postJson("/invocations", body70), st -> st != 503, "bytes never freed");
    }
  }

  /** Until the held request is admitted, another one may get in first: retry until refused. */
  private static HttpResponse<String> awaitOverloaded(Http http) throws Exception {
    return await(() -> http.get("/v2/models/credit-rf"), st -> st == 503, "never overloaded");
  }

  /**
   * The slot is freed when the exchange completes, which may be just after the client has read the
   * answer: retry until admitted again.
   */
  private static HttpResponse<String> awaitAdmitted(Http http) throws Exception {
    return await(
        () -> http.get("/v2/models/credit-rf"),
        st -> st != 503,
        "still overloaded after the held request finished");
  }

  /** Sends {@code call} every 25 ms until its status is {@code wanted}, at most 400 times. */
  private static HttpResponse<String> await(
      java.util.concurrent.Callable<HttpResponse<String>> call,
      java.util.function.IntPredicate wanted,
      String failure)
      throws Exception {
    for (int i = 0; i < 400; i++) {
      HttpResponse<String> r = call.call();
      if (wanted.test(r.statusCode())) {
        return r;
      }
      Thread.sleep(25);
    }
    throw new AssertionError(failure);
  }

  @Test
  void infer_bodyNeverFinishes_returns503Timeout() throws Exception {
    try (ModelServer s =
            start("a", ServerLimits.defaults().withRequestTimeout(Duration.ofMillis(300)));
        Http.HeldRequest held = new Http.HeldRequest(s, "/v2/models/credit-rf/infer", "{")) {
      Http.Raw r = held.response();
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.headers().get("connection")).isEqualTo("close");
      JsonNode e = dev.custody.core.Json.parse(r.body().getBytes(StandardCharsets.UTF_8), "error");
      assertThat(e.get("reason").asText()).isEqualTo("TIMEOUT");
      assertThat(e.get("error").asText()).isEqualTo("expected an answer within 300 ms");
      assertThat(new Http(s).get("/v2/health/live").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void healthReady_draining_returns503NotReadyAndKeepsServing() throws Exception {
    try (ModelServer s = start("a", ServerLimits.defaults())) {
      Http http = new Http(s);
      s.drain();
      HttpResponse<String> r = http.get("/v2/health/ready");
      assertThat(r.statusCode()).isEqualTo(503);
      assertError(r, "NOT_READY", "shutting down");
      assertThat(http.get("/v2/health/live").statusCode()).isEqualTo(200);
      assertThat(
              http.postJson("/v2/models/credit-rf/infer", Requests.infer(Requests.ROW))
                  .statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void requestFilter_refusingAdmin_answersItsRejectionBeforeTheBodyIsRead() throws Exception {
    try (ModelServer s =
        ModelServer.builder(chains.resolve("b"), TestChains.policy(chains))
            .port(0)
            .requestFilter(
                (ex, kind) ->
                    kind == EndpointKind.ADMIN
                        ? Optional.of(
                            new Rejection(
                                401,
                                "UNAUTHENTICATED",
                                "expected an admin token",
                                java.util.Map.of("WWW-Authenticate", "Bearer")))
                        : Optional.empty())
            .build()
            .start()) {
      Http http = new Http(s);
      HttpResponse<String> r =
          http.postJson(
              "/v2/repository/models/credit-rf/load",
              "{\"parameters\": {\"path\": \"" + chains.resolve("a") + "\"}}");
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
      assertError(r, "UNAUTHENTICATED", "expected an admin token");
      assertThat(s.model().version()).isEqualTo(1);
      assertThat(http.get("/v2/models/credit-rf").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void request_unexpectedFault_returns500InternalWithoutDetails() throws Exception {
    try (ModelServer s =
        ModelServer.builder(chains.resolve("a"), TestChains.policy(chains))
            .port(0)
            .requestFilter(
                (ex, kind) -> {
                  if (kind == EndpointKind.INFERENCE) {
                    throw new IllegalStateException("filter fault with internal detail");
                  }
                  return Optional.empty();
                })
            .build()
            .start()) {
      Http http = new Http(s);
      HttpResponse<String> r =
          http.postJson("/v2/models/credit-rf/infer", Requests.infer(Requests.ROW));
      assertThat(r.statusCode()).isEqualTo(500);
      assertError(r, "INTERNAL", "internal server error");
      assertThat(r.body()).doesNotContain("internal detail").doesNotContain("IllegalState");
      assertThat(http.get("/v2/health/live").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void load_newerOlderAndTamperedModels_swapsOnlyTheVerifiedNewerOne() throws Exception {
    try (ModelServer s = start("b", ServerLimits.defaults())) {
      Http http = new Http(s);
      String v1 = s.model().rootDigest().toString();

      HttpResponse<String> tampered = load(http, tampered("a"));
      assertThat(tampered.statusCode()).isEqualTo(409);
      assertError(tampered, "MANIFEST_MISMATCH", "");
      assertThat(s.model().rootDigest().toString()).isEqualTo(v1);

      HttpResponse<String> newer = load(http, chains.resolve("a"));
      assertThat(newer.statusCode()).as(newer.body()).isEqualTo(200);
      JsonNode n = Http.json(newer);
      assertThat(n.get("version").asText()).isEqualTo("2");
      assertThat(n.get("previous_version").asText()).isEqualTo("1");
      String v2 = s.model().rootDigest().toString();
      assertThat(n.get("model_root_digest").asText()).isEqualTo(v2);
      HttpResponse<String> infer =
          http.postJson("/v2/models/credit-rf/infer", Requests.infer(Requests.ROW));
      assertThat(infer.headers().firstValue("Custody-Model-Digest")).hasValue(v2);
      assertThat(http.get("/v2/models/credit-rf/versions/2").statusCode()).isEqualTo(200);
      assertThat(http.get("/v2/models/credit-rf/versions/1").statusCode()).isEqualTo(404);

      HttpResponse<String> older = load(http, chains.resolve("b"));
      assertThat(older.statusCode()).isEqualTo(409);
      assertError(older, "ROLLBACK", "");
      assertThat(s.model().rootDigest().toString()).isEqualTo(v2);

      HttpResponse<String> missing = load(http, work.resolve("no-such-model"));
      assertThat(missing.statusCode()).isEqualTo(400);
      assertError(missing, "INVALID_INPUT", "no such model directory");

      String m = http.get("/metrics").body();
      assertThat(m)
          .contains("custody_reloads_total{outcome=\"success\"} 1.0")
          .contains("custody_reloads_total{outcome=\"ROLLBACK\"} 1.0")
          .contains("custody_verification_failures_total{reason=\"MANIFEST_MISMATCH\"} 1.0")
          .contains("custody_model_info{digest=\"" + v2 + "\"")
          .doesNotContain("custody_model_info{digest=\"" + v1 + "\"");
    }
  }

  static HttpResponse<String> load(Http http, Path dir) throws Exception {
    return http.postJson(
        "/v2/repository/models/credit-rf/load",
        "{\"parameters\": {\"path\": \"" + dir.toString().replace("\\", "\\\\") + "\"}}");
  }
}
