package dev.custody.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The one JSON document a verb prints on stdout with {@code --json}: {@code ok} and {@code command}
 * first, then the verb's own fields (success) or {@code reason}, {@code message} and {@code exit}
 * (failure, see {@link Errors}). Always flushed: a script reading stdout never sees nothing.
 */
final class JsonReport {
  private JsonReport() {}

  /** A new report for {@code spec}'s command: {@code {"ok": ok, "command": "custody VERB"}}. */
  static ObjectNode of(CommandSpec spec, boolean ok) {
    return of(spec.qualifiedName(), ok);
  }

  static ObjectNode of(String command, boolean ok) {
    ObjectNode report = JsonNodeFactory.instance.objectNode();
    report.put("ok", ok);
    report.put("command", command);
    return report;
  }

  /** Prints a success report of {@code spec}'s command with {@code fields} after ok and command. */
  static void success(CommandSpec spec, ObjectNode fields) {
    ObjectNode report = of(spec, true);
    report.setAll(fields);
    print(spec.commandLine().getOut(), report);
  }

  /** Prints {@code report} pretty, ending with a newline, and flushes. */
  static void print(PrintWriter out, ObjectNode report) {
    out.println(new String(Json.writePretty(report), StandardCharsets.UTF_8));
    out.flush();
  }
}
