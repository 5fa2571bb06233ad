package dev.custody.cli;

import dev.custody.verify.DeserializationFilter;

/** Entry point of the {@code custody} command. */
public final class Main {
  private Main() {}

  /** Installs the deserialization filter, then runs the command and exits with its code. */
  public static void main(String[] args) {
    try {
      DeserializationFilter.install();
    } catch (IllegalStateException e) {
      System.err.println("custody: " + e.getMessage());
      System.exit(1);
    }
    System.exit(CustodyCommand.commandLine().execute(args));
  }
}
