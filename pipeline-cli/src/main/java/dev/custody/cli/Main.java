package dev.custody.cli;

import picocli.CommandLine;

/** Entry point of the {@code custody} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(CustodyCommand.commandLine().execute(args));
  }
}
