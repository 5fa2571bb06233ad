package dev.custody.serve;

/** A request the server refuses, carried up to the one place that answers it. */
final class ApiException extends Exception {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // never serialized: answered within the request
  private final Rejection rejection;

  ApiException(Rejection rejection) {
    super(rejection.message(), null, false, false);
    this.rejection = rejection;
  }

  ApiException(int status, String reason, String message) {
    this(Rejection.of(status, reason, message));
  }

  Rejection rejection() {
    return rejection;
  }
}
