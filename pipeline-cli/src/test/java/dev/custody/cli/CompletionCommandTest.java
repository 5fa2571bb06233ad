package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code custody completion}: a bash/zsh script generated from the whole command tree. */
class CompletionCommandTest {
  private static void names(CommandLine cl, List<String> out) {
    cl.getSubcommands()
        .forEach(
            (name, sub) -> {
              out.add(name);
              names(sub, out);
            });
  }

  @Test
  void completion_bash_completesEveryCommandAndSubcommand() {
    Cli r = Cli.run("completion");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("#!/usr/bin/env bash").contains("complete -F _complete_custody");
    List<String> all = new ArrayList<>();
    names(CustodyCommand.commandLine(), all);
    assertThat(all).contains("predict", "completion", "lock", "diff", "new", "export");
    assertThat(all)
        .allSatisfy(
            n ->
                assertThat(r.out())
                    .as(n)
                    .containsPattern("(?m)^\\s*local commands=\".*\\b" + Pattern.quote(n) + "\\b"));
  }

  @Test
  void completion_otherShell_isAUsageErrorNamingTheShells() {
    Cli r = Cli.run("completion", "fish");

    assertThat(r.exit()).isEqualTo(Errors.USAGE);
    assertThat(r.err()).contains("expected bash or zsh, found fish");
  }
}
