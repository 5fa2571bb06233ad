package dev.custody.cli;

import dev.custody.train.fit.Trainers;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  /**
   * Verbs that run no Tribuo code (no training, no model deserialized: {@code verify} checks a
   * model's protobuf without loading it), so they skip loading {@link Trainers} and the Tribuo
   * classes its signatures name, only to set a logger's level.
   */
  private static final Set<Class<?>> WITHOUT_TRIBUO =
      Set.of(
          VerifyCommand.class,
          HashCommand.class,
          SignModelCommand.class,
          VerifyModelCommand.class,
          KeygenCommand.class);

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "On failure, print the stack trace as well as the one-line error.")
  boolean verbose;

  /**
   * The verbs by name, in the order {@code custody --help} lists them. Not in the {@code @Command}
   * annotation: picocli would build every verb's model, by reflection, for each command run. The
   * names are written out (each the verb's {@code @Command} name, checked by {@code
   * CustodyCommandTest}) so that finding one verb reads no other verb's annotation: reading them
   * all loaded twenty classes and made annotation proxies on every run.
   */
  private static final Map<String, Class<?>> VERBS = verbs();

  private static Map<String, Class<?>> verbs() {
    Map<String, Class<?>> verbs = new LinkedHashMap<>();
    verbs.put("keygen", KeygenCommand.class);
    verbs.put("hash", HashCommand.class);
    verbs.put("sign-model", SignModelCommand.class);
    verbs.put("verify-model", VerifyModelCommand.class);
    verbs.put("verify", VerifyCommand.class);
    verbs.put("policy", PolicyCommand.class);
    verbs.put("ingest", IngestCommand.class);
    verbs.put("train", TrainCommand.class);
    verbs.put("run", RunCommand.class);
    verbs.put("reproduce", ReproduceCommand.class);
    verbs.put("predict", PredictCommand.class);
    verbs.put("deps", DepsCommand.class);
    verbs.put("data", DataCommand.class);
    verbs.put("serve", ServeCommand.class);
    verbs.put("token", TokenCommand.class);
    verbs.put("feedback", FeedbackCommand.class);
    verbs.put("inspect", InspectCommand.class);
    verbs.put("report", ReportCommand.class);
    verbs.put("completion", CompletionCommand.class);
    verbs.put("help", CommandLine.HelpCommand.class);
    return Collections.unmodifiableMap(verbs);
  }

  /** The verbs' names and classes, in the order {@code custody --help} lists them. */
  static Map<String, Class<?>> verbClasses() {
    return VERBS;
  }

  /** The configured command line with every verb: exit codes from reasons, one-line errors. */
  static CommandLine commandLine() {
    quietTribuoLogging();
    return commandLine(List.copyOf(VERBS.values()));
  }

  /**
   * Tribuo logs every tree and epoch at INFO; the commands show their own progress instead, also
   * when loading and serving. The library's switch brings it back here too.
   */
  private static void quietTribuoLogging() {
    Trainers.quietTribuoLogging();
  }

  /**
   * The command line for {@code args}: with only the verb they name when the first argument is one
   * (what that verb parses, prints and rejects is the same), with no verb for {@code --version} or
   * {@code -V} alone, else with every verb: modelling all twenty cost {@code custody hash} a third
   * of its CPU time (BENCHMARKS.md).
   */
  static CommandLine commandLine(String[] args) {
    if (args.length > 0) {
      Class<?> verb = VERBS.get(args[0]);
      // help and completion describe every verb.
      if (verb != null
          && verb != CommandLine.HelpCommand.class
          && verb != CompletionCommand.class) {
        if (!WITHOUT_TRIBUO.contains(verb)) {
          quietTribuoLogging();
        }
        return commandLine(List.of(verb));
      }
      if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
        return commandLine(List.of());
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
