package dev.custody.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a private key's passphrase comes from: an environment variable or a file, never the command
 * line (where it would show in process listings and shell history).
 */
final class Passphrase {
  @Option(
      names = "--passphrase-env",
      paramLabel = "VAR",
      description = "Read the key passphrase from this environment variable.")
  String env;

  @Option(
      names = "--passphrase-file",
      paramLabel = "FILE",
      description = "Read the key passphrase from the first line of this file.")
  Path file;

  /** The passphrase, or {@code null} when none was asked for. */
  char[] read() throws IOException {
    if (env != null && file != null) {
      throw new IllegalArgumentException("give --passphrase-env or --passphrase-file, not both");
    }
    if (env != null) {
      String v = System.getenv(env);
      if (v == null || v.isEmpty()) {
        throw new IllegalArgumentException("environment variable " + env + " is not set");
      }
      return v.toCharArray();
    }
    if (file != null) {
      String first =
          Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("");
      if (first.isEmpty()) {
        throw new IllegalArgumentException(file + ": the passphrase file is empty");
      }
      return first.toCharArray();
    }
    return null;
  }
}
