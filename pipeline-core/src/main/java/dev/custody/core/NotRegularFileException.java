package dev.custody.core;

/**
 * A path the user named (a command-line argument, or a file a spec or policy names) that is not a
 * regular file: a directory, a FIFO, a socket or a device, refused before it is opened. The message
 * names the path, what was expected and what was found. Its {@link #reason()} is the reason of the
 * file it should have been (a key: {@link Reason#KEY_INVALID}); the CLI reports it as a usage error
 * (exit 2), since the fix is a different argument, not a different file. A special file inside
 * untrusted content (a model directory) is a plain {@link PipelineException} instead.
 */
public final class NotRegularFileException extends PipelineException {
  private static final long serialVersionUID = 1L;

  /** A refusal with {@code reason} and a message naming the path, the expected and found kind. */
  public NotRegularFileException(Reason reason, String message) {
    super(reason, message);
  }
}
