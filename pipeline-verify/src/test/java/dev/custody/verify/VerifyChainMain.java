package dev.custody.verify;

import dev.custody.core.VerificationException;
import java.nio.file.Path;

/**
 * The child of the resource-bound tests (run through {@code ForkedJvm} under {@code -Xmx256m}):
 * verifies one chain directory against the golden chains' policy and prints {@code VERIFIED} or
 * {@code REFUSED <Reason>: <message>} on standard output. Anything else (an unexpected exception,
 * an {@link Error}) ends the JVM with its stack trace and a non-zero exit code, as the JVM does.
 */
public final class VerifyChainMain {
  private VerifyChainMain() {}

  /**
   * Verifies {@code args[0]}.
   *
   * @throws Exception anything but a {@link VerificationException}, so the parent sees it
   */
  public static void main(String[] args) throws Exception {
    try {
      GoldenChains.verifier().verify(Path.of(args[0]));
      System.out.println("VERIFIED");
    } catch (VerificationException e) {
      System.out.println("REFUSED " + e.reason() + ": " + e.getMessage());
    }
  }
}
