package dev.custody.core;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates ../shared (real data and other implementations' fixtures), read in place, never copied.
 */
public final class Shared {
  private Shared() {}

  /** The shared folder beside the checkout. */
  public static Path root() {
    String p = System.getProperty("custody.shared");
    Path root = p != null ? Path.of(p) : Path.of("..", "shared");
    return root.toAbsolutePath().normalize();
  }

  /** A path under ../shared; the calling test is skipped, saying why, when it is absent. */
  public static Path require(String relative) {
    Path p = root().resolve(relative);
    assumeTrue(
        Files.exists(p), "skipped: " + p + " is absent (../shared is not beside this checkout)");
    return p;
  }
}
