package dev.custody.serve;

import java.util.Map;
import java.util.Objects;

/**
 * A refused request: its HTTP status and the body {@code {"error": message, "reason": reason}}.
 *
 * @param status the HTTP status (4xx or 5xx)
 * @param reason the stable reason code, e.g. {@code INVALID_INPUT}
 * @param message what was expected and what was found; never a secret, never a stack trace
 * @param headers extra response headers ({@code Retry-After}, {@code Allow}, ...)
 */
public record Rejection(int status, String reason, String message, Map<String, String> headers) {
  /** Validates and copies. */
  public Rejection {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be 4xx or 5xx, got " + status);
    }
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
    headers = Map.copyOf(headers);
  }

  /** A rejection without extra headers. */
  public static Rejection of(int status, String reason, String message) {
    return new Rejection(status, reason, message, Map.of());
  }
}
