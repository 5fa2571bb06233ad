package dev.custody.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.NotRegularFileException;
import dev.custody.core.PipelineException;
import dev.custody.core.Printable;
import dev.custody.core.Reason;
import dev.custody.core.UncheckedPipelineException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns failures into one line on stderr and a stable exit code: 0 ok, 1 unexpected, 2 usage
 * (including a missing or existing file named on the command line, or a directory, FIFO or other
 * special file where a file is expected), 3 and up from {@link dev.custody.core.Reason}. The stack
 * trace is printed only with {@code --verbose}. A verb run with {@code --json} also gets the
 * failure as JSON on stdout ({@link #json}), so a script reading stdout never sees nothing.
 *
 * <p>The line on stderr is escaped ({@link Printable#line}): a file name or any other untrusted
 * text in a message cannot forge a line or send a terminal escape. A file that cannot be found
 * because its name is not UTF-8 (Java decodes each such byte to U+FFFD, so the name it looks up is
 * not the file's) is {@link Reason#MALFORMED}, not "no such file".
 */
final class Errors implements IExecutionExceptionHandler {
  static final int UNEXPECTED = 1;
  static final int USAGE = 2;

  /** Longest failure line printed: a message naming every differing file stays bounded. */
  private static final int MAX_LINE = 16_000;

  /** Longest untrusted value (a file name, a model name) shown in a line of human output. */
  private static final int MAX_SHOWN = 1_000;

  /** What Java reads a byte that is not UTF-8 in a file name or argument as. */
  private static final char UNDECODABLE = '\uFFFD';

  private final CustodyCommand root;

  Errors(CustodyCommand root) {
    this.root = root;
  }

  /** Adds a verb's own fields to its JSON failure report (e.g. {@code verify}'s model). */
  interface JsonFailure {
    void describeFailure(ObjectNode report);
  }

  @Override
  public int handleExecutionException(Exception thrown, CommandLine cl, ParseResult parsed) {
    Exception e = unwrap(thrown);
    var err = cl.getErr();
    err.println(Printable.line(cl.getCommandSpec().qualifiedName() + ": " + describe(e), MAX_LINE));
    if (root.verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    int code = exitCode(e);
    if (cl.getParseResult().hasMatchedOption("--json")) {
      ObjectNode report = JsonReport.of(cl.getCommandSpec(), false);
      if (cl.getCommand() instanceof JsonFailure verb) {
        verb.describeFailure(report);
      }
      json(
          cl.getOut(),
          report,
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
            cl.getOut(), JsonReport.of(cl.getCommandSpec(), false), "USAGE", code, ex.getMessage());
      }
      return code;
    };
  }

  /**
   * Prints {@code {ok: false, command, (verb fields), reason, message, exit}}: {@code exit} is the
   * process exit code.
   */
  private static void json(
      PrintWriter out, ObjectNode report, String reason, int code, String message) {
    report.put("reason", reason);
    report.put("message", message);
    report.put("exit", code);
    JsonReport.print(out, report);
  }

  /**
   * An untrusted value (a file name, a model or signer name) as it may appear in a line of human
   * output: escaped and bounded by {@link Printable#line}.
   */
  static String shown(Object value) {
    return Printable.line(String.valueOf(value), MAX_SHOWN);
  }

  /** A file that is missing because its name is not UTF-8: the name Java looked up is not its. */
  private static boolean undecodableName(Throwable e) {
    return e instanceof NoSuchFileException n
        && n.getFile() != null
        && n.getFile().indexOf(UNDECODABLE) >= 0;
  }

  private static String reasonName(Throwable e, int code) {
    if (e instanceof NotRegularFileException) {
      return "USAGE";
    }
    if (e instanceof PipelineException p) {
      return p.reason().name();
    }
    if (undecodableName(e)) {
      return Reason.MALFORMED.name();
    }
    return code == USAGE ? "USAGE" : "UNEXPECTED";
  }

  /** A keyless signer's failure, carried unchecked through the pipeline: the failure itself. */
  private static Exception unwrap(Exception e) {
    return e instanceof UncheckedPipelineException u ? u.getCause() : e;
  }

  static int exitCode(Throwable thrown) {
    Throwable e = thrown instanceof UncheckedPipelineException u ? u.getCause() : thrown;
    if (e instanceof NotRegularFileException) {
      return USAGE; // a directory or FIFO where a file is expected: a wrong argument
    }
    if (e instanceof PipelineException p) {
      return p.reason().exitCode();
    }
    if (undecodableName(e)) {
      return Reason.MALFORMED.exitCode();
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
    if (e instanceof NotRegularFileException) {
      return e.getMessage();
    }
    if (e instanceof PipelineException p) {
      return p.reason() + ": " + p.getMessage();
    }
    if (undecodableName(e)) {
      return Reason.MALFORMED
          + ": "
          + shown(((NoSuchFileException) e).getFile())
          + ": expected a UTF-8 file name, found bytes that are not UTF-8 (shown as \\u{fffd});"
          + " rename the file";
    }
    if (e instanceof NoSuchFileException n) {
      return "no such file: " + shown(n.getFile());
    }
    if (e instanceof FileAlreadyExistsException f) {
      return "refusing to overwrite existing file: " + shown(f.getFile());
    }
    if (e instanceof AccessDeniedException a) {
      return "permission denied: " + shown(a.getFile());
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
