package dev.custody.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns failures into one line on stderr and a stable exit code: 0 ok, 1 unexpected, 2 usage
 * (including a missing or existing file named on the command line), 3 and up from {@link
 * dev.custody.core.Reason}. The stack trace is printed only with {@code --verbose}. A verb run with
 * {@code --json} also gets the failure as JSON on stdout ({@link #json}), so a script reading
 * stdout never sees nothing.
 */
final class Errors implements IExecutionExceptionHandler {
  static final int UNEXPECTED = 1;
  static final int USAGE = 2;

  private final CustodyCommand root;

  Errors(CustodyCommand root) {
    this.root = root;
  }

  /** Adds a verb's own fields to its JSON failure report (e.g. {@code verify}'s model). */
  interface JsonFailure {
    void describeFailure(ObjectNode report);
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
    var err = cl.getErr();
    err.println(cl.getCommandSpec().qualifiedName() + ": " + describe(e));
    if (root.verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    int code = exitCode(e);
    if (cl.getParseResult().hasMatchedOption("--json")) {
      ObjectNode report = JsonNodeFactory.instance.objectNode();
      if (cl.getCommand() instanceof JsonFailure verb) {
        verb.describeFailure(report);
      }
      json(
          cl.getOut(),
          report,
          cl.getCommandSpec().qualifiedName(),
          reasonName(e, code),
          code,
          e instanceof PipelineException ? e.getMessage() : describe(e));
    }
    return code;
  }

  /**
   * A usage error (unknown option, missing parameter) under {@code --json}: picocli's message and
   * usage on stderr as always, and the failure as JSON on stdout.
   */
  static CommandLine.IParameterExceptionHandler parameterErrors(
      CommandLine.IParameterExceptionHandler picocliDefault) {
    return (ex, args) -> {
      int code = picocliDefault.handleParseException(ex, args);
      if (java.util.Arrays.asList(args).contains("--json")) {
        CommandLine cl = ex.getCommandLine();
        json(
            cl.getOut(),
            JsonNodeFactory.instance.objectNode(),
            cl.getCommandSpec().qualifiedName(),
            "USAGE",
            code,
            ex.getMessage());
      }
      return code;
    };
  }

  /** Prints {@code {ok: false, command, reason, exitCode, message}} (after any verb fields). */
  private static void json(
      PrintWriter out, ObjectNode report, String command, String reason, int code, String message) {
    report.put("ok", false);
    report.put("command", command);
    report.put("reason", reason);
    report.put("exitCode", code);
    report.put("message", message);
    out.print(new String(Json.writePretty(report), StandardCharsets.UTF_8));
    out.flush();
  }

  private static String reasonName(Throwable e, int code) {
    if (e instanceof PipelineException p) {
      return p.reason().name();
    }
    return code == USAGE ? "USAGE" : "UNEXPECTED";
  }

  static int exitCode(Throwable e) {
    if (e instanceof PipelineException p) {
      return p.reason().exitCode();
    }
    if (e instanceof NoSuchFileException
        || e instanceof FileAlreadyExistsException
        || e instanceof AccessDeniedException
        || e instanceof IllegalArgumentException
        || e instanceof CommandLine.ParameterException) {
      return USAGE;
    }
    return UNEXPECTED;
  }

  static String describe(Throwable e) {
    if (e instanceof PipelineException p) {
      return p.reason() + ": " + p.getMessage();
    }
    if (e instanceof NoSuchFileException n) {
      return "no such file: " + n.getFile();
    }
    if (e instanceof FileAlreadyExistsException f) {
      return "refusing to overwrite existing file: " + f.getFile();
    }
    if (e instanceof AccessDeniedException a) {
      return "permission denied: " + a.getFile();
    }
    if (e instanceof IOException) {
      return "I/O error: " + e.getMessage();
    }
    if (e instanceof IllegalArgumentException) {
      return e.getMessage();
    }
    return "unexpected error ("
        + e.getClass().getSimpleName()
        + "): "
        + e.getMessage()
        + " (run with --verbose for details)";
  }
}
