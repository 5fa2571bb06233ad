package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * picocli lists each command with the first element of its description only: that element must be a
 * whole short sentence, so that {@code custody --help} never stops mid-sentence or wraps.
 */
class HelpSummaryTest {
  /** Columns left for a summary in an 80-column command list after the name column. */
  static final int MAX_SUMMARY = 64;

  private static void walk(CommandLine cl, List<CommandLine> out) {
    out.add(cl);
    for (var e : cl.getSubcommands().entrySet()) {
      if (e.getKey().equals(e.getValue().getCommandName())) { // aliases once
        walk(e.getValue(), out);
      }
    }
  }

  @Test
  void everyCommand_summaryLine_isOneShortSentence() {
    List<CommandLine> all = new ArrayList<>();
    walk(CustodyCommand.commandLine(), all);

    assertThat(all).hasSizeGreaterThan(15);
    assertThat(all)
        .allSatisfy(
            cl -> {
              // picocli lists a command's header if it has one (its help command does).
              var usage = cl.getCommandSpec().usageMessage();
              String[] d = usage.header().length > 0 ? usage.header() : usage.description();
              String name = cl.getCommandSpec().qualifiedName();
              assertThat(d).as(name).isNotEmpty();
              assertThat(d[0])
                  .as(name)
                  .endsWith(".")
                  .doesNotContain("\n")
                  .hasSizeLessThanOrEqualTo(MAX_SUMMARY);
            });
  }

  @Test
  void rootHelp_listsEveryCommandOnOneLineEndingWithAFullStop() {
    Cli r = Cli.run("--help");

    assertThat(r.exit()).isZero();
    String commands = r.out().substring(r.out().indexOf("Commands:"));
    assertThat(commands.lines().skip(1).toList())
        .hasSizeGreaterThan(15)
        .allSatisfy(
            l -> assertThat(l).matches("  [a-z-]+ +[A-Z].*\\.").hasSizeLessThanOrEqualTo(80));
  }
}
