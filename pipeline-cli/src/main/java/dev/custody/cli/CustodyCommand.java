package dev.custody.cli;

import dev.custody.train.fit.Trainers;
import java.util.List;
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

  /**
   * The verbs, in the order {@code custody --help} lists them. Not in the {@code @Command}
   * annotation: picocli would build every verb's model, by reflection, for each command run.
   */
  private static final List<Class<?>> VERBS =
      List.of(
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
          CommandLine.HelpCommand.class);

  /** The configured command line with every verb: exit codes from reasons, one-line errors. */
  static CommandLine commandLine() {
    return commandLine(VERBS);
  }

  /**
   * The command line for {@code args}: with only the verb they name when the first argument is one
   * (what that verb parses, prints and rejects is the same), else with every verb: modelling all
   * twenty cost {@code custody hash} a third of its CPU time (BENCHMARKS.md).
   */
  static CommandLine commandLine(String[] args) {
    if (args.length > 0) {
      for (Class<?> verb : VERBS) {
        Command c = verb.getAnnotation(Command.class);
        // help and completion describe every verb.
        if (verb != CommandLine.HelpCommand.class
            && verb != CompletionCommand.class
            && (c.name().equals(args[0]) || List.of(c.aliases()).contains(args[0]))) {
          return commandLine(List.of(verb));
        }
      }
    }
    return commandLine();
  }

  private static CommandLine commandLine(List<Class<?>> verbs) {
    CustodyCommand root = new CustodyCommand();
    CommandLine cl = new CommandLine(root);
    verbs.forEach(cl::addSubcommand);
    cl.setExecutionExceptionHandler(new Errors(root));
    cl.setExitCodeExceptionMapper(Errors::exitCode);
    cl.setParameterExceptionHandler(Errors.parameterErrors(cl.getParameterExceptionHandler()));
    return cl;
  }
}
