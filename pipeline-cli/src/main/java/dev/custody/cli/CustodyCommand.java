package dev.custody.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code custody}: a chain of custody for ML models. */
@Command(
    name = "custody",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "A chain of custody for ML models: hash, sign and verify models and data.",
    subcommands = {
      KeygenCommand.class,
      HashCommand.class,
      SignModelCommand.class,
      VerifyModelCommand.class,
      VerifyCommand.class,
      DepsCommand.class,
      CommandLine.HelpCommand.class
    })
final class CustodyCommand {
  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "On failure, print the stack trace as well as the one-line error.")
  boolean verbose;

  /** The configured command line: exit codes from reasons, one-line errors. */
  static CommandLine commandLine() {
    CustodyCommand root = new CustodyCommand();
    CommandLine cl = new CommandLine(root);
    cl.setExecutionExceptionHandler(new Errors(root));
    cl.setExitCodeExceptionMapper(Errors::exitCode);
    return cl;
  }
}
