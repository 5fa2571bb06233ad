package dev.custody.core;

import java.util.Objects;

/**
 * A checked failure on untrusted input — parsing, verifying or signing — with a stable {@link
 * Reason}. Messages say what was expected and what was found, and never contain key material.
 */
public class PipelineException extends Exception {
  private static final long serialVersionUID = 1L;

  private final Reason reason;

  public PipelineException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public PipelineException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** The stable reason code. */
  public Reason reason() {
    return reason;
  }
}
