package dev.custody.core;

/** A signature, digest, identity or manifest did not check out. */
public final class VerificationException extends PipelineException {
  private static final long serialVersionUID = 1L;

  public VerificationException(Reason reason, String message) {
    super(reason, message);
  }

  public VerificationException(Reason reason, String message, Throwable cause) {
    super(reason, message, cause);
  }
}
