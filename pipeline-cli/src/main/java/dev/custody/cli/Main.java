package dev.custody.cli;

import dev.custody.verify.DeserializationFilter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Entry point of the {@code custody} command. */
public final class Main {
  private Main() {}

  /**
   * Starts early hashing, installs the deserialization filter, then runs the command and exits with
   * its code.
   */
  public static void main(String[] args) {
    // First, so that the filter's and the parser's start-up (about 0.1 s) overlap the hashing;
    // hashing deserializes nothing.
    EarlyStart.hashing(args);
    try {
      DeserializationFilter.install();
    } catch (IllegalStateException e) {
      System.err.println("custody: " + e.getMessage());
      System.exit(1);
    }
    CommandLine cl = CustodyCommand.commandLine(args);
    // One writer for every subcommand, flushed before exit: PrintWriter's autoflush covers
    // println but not print, and a verb's --json output ends with print.
    PrintWriter out =
        new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    cl.setOut(out);
    int code = cl.execute(args);
    out.flush();
    cl.getErr().flush();
    System.exit(code);
  }
}
