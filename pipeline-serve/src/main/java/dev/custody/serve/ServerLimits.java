package dev.custody.serve;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds a {@link ModelServer} holds every request to; each is answered with its own status and
 * reason, never an out-of-memory.
 *
 * @param maxBodyBytes the largest request body read, with or without {@code Content-Length}
 *     (default 1 MiB); a larger one is answered 413 {@code BODY_TOO_LARGE}
 * @param maxRows the most rows one inference request may hold (default 1,000); more is answered 413
 *     {@code TOO_MANY_ROWS}
 * @param requestTimeout how long a request may take from its first byte to its answer (default 10
 *     s); a slower one is answered 503 {@code TIMEOUT}
 * @param maxInFlight the most requests handled at once (default 256); one more is answered 503
 *     {@code OVERLOADED} with {@code Retry-After: 1}
 * @param maxBodyBytesInFlight the most request-body bytes held at once by all requests together
 *     (default 8 MiB; never less than one {@code maxBodyBytes}, so that a request alone is always
 *     admitted); a body that would go beyond it is answered 503 {@code OVERLOADED} with {@code
 *     Retry-After: 1}. A parsed body takes several times its size on the heap, so without this
 *     bound 256 requests of 1 MiB could exhaust the server's heap
 */
public record ServerLimits(
    long maxBodyBytes,
    int maxRows,
    Duration requestTimeout,
    int maxInFlight,
    long maxBodyBytesInFlight) {
  /** Validates the limits. */
  public ServerLimits {
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes must be at least 1, got " + maxBodyBytes);
    }
    if (maxRows < 1) {
      throw new IllegalArgumentException("maxRows must be at least 1, got " + maxRows);
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
    }
    if (maxBodyBytesInFlight < 1) {
      throw new IllegalArgumentException(
          "maxBodyBytesInFlight must be at least 1, got " + maxBodyBytesInFlight);
    }
  }

  /** The body-byte budget actually enforced: at least one largest body. */
  long bodyBytesBudget() {
    return Math.max(maxBodyBytesInFlight, maxBodyBytes);
  }

  /** 1 MiB bodies, 1,000 rows, 10 s, 256 requests and 8 MiB of bodies in flight. */
  public static ServerLimits defaults() {
    return new ServerLimits(1L << 20, 1_000, Duration.ofSeconds(10), 256, 8L << 20);
  }

  /** These limits with another body bound. */
  public ServerLimits withMaxBodyBytes(long bytes) {
    return new ServerLimits(bytes, maxRows, requestTimeout, maxInFlight, maxBodyBytesInFlight);
  }

  /** These limits with another row bound. */
  public ServerLimits withMaxRows(int rows) {
    return new ServerLimits(maxBodyBytes, rows, requestTimeout, maxInFlight, maxBodyBytesInFlight);
  }

  /** These limits with another request timeout. */
  public ServerLimits withRequestTimeout(Duration timeout) {
    return new ServerLimits(maxBodyBytes, maxRows, timeout, maxInFlight, maxBodyBytesInFlight);
  }

  /** These limits with another in-flight bound. */
  public ServerLimits withMaxInFlight(int requests) {
    return new ServerLimits(maxBodyBytes, maxRows, requestTimeout, requests, maxBodyBytesInFlight);
  }

  /** These limits with another bound on the request-body bytes held at once. */
  public ServerLimits withMaxBodyBytesInFlight(long bytes) {
    return new ServerLimits(maxBodyBytes, maxRows, requestTimeout, maxInFlight, bytes);
  }
}
