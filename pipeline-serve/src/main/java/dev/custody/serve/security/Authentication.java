package dev.custody.serve.security;

import dev.custody.core.Reason;

/**
 * The outcome of checking a request's {@code Authorization} header: a known client, or why not.
 * Neither outcome holds the token.
 */
public sealed interface Authentication {
  /**
   * The token is one the token file holds.
   *
   * @param client whose token it is
   */
  record Authenticated(Client client) implements Authentication {}

  /**
   * The request is refused.
   *
   * @param failure why
   */
  record Rejected(Failure failure) implements Authentication {
    /** The reason to answer with: always {@link Reason#UNAUTHENTICATED}. */
    public Reason reason() {
      return Reason.UNAUTHENTICATED;
    }

    /** A message for the client; it never echoes the header. */
    public String message() {
      return failure.message;
    }
  }

  /** Why a request is not authenticated. */
  enum Failure {
    /** No {@code Authorization} header (or an empty one). */
    MISSING("missing bearer token: expected an Authorization: Bearer <token> header"),
    /** A header that is not {@code Bearer <token>}, or more than one header. */
    MALFORMED("malformed Authorization header: expected one header of the form Bearer <token>"),
    /** A well-formed token that the token file does not hold. */
    UNKNOWN("unknown bearer token");

    private final String message;

    Failure(String message) {
      this.message = message;
    }
  }
}
