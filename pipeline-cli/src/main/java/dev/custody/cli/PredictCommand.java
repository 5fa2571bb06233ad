package dev.custody.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.opencsv.CSVReader;
import com.opencsv.CSVReaderBuilder;
import com.opencsv.RFC4180ParserBuilder;
import com.opencsv.exceptions.CsvException;
import dev.custody.core.InputFiles;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.ClasspathLock;
import dev.custody.verify.InvalidInputException;
import dev.custody.verify.Prediction;
import dev.custody.verify.TrustPolicy;
import dev.custody.verify.VerifiedModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code custody predict}: verify a model directory's whole chain, load the model through the safe
 * loader (as {@code custody serve} does) and predict rows given on the command line or read, row by
 * row, from a CSV or JSON Lines file.
 *
 * <p>The input is streamed: one row is held at a time, and each prediction is printed as soon as it
 * is made. A row the signed schema refuses is not predicted; it is reported with its row number,
 * line and column (the first {@link #MAX_BAD_ROWS}, then a count), and the command then exits with
 * {@link Reason#DATA_INVALID}'s code. Because the JSON document is streamed too, its {@code ok}
 * (and, on a failure found while reading, {@code reason}, {@code message} and {@code exit}) comes
 * after the predictions.
 */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = {
      "Predict labels with a verified model.",
      "The rows are given as COLUMN=VALUE arguments (one row) or in a file (--input).",
      "The model directory's whole chain is verified against the trust policy and the model loaded"
          + " through the safe loader, as custody serve does, before any row is read. Each row is"
          + " checked against the signed schema with the server's checks; a refused row is not"
          + " predicted but reported with its row number and column, and the command then exits"
          + " with DATA_INVALID's code.",
      "--input reads CSV with a header line, or JSON Lines (one object per line) for a file"
          + " ending in .jsonl or .ndjson, row by row. Prints one line per row (row, label, the"
          + " probability of each label), or with --json one document with every prediction."
    })
final class PredictCommand implements Callable<Integer>, Errors.JsonFailure {
  /** The refused rows listed one by one; more are counted. */
  static final int MAX_BAD_ROWS = 20;

  /** Longest input line: a row of a few hundred columns fits many times over. */
  static final int MAX_LINE_CHARS = 1 << 20;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL_DIR", description = "The exported model directory.")
  Path model;

  @Parameters(
      index = "1..*",
      arity = "0..*",
      paramLabel = "COLUMN=VALUE",
      description = "One row to predict, a value for each feature column (instead of --input).")
  List<String> row = new ArrayList<>();

  @Option(
      names = "--policy",
      required = true,
      paramLabel = "FILE",
      description = "The trust policy (YAML).")
  Path policy;

  @Option(
      names = "--input",
      paramLabel = "FILE",
      description = "Rows to predict: CSV with a header line, or JSON Lines (.jsonl, .ndjson).")
  Path input;

  @Option(names = "--json", description = "Print the predictions as JSON (also on failure).")
  boolean json;

  /** One input row, numbered from 1, with the file line it starts on (0 for the command line). */
  private record Row(long number, long line, Map<String, ?> values, String column, String problem) {
    static Row of(long number, long line, Map<String, ?> values) {
      return new Row(number, line, values, "", null);
    }

    static Row refused(long number, long line, String column, String problem) {
      return new Row(number, line, Map.of(), column, problem);
    }
  }

  /** Yields the rows of the input one by one. */
  private interface Rows {
    /** The next row, or null at the end. */
    Row next() throws IOException, PipelineException;
  }

  @Override
  public Integer call() throws Exception {
    if (input == null && row.isEmpty()) {
      throw new IllegalArgumentException(
          "expected --input FILE or a row as COLUMN=VALUE arguments, found neither");
    }
    if (input != null && !row.isEmpty()) {
      throw new IllegalArgumentException(
          "expected --input FILE or a row as COLUMN=VALUE arguments, found both");
    }
    Map<String, String> given = input == null ? parseRow(row) : Map.of();
    PipelineOptions.requireFile(model);
    TrustPolicy p = PipelineOptions.policy(policy);
    if (input != null) {
      // Checked before the chain: a FIFO would block the open, and a typo should not wait for it.
      PipelineOptions.requireFile(input);
      InputFiles.requireRegular(
          input, "an input file (CSV or JSON Lines)", Reason.MALFORMED, InputFiles.Links.FOLLOW);
    }
    ClasspathLock.requireRunningClasspathAllowed(p);
    VerifiedModel m = ChainVerifier.builder(p).build().verify(model).load();
    if (input == null) {
      Row only = Row.of(1, 0, given);
      return predict(
          m,
          new Rows() {
            boolean done;

            @Override
            public Row next() {
              Row r = done ? null : only;
              done = true;
              return r;
            }
          });
    }
    try (BufferedReader reader = utf8(input)) {
      String name = input.getFileName().toString().toLowerCase(Locale.ROOT);
      return predict(
          m,
          name.endsWith(".jsonl") || name.endsWith(".ndjson")
              ? jsonLines(reader, input)
              : csv(reader, input));
    }
  }

  /** Predicts every row, printing as it goes; returns the exit code. */
  private int predict(VerifiedModel m, Rows rows) throws IOException, PipelineException {
    Output out = json ? new JsonOutput(spec, m) : new TextOutput(spec);
    long total = 0;
    long bad = 0;
    String firstBad = null;
    try {
      for (Row r = rows.next(); r != null; r = rows.next()) {
        total++;
        String problem = r.problem();
        String column = r.column();
        if (problem == null) {
          try {
            out.prediction(r.number(), m.predict(r.values()));
            continue;
          } catch (InvalidInputException e) {
            problem = e.detail();
            column = e.column();
          }
        }
        bad++;
        String where = "row " + r.number() + (r.line() > 0 ? " (line " + r.line() + ")" : "");
        String message =
            where + (column.isEmpty() ? "" : ", column '" + column + "'") + ": " + problem;
        if (firstBad == null) {
          firstBad = message;
        }
        if (bad <= MAX_BAD_ROWS) {
          spec.commandLine().getErr().println(Errors.shown(message));
          out.badRow(r, column, problem);
        }
      }
    } catch (PipelineException | IOException | RuntimeException e) {
      // Predictions may be printed already: the document is finished here, not by Errors.
      if (!json) {
        throw e;
      }
      int code = Errors.exitCode(e);
      spec.commandLine()
          .getErr()
          .println(Errors.shown(spec.qualifiedName() + ": " + Errors.describe(e)));
      String message = e instanceof PipelineException ? e.getMessage() : Errors.describe(e);
      ((JsonOutput) out).failed(total, bad, reasonOf(e, code), message, code);
      return code;
    }
    if (bad == 0) {
      out.succeeded(total);
      return 0;
    }
    String message =
        bad
            + " of "
            + total
            + " rows refused by the signed schema and not predicted; first: "
            + firstBad;
    if (!json) {
      throw new PipelineException(Reason.DATA_INVALID, message);
    }
    spec.commandLine()
        .getErr()
        .println(Errors.shown(spec.qualifiedName() + ": " + Reason.DATA_INVALID + ": " + message));
    ((JsonOutput) out)
        .failed(total, bad, Reason.DATA_INVALID.name(), message, Reason.DATA_INVALID.exitCode());
    return Reason.DATA_INVALID.exitCode();
  }

  private static String reasonOf(Exception e, int code) {
    if (e instanceof PipelineException p) {
      return p.reason().name();
    }
    return code == Errors.USAGE ? "USAGE" : "UNEXPECTED";
  }

  /** {@code COLUMN=VALUE} arguments as one row. */
  private static Map<String, String> parseRow(List<String> pairs) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected COLUMN=VALUE, found " + Errors.shown(pair));
      }
      String column = pair.substring(0, eq);
      if (values.put(column, pair.substring(eq + 1)) != null) {
        throw new IllegalArgumentException(
            "expected each column once, found " + Errors.shown(column) + " twice");
      }
    }
    return values;
  }

  /** A strict UTF-8 reader: a byte that is not UTF-8 is an error, never a replacement. */
  private static BufferedReader utf8(Path file) throws IOException {
    Reader r =
        new InputStreamReader(
            Files.newInputStream(file),
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT));
    return new BufferedReader(r);
  }

  private static PipelineException notUtf8(Path file, long line, CharacterCodingException e) {
    return new PipelineException(
        Reason.MALFORMED,
        Errors.shown(file) + " near line " + line + ": expected UTF-8 text, found other bytes",
        e);
  }

  /** CSV rows (RFC 4180) under a header line naming the columns. */
  private static Rows csv(BufferedReader reader, Path file) throws IOException, PipelineException {
    CSVReader csv =
        new CSVReaderBuilder(reader)
            .withCSVParser(new RFC4180ParserBuilder().build())
            .withMultilineLimit(1_000)
            .build();
    String[] header = readCsv(csv, file);
    if (header == null) {
      throw new PipelineException(
          Reason.MALFORMED,
          Errors.shown(file) + ": expected a CSV header line naming the columns, found no content");
    }
    if (header.length > 0 && header[0].startsWith("\uFEFF")) {
      header[0] = header[0].substring(1);
    }
    return new Rows() {
      long number;

      @Override
      public Row next() throws IOException, PipelineException {
        long line = csv.getLinesRead() + 1;
        String[] fields = readCsv(csv, file);
        if (fields == null) {
          return null;
        }
        number++;
        if (fields.length != header.length) {
          return Row.refused(
              number,
              line,
              "",
              "expected " + header.length + " fields as the header has, found " + fields.length);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < header.length; i++) {
          values.put(header[i], fields[i]);
        }
        return Row.of(number, line, values);
      }
    };
  }

  private static String[] readCsv(CSVReader csv, Path file) throws IOException, PipelineException {
    try {
      return csv.readNext();
    } catch (CharacterCodingException e) {
      throw notUtf8(file, csv.getLinesRead() + 1, e);
    } catch (CsvException e) {
      throw new PipelineException(
          Reason.MALFORMED,
          Errors.shown(file)
              + " line "
              + (csv.getLinesRead() + 1)
              + ": expected an RFC 4180 CSV record, found "
              + Errors.shown(e.getMessage()),
          e);
    } catch (IOException e) {
      if (e.getCause() instanceof CsvException c) {
        throw new PipelineException(
            Reason.MALFORMED,
            Errors.shown(file) + ": expected RFC 4180 CSV, found " + Errors.shown(c.getMessage()),
            e);
      }
      throw e;
    }
  }

  /** JSON Lines: one object per line, each value a string or a number; blank lines skipped. */
  private static Rows jsonLines(BufferedReader reader, Path file) {
    return new Rows() {
      long number;
      long line;

      @Override
      public Row next() throws IOException, PipelineException {
        String text;
        do {
          line++;
          try {
            text = reader.readLine();
          } catch (CharacterCodingException e) {
            throw notUtf8(file, line, e);
          }
          if (text == null) {
            return null;
          }
        } while (text.isBlank());
        number++;
        if (text.length() > MAX_LINE_CHARS) {
          return Row.refused(
              number,
              line,
              "",
              "expected a line of at most " + MAX_LINE_CHARS + " characters, found a longer one");
        }
        JsonNode node;
        try {
          node = Json.parse(text.getBytes(StandardCharsets.UTF_8), "the row");
        } catch (PipelineException e) {
          return Row.refused(number, line, "", e.getMessage());
        }
        if (!node.isObject()) {
          return Row.refused(
              number,
              line,
              "",
              "expected a JSON object, found "
                  + node.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> f : node.properties()) {
          JsonNode v = f.getValue();
          if (!v.isTextual() && !v.isNumber()) {
            return Row.refused(
                number,
                line,
                f.getKey(),
                "expected a string or a number, found "
                    + v.getNodeType().toString().toLowerCase(Locale.ROOT));
          }
          values.put(f.getKey(), v.asText());
        }
        return Row.of(number, line, values);
      }
    };
  }

  /** Where predictions and refused rows go. */
  private interface Output {
    void prediction(long row, Prediction p) throws IOException;

    void badRow(Row row, String column, String problem) throws IOException;

    void succeeded(long rows) throws IOException;
  }

  /** One line per row, CSV-like: row, label, then each label's probability. */
  private static final class TextOutput implements Output {
    private final PrintWriter out;
    private boolean header;

    TextOutput(CommandSpec spec) {
      this.out = spec.commandLine().getOut();
    }

    @Override
    public void prediction(long row, Prediction p) {
      if (!header) {
        StringBuilder h = new StringBuilder("row,label");
        p.scores().keySet().forEach(l -> h.append(",p(").append(Errors.shown(l)).append(')'));
        out.println(h);
        header = true;
      }
      StringBuilder line =
          new StringBuilder().append(row).append(',').append(Errors.shown(p.label()));
      p.scores().values().forEach(s -> line.append(String.format(Locale.ROOT, ",%.6f", s)));
      out.println(line);
    }

    @Override
    public void badRow(Row row, String column, String problem) {
      // Reported on stderr by the caller.
    }

    @Override
    public void succeeded(long rows) {
      out.flush();
    }
  }

  /**
   * The one JSON document, streamed: {@code command}, {@code model}, {@code predictions}, {@code
   * badRows}, then {@code rows}, {@code ok} and, on a failure, {@code reason}, {@code message},
   * {@code exit}.
   */
  private static final class JsonOutput implements Output {
    private final JsonGenerator g;
    private final List<BadRow> badRows = new ArrayList<>();

    /** A refused row as listed in the document. */
    private record BadRow(long row, long line, String column, String message) {}

    JsonOutput(CommandSpec spec, VerifiedModel m) throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      g = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter();
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.writeStartObject();
      g.writeStringField("command", spec.qualifiedName());
      g.writeObjectFieldStart("model");
      g.writeStringField("name", m.name());
      g.writeNumberField("version", m.version());
      g.writeStringField("digest", m.digest().toString());
      g.writeStringField("signer", m.signer());
      g.writeEndObject();
      g.writeArrayFieldStart("predictions");
    }

    @Override
    public void prediction(long row, Prediction p) throws IOException {
      g.writeStartObject();
      g.writeNumberField("row", row);
      g.writeStringField("label", p.label());
      g.writeObjectFieldStart("probabilities");
      for (Map.Entry<String, Double> s : p.scores().entrySet()) {
        g.writeNumberField(s.getKey(), s.getValue());
      }
      g.writeEndObject();
      g.writeEndObject();
    }

    @Override
    public void badRow(Row row, String column, String problem) {
      badRows.add(new BadRow(row.number(), row.line(), column, problem));
    }

    private void end(long rows, long bad, boolean ok) throws IOException {
      g.writeEndArray();
      g.writeArrayFieldStart("badRows");
      for (BadRow b : badRows) {
        g.writeStartObject();
        g.writeNumberField("row", b.row());
        if (b.line() > 0) {
          g.writeNumberField("line", b.line());
        }
        if (!b.column().isEmpty()) {
          g.writeStringField("column", b.column());
        }
        g.writeStringField("message", b.message());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeNumberField("rows", rows);
      g.writeNumberField("badRowCount", bad);
      g.writeBooleanField("ok", ok);
    }

    @Override
    public void succeeded(long rows) throws IOException {
      end(rows, 0, true);
      close();
    }

    void failed(long rows, long bad, String reason, String message, int exit) {
      try {
        end(rows, bad, false);
        g.writeStringField("reason", reason);
        g.writeStringField("message", message);
        g.writeNumberField("exit", exit);
        close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void close() throws IOException {
      g.writeEndObject();
      g.writeRaw('\n');
      g.close();
    }
  }

  @Override
  public void describeFailure(ObjectNode report) {
    report.put("model", String.valueOf(model));
  }
}
