package dev.custody.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custody completion}: the shell completion script, generated from the command tree. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Print the shell completion script for bash or zsh.",
      "The script completes every command, subcommand and option of this custody. Install it"
          + " with 'custody completion > ~/.local/share/bash-completion/completions/custody', or"
          + " add 'source <(custody completion)' to ~/.bashrc; in zsh run 'autoload -U +X"
          + " bashcompinit && bashcompinit' before sourcing it."
    })
final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      arity = "0..1",
      defaultValue = "bash",
      paramLabel = "SHELL",
      description = "bash (default) or zsh (the same script, through bashcompinit).")
  String shell;

  @Option(names = "--json", description = "Print the script inside a JSON document.")
  boolean json;

  @Override
  public Integer call() {
    if (!shell.equals("bash") && !shell.equals("zsh")) {
      throw new IllegalArgumentException(
          "SHELL: expected bash or zsh, found " + Errors.shown(shell));
    }
    String script = AutoComplete.bash("custody", spec.root().commandLine());
    if (json) {
      ObjectNode report = JsonNodeFactory.instance.objectNode();
      report.put("shell", shell);
      report.put("script", script);
      JsonReport.success(spec, report);
    } else {
      spec.commandLine().getOut().print(script);
      spec.commandLine().getOut().flush();
    }
    return 0;
  }
}
