package dev.custody.cli;

import dev.custody.core.PipelineException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns failures into one line on stderr and a stable exit code: 0 ok, 1 unexpected, 2 usage
 * (including a missing or existing file named on the command line), 3 and up from {@link
 * dev.custody.core.Reason}. The stack trace is printed only with {@code --verbose}.
 */
final class Errors implements IExecutionExceptionHandler {
  static final int UNEXPECTED = 1;
  static final int USAGE = 2;

  private final CustodyCommand root;

  Errors(CustodyCommand root) {
    this.root = root;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
    var err = cl.getErr();
    err.println(cl.getCommandSpec().qualifiedName() + ": " + describe(e));
    if (root.verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return exitCode(e);
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
