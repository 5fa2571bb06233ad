package dev.custody.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.serve.security.Client;
import dev.custody.serve.security.Role;
import dev.custody.serve.security.TestPki;
import dev.custody.serve.security.TlsConfig;
import dev.custody.serve.security.TokenFile;
import dev.custody.serve.security.Tokens;
import dev.custody.verify.TrustPolicy;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server on a loopback port with tokens, rate limits and TLS, called with {@link
 * HttpClient}: credit-rf v2 (chain {@code a}) of pipeline-verify's golden chains.
 */
class SecuredServerTest {
  private static final String INFER_TOKEN = Tokens.generate(new SecureRandom());
  private static final String ADMIN_TOKEN = Tokens.generate(new SecureRandom());
  private static final String ROW =
      "{\"inputs\": ["
          + "{\"name\": \"LIMIT_BAL\", \"datatype\": \"FP64\", \"shape\": [1], \"data\": [20000]},"
          + "{\"name\": \"AGE\", \"datatype\": \"FP64\", \"shape\": [1], \"data\": [24]},"
          + "{\"name\": \"PAY_0\", \"datatype\": \"FP64\", \"shape\": [1], \"data\": [2]},"
          + "{\"name\": \"BILL_AMT1\", \"datatype\": \"FP64\", \"shape\": [1], \"data\": [3913]},"
          + "{\"name\": \"PAY_AMT1\", \"datatype\": \"FP64\", \"shape\": [1], \"data\": [0]},"
          + "{\"name\": \"SEX\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"2\"]}]}";

  @TempDir static Path work;
  static Path chains;
  static TrustPolicy policy;
  static Tokens tokens;
  static final StringWriter ACCESS = new StringWriter();
  static ModelServer secured;
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  @BeforeAll
  static void start() throws Exception {
    chains = TestChains.copyTo(work.resolve("chains"));
    policy = TestChains.policy(chains);
    tokens =
        Tokens.of(
            TokenFile.empty()
                .with(new TokenFile.Entry(new Client("ci", Role.INFER), Tokens.digest(INFER_TOKEN)))
                .with(
                    new TokenFile.Entry(
                        new Client("ops", Role.ADMIN), Tokens.digest(ADMIN_TOKEN))));
    secured =
        ModelServer.builder(chains.resolve("a"), policy)
            .port(0)
            .tokens(tokens)
            .accessLog(ACCESS)
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    secured.close();
  }

