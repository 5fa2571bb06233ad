package dev.custody.serve;

import dev.custody.core.Reason;
import dev.custody.serve.security.Authentication;
import dev.custody.serve.security.Client;
import dev.custody.serve.security.RateLimit;
import dev.custody.serve.security.RateLimiter;
import dev.custody.serve.security.Role;
import dev.custody.serve.security.Tokens;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;

/**
 * Authentication and rate limits, run on every request once it is classified ({@link
 * RequestFilter}), before its body is read.
 *
 * <p>With tokens: health ({@code /v2/health/*}) stays open for probes; metadata ({@code /v2}, model
 * metadata and readiness, the OpenAPI document) and inference need a token of role {@code infer} or
 * {@code admin}; the admin endpoint needs role {@code admin}; {@code /metrics} needs a token of
 * either role unless metrics were opened (Prometheus sends bearer tokens). No token, a malformed
 * header or an unknown token: 401 {@link Reason#UNAUTHENTICATED} with {@code WWW-Authenticate:
 * Bearer realm="custody"}; a token of the wrong role: 403 {@link Reason#FORBIDDEN}.
 *
 * <p>With a rate limit: metadata, inference and admin requests take one from a token bucket, per
 * client when there are tokens (a client's own rate in the token file overrides the server's), per
 * address otherwise (IPv6 per /64; the address is the TCP peer's: behind a proxy all clients share
 * one); beyond it: 429 {@link Reason#RATE_LIMITED} with {@code Retry-After}. Health and metrics are
 * never limited, so probes and scrapes are not starved; a request refused 401 or 403 takes nothing
 * from any bucket.
 */
final class AccessControl implements RequestFilter {
  /** The authenticated client of a request, for the access log. */
  static final AttachmentKey<Client> CLIENT = AttachmentKey.create(Client.class);

  private static final String CHALLENGE = "Bearer realm=\"custody\"";

  private final Tokens tokens;
  private final RateLimit defaultLimit;
  private final RateLimiter limiter;
  private final boolean openMetrics;

  /**
   * Access control.
   *
   * @param tokens the tokens, or null for none (every endpoint open)
   * @param defaultLimit the rate limit of a client (or address) without its own, or null for none
   * @param openMetrics whether {@code /metrics} is served without a token
   */
  AccessControl(Tokens tokens, RateLimit defaultLimit, boolean openMetrics) {
    this.tokens = tokens;
    this.defaultLimit = defaultLimit;
    // The limiter's own default is never used: each acquire names the limit that applies.
    this.limiter =
        RateLimiter.of(
            defaultLimit != null ? defaultLimit : new RateLimit(RateLimit.MAX, RateLimit.MAX));
    this.openMetrics = openMetrics;
  }

  @Override
  public Optional<Rejection> check(HttpServerExchange ex, EndpointKind kind) {
    if (kind == EndpointKind.HEALTH) {
      return Optional.empty();
    }
    Client client = null;
    if (tokens != null && !(kind == EndpointKind.METRICS && openMetrics)) {
      HeaderValues values = ex.getRequestHeaders().get(Headers.AUTHORIZATION);
      Authentication a =
          values != null && values.size() > 1
              ? new Authentication.Rejected(Authentication.Failure.MALFORMED)
              : tokens.authenticate(values == null ? null : values.getFirst());
      if (a instanceof Authentication.Rejected r) {
        return Optional.of(unauthenticated(r));
      }
      client = ((Authentication.Authenticated) a).client();
      ex.putAttachment(CLIENT, client);
      Role required = kind == EndpointKind.ADMIN ? Role.ADMIN : Role.INFER;
      if (!client.role().allows(required)) {
        return Optional.of(
            new Rejection(
                Reason.FORBIDDEN.httpStatus(),
                Reason.FORBIDDEN.name(),
                "client "
                    + client.id()
                    + " has role "
                    + client.role().word()
                    + "; expected role "
                    + required.word()
                    + " for this endpoint",
                Map.of(
                    Headers.WWW_AUTHENTICATE_STRING,
                    CHALLENGE + ", error=\"insufficient_scope\"")));
      }
    }
    if (kind == EndpointKind.METRICS) {
      return Optional.empty();
    }
    RateLimit limit = client != null ? client.rate().orElse(defaultLimit) : defaultLimit;
    if (limit == null) {
      return Optional.empty();
    }
    RateLimiter.Decision d =
        limiter.acquire(client != null ? "client:" + client.id() : "address:" + address(ex), limit);
    if (d.allowed()) {
      return Optional.empty();
    }
    return Optional.of(
        new Rejection(
            Reason.RATE_LIMITED.httpStatus(),
            Reason.RATE_LIMITED.name(),
            "expected at most "
                + limit.perSecond()
                + " requests per second (bursts of "
                + limit.burst()
                + "); retry in "
                + d.retryAfterSeconds()
                + " s",
            Map.of(Headers.RETRY_AFTER_STRING, Long.toString(d.retryAfterSeconds()))));
  }

  private static Rejection unauthenticated(Authentication.Rejected r) {
    String challenge =
        switch (r.failure()) {
          case MISSING -> CHALLENGE;
          case MALFORMED -> CHALLENGE + ", error=\"invalid_request\"";
          case UNKNOWN -> CHALLENGE + ", error=\"invalid_token\"";
        };
    return new Rejection(
        r.reason().httpStatus(),
        r.reason().name(),
        r.message(),
        Map.of(Headers.WWW_AUTHENTICATE_STRING, challenge));
  }

  private static String address(HttpServerExchange ex) {
    InetSocketAddress peer = ex.getSourceAddress();
    return peer == null || peer.getAddress() == null
        ? "unknown"
        : RateLimiter.addressKey(peer.getAddress());
  }
}
