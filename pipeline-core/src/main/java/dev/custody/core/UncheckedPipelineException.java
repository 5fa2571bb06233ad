package dev.custody.core;

/**
 * A {@link PipelineException} carried through an interface that declares none, as {@link
 * java.io.UncheckedIOException} carries an {@code IOException}: a keyless {@link BundleSigner}
 * whose Sigstore instance refuses to sign. Callers that report failures unwrap {@link #getCause()}.
 */
public final class UncheckedPipelineException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Wraps {@code cause}. */
  public UncheckedPipelineException(PipelineException cause) {
    super(cause.getMessage(), cause);
  }

  /** The wrapped failure, with its reason. */
  @Override
  public synchronized PipelineException getCause() {
    return (PipelineException) super.getCause();
  }
}
