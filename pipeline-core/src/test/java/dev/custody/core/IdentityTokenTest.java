package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where keyless signing's OIDC token comes from: {@code SIGSTORE_ID_TOKEN}, else GitHub Actions'
 * token endpoint (a real HTTP server on the loopback interface answering as GitHub does), else a
 * clear refusal; and what its unverified claims say about the signer. No message holds a token.
 */
class IdentityTokenTest {
  static final String WORKFLOW =
      "https://github.com/acme/models/.github/workflows/train.yml@refs/heads/main";

  private HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** GitHub's endpoint: the bearer token checked, {@code {"count":…,"value":jwt}} answered. */
  private String github(String bearer, int status, String body) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          requests.add(
              ex.getRequestURI() + " auth=" + ex.getRequestHeaders().getFirst("Authorization"));
          boolean authorized =
              ("Bearer " + bearer).equals(ex.getRequestHeaders().getFirst("Authorization"));
          byte[] out =
              (authorized ? body : "{\"message\":\"Bad credentials\"}")
                  .getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
          ex.sendResponseHeaders(authorized ? status : 401, out.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(out);
          }
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/_apis/token?api-version=2.0";
  }

  @Test
  void fromEnvironment_sigstoreIdTokenSet_readsEmailIdentity() throws Exception {
    String jwt =
        Jwts.signed(
            Map.of(
                "iss", "https://oauth2.sigstore.dev/auth",
                "sub", "CgUxMjM0NRIm",
                "email", "alice@example.com",
                "email_verified", true));

    IdentityToken t = IdentityToken.fromEnvironment(Map.of("SIGSTORE_ID_TOKEN", jwt));

    assertThat(t.identity()).isEqualTo("alice@example.com");
    assertThat(t.issuer()).isEqualTo("https://oauth2.sigstore.dev/auth");
    assertThat(t.source()).isEqualTo("SIGSTORE_ID_TOKEN");
    assertThat(t.jwt()).isEqualTo(jwt);
  }

  @Test
  void fromEnvironment_githubTokenInEnv_identityIsTheWorkflowUri() throws Exception {
    String jwt = Jwts.signed(Jwts.github("acme/models", "train.yml"));

    IdentityToken t = IdentityToken.fromEnvironment(Map.of("SIGSTORE_ID_TOKEN", jwt));

    assertThat(t.identity()).isEqualTo(WORKFLOW);
    assertThat(t.issuer()).isEqualTo("https://token.actions.githubusercontent.com");
  }

  @Test
  void fromEnvironment_githubActionsCredentials_requestsTokenForAudienceSigstore()
      throws Exception {
    String jwt = Jwts.signed(Jwts.github("acme/models", "train.yml"));
    String url = github("request-secret", 200, "{\"count\":1,\"value\":\"" + jwt + "\"}");

    IdentityToken t =
        IdentityToken.fromEnvironment(
            Map.of(
                "GITHUB_ACTIONS", "true",
                "ACTIONS_ID_TOKEN_REQUEST_URL", url,
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-secret"));

    assertThat(t.identity()).isEqualTo(WORKFLOW);
    assertThat(t.jwt()).isEqualTo(jwt);
    assertThat(t.source()).contains("GitHub Actions");
    assertThat(requests)
        .singleElement()
        .asString()
        .contains("api-version=2.0")
        .contains("audience=sigstore")
        .endsWith("auth=Bearer request-secret");
  }

  @Test
  void fromEnvironment_sigstoreIdTokenAndGithub_preferTheVariableAndAskNothing() throws Exception {
    String jwt =
        Jwts.signed(
            Map.of("iss", "https://accounts.google.com", "sub", "1", "email", "bob@example.com"));
    String url = github("request-secret", 200, "{\"value\":\"x\"}");

    IdentityToken t =
        IdentityToken.fromEnvironment(
            Map.of(
                "SIGSTORE_ID_TOKEN", jwt,
                "ACTIONS_ID_TOKEN_REQUEST_URL", url,
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-secret"));

    assertThat(t.identity()).isEqualTo("bob@example.com");
    assertThat(requests).isEmpty();
  }

  @Test
  void fromEnvironment_githubRefusesTheBearer_throwsTokenMissingWithoutSecrets() throws Exception {
    String url = github("the-right-one", 200, "{\"value\":\"unused\"}");

    PipelineException e =
        assertThrows(
            PipelineException.class,
            () ->
                IdentityToken.fromEnvironment(
                    Map.of(
                        "ACTIONS_ID_TOKEN_REQUEST_URL",
                        url,
                        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                        "wrong-secret")));

    assertThat(e.reason()).isEqualTo(Reason.IDENTITY_TOKEN_MISSING);
    assertThat(e.getMessage()).contains("GitHub Actions").contains("HTTP 401");
    assertThat(e.getMessage()).doesNotContain("wrong-secret").doesNotContain("the-right-one");
    assertThat(e.getCause()).isNull();
  }

  @Test
  void fromEnvironment_githubAnswersAValueThatIsNotAJwt_throwsTokenMissingWithoutTheValue()
      throws Exception {
    String url = github("s", 200, "{\"count\":1,\"value\":\"not-a-jwt-but-secret\"}");

    PipelineException e =
        assertThrows(
            PipelineException.class,
            () ->
                IdentityToken.fromEnvironment(
                    Map.of(
                        "ACTIONS_ID_TOKEN_REQUEST_URL",
                        url,
                        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                        "s")));

    assertThat(e.reason()).isEqualTo(Reason.IDENTITY_TOKEN_MISSING);
    assertThat(e.getMessage()).doesNotContain("not-a-jwt-but-secret");
  }

  @Test
  void fromEnvironment_noSource_throwsTokenMissingNamingEverySource() {
    PipelineException e =
        assertThrows(
            PipelineException.class,
            () -> IdentityToken.fromEnvironment(Map.of("GITHUB_ACTIONS", "true")));

    assertThat(e.reason()).isEqualTo(Reason.IDENTITY_TOKEN_MISSING);
    assertThat(Reason.IDENTITY_TOKEN_MISSING.exitCode()).isEqualTo(60);
    assertThat(e.getMessage())
        .contains("SIGSTORE_ID_TOKEN")
        .contains("ACTIONS_ID_TOKEN_REQUEST_URL")
        .contains("id-token: write");
  }

  @Test
  void parse_notAJwt_throwsMalformedWithoutTheText() {
    PipelineException e =
        assertThrows(
            PipelineException.class,
            () -> IdentityToken.parse("hunter2 secret value", "SIGSTORE_ID_TOKEN"));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).contains("expected a JWT").doesNotContain("hunter2");
  }

  @Test
  void parse_claimsNotJson_throwsMalformedWithoutTheClaims() {
    String notJson =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("secret-claims".getBytes(StandardCharsets.UTF_8));

    PipelineException e =
        assertThrows(
            PipelineException.class, () -> IdentityToken.parse("e30." + notJson + ".c2ln", "T"));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).contains("expected JSON JWT claims").doesNotContain("secret-claims");
  }

  @Test
  void parse_githubTokenWithoutWorkflowRef_throwsMalformedNamingTheClaim() throws Exception {
    String jwt =
        Jwts.signed(
            Map.of("iss", "https://token.actions.githubusercontent.com", "sub", "repo:a/b"));

    PipelineException e =
        assertThrows(PipelineException.class, () -> IdentityToken.parse(jwt, "SIGSTORE_ID_TOKEN"));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).contains("'job_workflow_ref' claim, found none");
  }

  @Test
  void parse_noIssuer_throwsMalformed() throws Exception {
    String jwt = Jwts.signed(Map.of("sub", "x", "email", "a@b.c"));

    PipelineException e =
        assertThrows(PipelineException.class, () -> IdentityToken.parse(jwt, "SIGSTORE_ID_TOKEN"));

    assertThat(e.getMessage()).contains("'iss' claim, found none");
  }
}