  private static HttpResponse<String> send(HttpRequest.Builder r)
      throws IOException, InterruptedException {
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static HttpRequest.Builder infer(ModelServer s, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(s.uri().resolve("/v2/models/credit-rf/infer"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(ROW));
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  private static HttpRequest.Builder get(ModelServer s, String path, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(s.uri().resolve(path)).timeout(Duration.ofSeconds(30));
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  private static HttpRequest.Builder load(ModelServer s, String token) {
    String body =
        "{\"parameters\": {\"path\": "
            + new String(Json.write(chains.resolve("b").toString()), StandardCharsets.UTF_8)
            + "}}";
    return HttpRequest.newBuilder(s.uri().resolve("/v2/repository/models/credit-rf/load"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.parse(r.body().getBytes(StandardCharsets.UTF_8), "response");
  }

  private static void assertRefused(HttpResponse<String> r, int status, String reason)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(json(r).get("reason").asText()).isEqualTo(reason);
    assertThat(json(r).get("error").asText()).isNotBlank();
  }

  @Test
  void infer_noToken_is401WithBearerChallenge() throws Exception {
    HttpResponse<String> r = send(infer(secured, null));

    assertRefused(r, 401, "UNAUTHENTICATED");
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"custody\"");
  }

  @Test
  void infer_unknownToken_is401InvalidTokenWithoutEchoingIt() throws Exception {
    String other = Tokens.generate(new SecureRandom());

    HttpResponse<String> r = send(infer(secured, other));

    assertRefused(r, 401, "UNAUTHENTICATED");
    assertThat(r.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"custody\", error=\"invalid_token\"");
    assertThat(r.body()).doesNotContain(other);
  }

  @Test
  void infer_basicAuthorization_is401InvalidRequest() throws Exception {
    HttpRequest.Builder b = infer(secured, null).header("Authorization", "Basic dXNlcjpwYXNz");

    HttpResponse<String> r = send(b);

    assertRefused(r, 401, "UNAUTHENTICATED");
    assertThat(r.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"custody\", error=\"invalid_request\"");
  }

  @Test
  void infer_twoAuthorizationHeaders_is401() throws Exception {
    HttpRequest.Builder b = infer(secured, INFER_TOKEN).header("Authorization", "Bearer x");

    assertRefused(send(b), 401, "UNAUTHENTICATED");
  }

  @Test
  void infer_inferOrAdminToken_is200() throws Exception {
    HttpResponse<String> r = send(infer(secured, INFER_TOKEN));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Custody-Model-Digest")).isPresent();
    assertThat(send(infer(secured, ADMIN_TOKEN)).statusCode()).isEqualTo(200);
  }

  @Test
  void load_inferToken_is403Forbidden() throws Exception {
    HttpResponse<String> r = send(load(secured, INFER_TOKEN));

    assertRefused(r, 403, "FORBIDDEN");
    assertThat(json(r).get("error").asText())
        .isEqualTo("client ci has role infer; expected role admin for this endpoint");
  }

  @Test
  void load_adminToken_passesAuthAndIsJudgedOnTheModel() throws Exception {
    // b is v1, a (in service) v2: the admin may ask, and the rollback is refused on its merits.
    assertRefused(send(load(secured, ADMIN_TOKEN)), 409, "ROLLBACK");
  }

  @Test
  void health_noToken_staysOpenForProbes() throws Exception {
    assertThat(send(get(secured, "/v2/health/live", null)).statusCode()).isEqualTo(200);
    assertThat(send(get(secured, "/v2/health/ready", null)).statusCode()).isEqualTo(200);
  }

  @Test
  void metadataAndMetrics_needAToken() throws Exception {
    for (String path : new String[] {"/v2", "/v2/models/credit-rf", "/metrics"}) {
      assertRefused(send(get(secured, path, null)), 401, "UNAUTHENTICATED");
      assertThat(send(get(secured, path, INFER_TOKEN)).statusCode()).as(path).isEqualTo(200);
    }
  }

  @Test
  void docs_openApi_documentsTheBearerScheme() throws Exception {
    JsonNode doc = json(send(get(secured, "/v2/docs/dataplane.json", INFER_TOKEN)));

    assertThat(doc.at("/components/securitySchemes/bearer/scheme").asText()).isEqualTo("bearer");
    assertThat(doc.at("/components/responses/Error/description").asText())
        .contains("401 UNAUTHENTICATED")
        .contains("403 FORBIDDEN")
        .contains("429 RATE_LIMITED");
  }

  @Test
  void metrics_afterRefusals_countsThemByReason() throws Exception {
    send(infer(secured, null));
    send(load(secured, INFER_TOKEN));

    String metrics = send(get(secured, "/metrics", ADMIN_TOKEN)).body();

    assertThat(metrics)
        .containsPattern("custody_rejections_total\\{reason=\"UNAUTHENTICATED\"} [1-9]")
        .containsPattern("custody_rejections_total\\{reason=\"FORBIDDEN\"} [1-9]");
  }

  @Test
  void accessLog_authenticatedRequests_nameTheClientNeverTheToken() throws Exception {
    send(infer(secured, INFER_TOKEN));
    send(infer(secured, "cust_notavalidtokenatall"));

    String log = AccessLogTest.awaitLine(ACCESS, "\"clientId\":\"ci\"");
    assertThat(log).contains("\"clientId\":\"ci\"");
    assertThat(log).doesNotContain(INFER_TOKEN).doesNotContain(ADMIN_TOKEN);
    assertThat(log).doesNotContain("cust_notavalidtokenatall").doesNotContain("Bearer");
  }

  @Test
  void rateLimit_perClient_refusesBeyondBurstWithRetryAfter() throws Exception {
    // One request per 1000 s: nothing refills while the test runs.
    try (ModelServer s =
        ModelServer.builder(chains.resolve("a"), policy)
            .port(0)
            .tokens(tokens)
            .rateLimit(0.001, 2)
            .build()
            .start()) {
      assertThat(send(infer(s, INFER_TOKEN)).statusCode()).isEqualTo(200);
      assertThat(send(infer(s, INFER_TOKEN)).statusCode()).isEqualTo(200);

      HttpResponse<String> r = send(infer(s, INFER_TOKEN));

      assertRefused(r, 429, "RATE_LIMITED");
      assertThat(Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow()))
          .isBetween(1L, 1000L);
      assertThat(send(infer(s, ADMIN_TOKEN)).statusCode())
          .as("another client has its own bucket")
          .isEqualTo(200);
      assertThat(send(get(s, "/v2/health/ready", null)).statusCode())
          .as("probes are never limited")
          .isEqualTo(200);
      assertRefused(send(infer(s, null)), 401, "UNAUTHENTICATED");
    }
  }

  @Test
  void rateLimit_withoutTokens_limitsPerAddress() throws Exception {
    try (ModelServer s =
        ModelServer.builder(chains.resolve("a"), policy)
            .port(0)
            .rateLimit(0.001, 1)
            .build()
            .start()) {
      assertThat(send(infer(s, null)).statusCode()).isEqualTo(200);

      HttpResponse<String> r = send(infer(s, null));

      assertRefused(r, 429, "RATE_LIMITED");
      assertThat(r.headers().firstValue("Retry-After")).isPresent();
    }
  }

  private static TlsConfig.Builder tls(TestPki pki) throws Exception {
    return TlsConfig.builder(
            pki.serverKeystore(work.resolve("server-" + System.nanoTime() + ".p12")))
        .passwordEnv("KS")
        .environment(Map.of("KS", TestPki.PASSWORD));
  }

  private static HttpResponse<String> getTls(ModelServer s, SSLContext client, String token)
      throws IOException, InterruptedException {
    HttpClient c =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(client)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    return c.send(
        get(s, "/v2/models/credit-rf", token).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void tls_clientTrustingTheCa_getsHttpsAnswers() throws Exception {
    TestPki pki = TestPki.create();
    try (ModelServer s =
        ModelServer.builder(chains.resolve("a"), policy)
            .port(0)
            .tokens(tokens)
            .tls(tls(pki).build())
            .build()
            .start()) {
      assertThat(s.uri().getScheme()).isEqualTo("https");

      HttpResponse<String> r = getTls(s, pki.clientContext(false), INFER_TOKEN);

      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.3");
      assertThat(getTls(s, pki.clientContext(false), null).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void tls_plainHttpToTheTlsPort_getsNoAnswer() throws Exception {
    TestPki pki = TestPki.create();
    try (ModelServer s =
        ModelServer.builder(chains.resolve("a"), policy)
            .port(0)
            .tls(tls(pki).build())
            .build()
            .start()) {
      URI plain = URI.create("http://127.0.0.1:" + s.port() + "/v2/health/live");

      assertThatThrownBy(
              () ->
                  HTTP.send(
                      HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(10)).build(),
                      HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void tls_needClientAuth_refusesClientWithoutCertificateAcceptsOneSignedByTheCa()
      throws Exception {
    TestPki pki = TestPki.create();
    TlsConfig config =
        tls(pki)
            .clientAuth(TlsConfig.ClientAuth.NEED)
            .clientCa(pki.caPem(work.resolve("ca-" + System.nanoTime() + ".pem")))
            .build();
    try (ModelServer s =
        ModelServer.builder(chains.resolve("a"), policy).port(0).tls(config).build().start()) {
      assertThatThrownBy(() -> getTls(s, pki.clientContext(false), null))
          .isInstanceOf(IOException.class);

      HttpResponse<String> r = getTls(s, pki.clientContext(true), null);

      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
  }

  @Test
  void tls_clientOfferingOnlyTls12CbcSuites_isRefused() throws Exception {
    TestPki pki = TestPki.create();
    try (ModelServer s =
        ModelServer.builder(chains.resolve("a"), policy)
            .port(0)
            .tls(tls(pki).build())
            .build()
            .start()) {
      javax.net.ssl.SSLParameters cbc = new javax.net.ssl.SSLParameters();
      cbc.setProtocols(new String[] {"TLSv1.2"});
      cbc.setCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"});
      HttpClient c =
          HttpClient.newBuilder().sslContext(pki.clientContext(false)).sslParameters(cbc).build();

      assertThatThrownBy(
              () ->
                  c.send(
                      get(s, "/v2/health/live", null).build(),
                      HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
    }
  }
}
