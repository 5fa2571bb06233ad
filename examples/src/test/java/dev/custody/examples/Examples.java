package dev.custody.examples;

import java.nio.file.Path;

/** The checkout the tests run in (system property {@code custody.root}, set by the build). */
final class Examples {
  private Examples() {}

  static Path root() {
    return Path.of(System.getProperty("custody.root", "..")).toAbsolutePath().normalize();
  }
}
