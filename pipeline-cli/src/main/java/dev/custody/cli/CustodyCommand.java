package dev.custody.cli;

import dev.custody.train.fit.Trainers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code custody}: a chain of custody for ML models. */
@Command(
    name = "custody",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "A chain of custody for ML models.",
      "Ingest, train, sign, verify, reproduce, predict with and serve a model, each step signed."
    },
    subcommands = {
      KeygenCommand.class,
      HashCommand.class,
      SignModelCommand.class,
      VerifyModelCommand.class,
      VerifyCommand.class,
      PolicyCommand.class,
      IngestCommand.class,
      TrainCommand.class,
      RunCommand.class,
      ReproduceCommand.class,
      PredictCommand.class,
      DepsCommand.class,
      DataCommand.class,
      ServeCommand.class,
      TokenCommand.class,
      FeedbackCommand.class,
      InspectCommand.class,
      ReportCommand.class,
      CompletionCommand.class,
      CommandLine.HelpCommand.class
    })
final class CustodyCommand {
  static {
    // Tribuo logs every tree and epoch at INFO; the commands show their own progress instead,
    // also when loading and serving. The library's switch brings it back here too.
    Trainers.quietTribuoLogging();
  }

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
    cl.setParameterExceptionHandler(Errors.parameterErrors(cl.getParameterExceptionHandler()));
    return cl;
  }
}
