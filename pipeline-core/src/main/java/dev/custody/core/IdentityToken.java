package dev.custody.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sigstore.oidc.client.GithubActionsOidcClient;
import dev.sigstore.oidc.client.OidcException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An OIDC identity token for keyless signing, with the signer identity and issuer read from its
 * claims. The claims are read without verifying the token: Fulcio verifies it, and Custody uses
 * them only to show who will sign and to check, after signing, that the certificate names that
 * signer.
 *
 * <p>The token is a secret: this class has no {@code toString}, and no message or exception it
 * makes contains it.
 */
public final class IdentityToken {
  /** The environment variable read first (the name cosign and sigstore-python read). */
  public static final String ENV = "SIGSTORE_ID_TOKEN";

  /** GitHub Actions' token endpoint, set in a job with {@code permissions: id-token: write}. */
  static final String GITHUB_URL = "ACTIONS_ID_TOKEN_REQUEST_URL";

  /** The bearer token for {@link #GITHUB_URL}. */
  static final String GITHUB_BEARER = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";

  /** The issuer of GitHub Actions tokens. */
  public static final String GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

  private static final Pattern JWT =
      Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

  /** Longest token read (GitHub's are about 1.3 KB). */
  private static final int MAX_CHARS = 64 * 1024;

  private final String jwt;
  private final String identity;
  private final String issuer;
  private final String source;

  private IdentityToken(String jwt, String identity, String issuer, String source) {
    this.jwt = jwt;
    this.identity = identity;
    this.issuer = issuer;
    this.source = source;
  }

  /**
   * The token keyless signing uses, from the first source that has one: the {@value #ENV} variable,
   * else GitHub Actions' ambient credentials ({@value #GITHUB_URL} and {@value #GITHUB_BEARER},
   * requested for audience {@code sigstore}). There is no interactive flow.
   *
   * @param env the process environment ({@code System.getenv()})
   * @throws PipelineException {@link Reason#IDENTITY_TOKEN_MISSING} if no source has a token or
   *     GitHub's endpoint gives none, {@link Reason#MALFORMED} if the token is not a JWT with
   *     {@code iss} and {@code sub} claims
   */
  public static IdentityToken fromEnvironment(Map<String, String> env) throws PipelineException {
    String fromEnv = env.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return parse(fromEnv.strip(), ENV);
    }
    String url = env.get(GITHUB_URL);
    String bearer = env.get(GITHUB_BEARER);
    if (url != null && !url.isEmpty() && bearer != null && !bearer.isEmpty()) {
      String source = "GitHub Actions (" + GITHUB_URL + ")";
      String token;
      try {
        token = GithubActionsOidcClient.builder().build().getIDToken(env).getIdToken();
      } catch (OidcException | RuntimeException e) {
        // The cause names the endpoint's answer, never the bearer token, but is dropped all the
        // same: only its kind is shown.
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        throw new PipelineException(
            Reason.IDENTITY_TOKEN_MISSING,
            source
                + ": expected a JSON answer {\"value\": ID token} for audience sigstore, found "
                + describe(cause));
      }
      return parse(token, source);
    }
    throw new PipelineException(
        Reason.IDENTITY_TOKEN_MISSING,
        "keyless signing needs an OIDC identity token: expected "
            + ENV
            + " or GitHub Actions credentials ("
            + GITHUB_URL
            + " and "
            + GITHUB_BEARER
            + ", given to a job with 'permissions: id-token: write'), found neither");
  }

  /** The HTTP status or network error: never the answer's body, which could hold a token. */
  private static String describe(Throwable cause) {
    String m = String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
    if (m.matches("\\d{3}( .*)?")) {
      return "HTTP " + m; // google-http-client's HttpResponseException: the status line
    }
    return cause.getClass().getName().startsWith("java.net.")
        ? cause.getClass().getSimpleName() + ": " + m
        : cause.getClass().getSimpleName();
  }

  /**
   * Reads a token's claims, unverified: {@code iss}, and the identity Fulcio puts in the
   * certificate: for GitHub Actions {@code https://github.com/} + {@code job_workflow_ref}, else
   * {@code email} when present, else {@code sub}.
   *
   * @param source where the token came from, for messages
   * @throws PipelineException {@link Reason#MALFORMED} if it is not a JWT with those claims
   */
  public static IdentityToken parse(String jwt, String source) throws PipelineException {
    Objects.requireNonNull(jwt, "jwt");
    if (jwt.length() > MAX_CHARS || !JWT.matcher(jwt).matches()) {
      throw new PipelineException(
          Reason.MALFORMED,
          source
              + ": expected a JWT (three base64url parts separated by dots) of at most "
              + MAX_CHARS
              + " characters, found "
              + jwt.length()
              + " characters that are not one");
    }
    String payload = jwt.substring(jwt.indexOf('.') + 1, jwt.lastIndexOf('.'));
    JsonNode claims;
    try {
      claims = Json.parse(Base64.getUrlDecoder().decode(payload), source + " JWT claims");
    } catch (IllegalArgumentException e) {
      throw new PipelineException(
          Reason.MALFORMED, source + ": expected base64url JWT claims, found other characters");
    } catch (PipelineException e) {
      // The parser's message may quote the claims, which are part of the secret: not shown.
      throw new PipelineException(
          Reason.MALFORMED, source + ": expected JSON JWT claims, found something else");
    }
    String issuer = claim(claims, "iss", source);
    String identity;
    if (GITHUB_ISSUER.equals(issuer)) {
      identity = "https://github.com/" + claim(claims, "job_workflow_ref", source);
    } else if (claims.path("email").isTextual() && !claims.path("email").textValue().isBlank()) {
      identity = claims.path("email").textValue();
    } else {
      identity = claim(claims, "sub", source);
    }
    return new IdentityToken(jwt, identity, issuer, source);
  }

  private static String claim(JsonNode claims, String name, String source)
      throws PipelineException {
    JsonNode v = claims.get(name);
    if (v == null || !v.isTextual() || v.textValue().isBlank()) {
      throw new PipelineException(
          Reason.MALFORMED,
          source
              + ": expected a JWT with a '"
              + name
              + "' claim, found "
              + (v == null ? "none" : "a " + v.getNodeType().toString().toLowerCase(Locale.ROOT)));
    }
    return v.textValue();
  }

  /** The identity the signing certificate will name (e-mail address or workflow URI). */
  public String identity() {
    return identity;
  }

  /** The token's issuer, which the certificate names as the OIDC issuer. */
  public String issuer() {
    return issuer;
  }

  /** Where the token came from: {@value #ENV} or GitHub Actions. */
  public String source() {
    return source;
  }

  /** The token itself, for Fulcio only. */
  String jwt() {
    return jwt;
  }
}
