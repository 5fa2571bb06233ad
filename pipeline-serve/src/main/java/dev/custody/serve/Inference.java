package dev.custody.serve;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.chain.FeatureSchema;
import dev.custody.verify.InvalidInputException;
import dev.custody.verify.Prediction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Open Inference Protocol's inference request and response (REST, JSON): one input tensor per
 * raw column of the signed schema, shape {@code [N]}, and outputs {@code label} ({@code BYTES [N]})
 * and {@code probabilities} ({@code FP64 [N, classes]}, row-major).
 */
final class Inference {
  static final String LABEL = "label";
  static final String PROBABILITIES = "probabilities";

  private static final Set<String> REQUEST_FIELDS = Set.of("id", "parameters", "inputs", "outputs");
  private static final Set<String> INPUT_FIELDS =
      Set.of("name", "shape", "datatype", "parameters", "data");
  private static final Set<String> OUTPUT_FIELDS = Set.of("name", "parameters");
  static final Set<String> NUMERIC_TYPES = Set.of("FP64", "FP32", "INT64", "INT32", "BYTES");

  private Inference() {}

  /** A parsed request: its rows (column to raw text), its id and the outputs it asks for. */
  record Request(List<Map<String, Object>> rows, String id, Set<String> outputs) {}

  /**
   * Reads an inference request against the signed schema's columns and types (the values themselves
   * are checked when each row is encoded).
   *
   * @throws ApiException 400 {@code INVALID_INPUT} naming the field, input, column or row; 413
   *     {@code TOO_MANY_ROWS}
   */
  static Request read(JsonNode root, Columns schema, int maxRows) throws ApiException {
    if (!root.isObject()) {
      throw invalid("expected a JSON object with \"inputs\", found a JSON " + kind(root));
    }
    requireFields(root, REQUEST_FIELDS, "request");
    String id = null;
    if (root.has("id")) {
      if (!root.get("id").isTextual()) {
        throw invalid("\"id\": expected a string, found a JSON " + kind(root.get("id")));
      }
      id = root.get("id").asText();
    }
    if (root.has("parameters") && !root.get("parameters").isObject()) {
      throw invalid(
          "\"parameters\": expected an object, found a JSON " + kind(root.get("parameters")));
    }
    JsonNode inputs = root.get("inputs");
    if (inputs == null || !inputs.isArray()) {
      throw invalid(
          "\"inputs\": expected an array of input tensors, found "
              + (inputs == null ? "none" : "a JSON " + kind(inputs)));
    }
    Set<String> known = schema.known();
    Map<String, Kind> kinds = schema.kinds();

    Map<String, List<Object>> columns = new LinkedHashMap<>();
    String first = null;
    int rows = -1;
    for (JsonNode input : inputs) {
      if (!input.isObject()) {
        throw invalid("\"inputs\": expected objects, found a JSON " + kind(input));
      }
      requireFields(input, INPUT_FIELDS, "input");
      String name = text(input, "name", "input");
      if (!known.contains(name)) {
        throw invalid(
            "input "
                + quote(name)
                + ": unknown column: expected one of the signed schema's columns "
                + schema.features());
      }
      if (columns.containsKey(name)) {
        throw invalid("input '" + name + "': given twice");
      }
      String datatype = text(input, "datatype", "input '" + name + "'");
      int n = shape(input, name, maxRows);
      JsonNode data = input.get("data");
      if (data == null || !data.isArray()) {
        throw invalid("input '" + name + "': \"data\": expected a flat array of " + n + " values");
      }
      if (data.size() != n) {
        throw invalid(
            "input '"
                + name
                + "': shape says "
                + n
                + " rows, \"data\" holds "
                + data.size()
                + " values");
      }
      if (rows >= 0 && n != rows) {
        throw invalid(
            "inputs of different lengths: '"
                + first
                + "' has "
                + rows
                + " rows, '"
                + name
                + "' has "
                + n);
      }
      rows = n;
      if (first == null) {
        first = name;
      }
      Kind k = kinds.getOrDefault(name, Kind.TEXT);
      columns.put(name, values(name, k, datatype, data));
    }
    for (String c : schema.features()) {
      if (!columns.containsKey(c)) {
        throw invalid(
            "missing input '"
                + c
                + "': expected one input per column of the signed schema "
                + schema.features());
      }
    }
    List<Map<String, Object>> out = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      Map<String, Object> row = new HashMap<>();
      for (Map.Entry<String, List<Object>> e : columns.entrySet()) {
        row.put(e.getKey(), e.getValue().get(i));
      }
      out.add(row);
    }
    return new Request(out, id, outputs(root.get("outputs")));
  }

  enum Kind {
    NUMERIC,
    CATEGORY,
    TEXT
  }

  /**
   * What {@link #read} checks a request against, made once per served model rather than per
   * request: the signed schema's feature columns, all its column names and each column's kind.
   */
  record Columns(List<String> features, Set<String> known, Map<String, Kind> kinds) {
    static Columns of(FeatureSchema schema) {
      Map<String, Kind> kinds = new HashMap<>();
      schema.numeric().forEach(c -> kinds.put(c.column(), Kind.NUMERIC));
      schema.categorical().forEach(c -> kinds.put(c.column(), Kind.CATEGORY));
      schema.text().forEach(c -> kinds.put(c.column(), Kind.TEXT));
      return new Columns(schema.featureColumns(), Set.copyOf(schema.columns()), Map.copyOf(kinds));
    }
  }

  /** The row count of an input's shape: {@code [N]} or {@code [N, 1]}. */
  private static int shape(JsonNode input, String name, int maxRows) throws ApiException {
    JsonNode shape = input.get("shape");
    if (shape == null
        || !shape.isArray()
        || shape.isEmpty()
        || shape.size() > 2
        || !shape.get(0).canConvertToInt()
        || !shape.get(0).isIntegralNumber()
        || shape.get(0).asInt() < 1
        || (shape.size() == 2 && (!shape.get(1).isIntegralNumber() || shape.get(1).asInt() != 1))) {
      throw invalid(shapeIn(name) + "expected [N] or [N, 1] with N >= 1, found " + shape);
    }
    int n = shape.get(0).asInt();
    if (n > maxRows) {
      throw new ApiException(
          413,
          ServeReasons.TOO_MANY_ROWS,
          shapeIn(name) + "expected at most " + maxRows + " rows, found " + n);
    }
    return n;
  }

  /** The start of a shape's message, made only when refusing: most requests never need it. */
  private static String shapeIn(String name) {
    return "input '" + name + "': \"shape\": ";
  }

  /**
   * Each value, if its JSON type is the datatype's and the column's: a number the parser already
   * read as a double stays one (the encoder checks it as it would its text, without a round trip
   * through text), anything else is its raw text.
   */
  private static List<Object> values(String name, Kind kind, String datatype, JsonNode data)
      throws ApiException {
    boolean allowed =
        kind == Kind.NUMERIC ? NUMERIC_TYPES.contains(datatype) : datatype.equals("BYTES");
    if (!allowed) {
      throw invalid(
          "input '"
              + name
              + "': expected datatype "
              + (kind == Kind.NUMERIC ? "FP64, FP32, INT64, INT32 or BYTES" : "BYTES")
              + " for a "
              + kind.name().toLowerCase(java.util.Locale.ROOT)
              + " column, found "
              + quote(datatype));
    }
    List<Object> out = new ArrayList<>(data.size());
    int i = 0;
    for (Iterator<JsonNode> it = data.elements(); it.hasNext(); i++) {
      JsonNode v = it.next();
      boolean ok =
          switch (datatype) {
            case "BYTES" -> v.isTextual();
            case "FP64", "FP32" -> v.isNumber();
            case "INT64" -> v.isIntegralNumber() && v.canConvertToLong();
            default -> v.isIntegralNumber() && v.canConvertToInt(); // INT32
          };
      if (!ok) {
        throw invalid(
            "row "
                + i
                + ", column '"
                + name
                + "': expected "
                + (datatype.equals("BYTES") ? "a string" : "a " + datatype + " number")
                + ", found a JSON "
                + kind(v));
      }
      // A double node's text is Double.toString of it: the encoder sees the same value and, when
      // refusing, shows the same text. Integers keep their own text ("500", not "500.0").
      out.add(v.isDouble() ? (Object) v.doubleValue() : v.asText());
    }
    return out;
  }

  private static Set<String> outputs(JsonNode outputs) throws ApiException {
    if (outputs == null) {
      return Set.of(LABEL, PROBABILITIES);
    }
    if (!outputs.isArray()) {
      throw invalid("\"outputs\": expected an array, found a JSON " + kind(outputs));
    }
    Set<String> out = new HashSet<>();
    for (JsonNode o : outputs) {
      if (!o.isObject()) {
        throw invalid("\"outputs\": expected objects, found a JSON " + kind(o));
      }
      requireFields(o, OUTPUT_FIELDS, "output");
      String name = text(o, "name", "output");
      if (!name.equals(LABEL) && !name.equals(PROBABILITIES)) {
        throw invalid(
            "output " + quote(name) + ": expected \"" + LABEL + "\" or \"" + PROBABILITIES + "\"");
      }
      out.add(name);
    }
    return out;
  }

  /**
   * Predicts every row, in order.
   *
   * @throws ApiException 400 {@code INVALID_INPUT} naming the row and column the signed schema
   *     refuses, or a row the model cannot score
   */
  static List<Prediction> predict(ServedModel model, List<Map<String, Object>> rows)
      throws ApiException {
    List<Prediction> out = new ArrayList<>(rows.size());
    eachRow(rows.size(), i -> out.add(model.predict(rows.get(i))));
    return out;
  }

  /** Each row's label and, row by row in the model's class order, its probabilities. */
  @SuppressWarnings("ArrayRecordComponent") // a value passed once, never compared
  record Predictions(String[] labels, double[] probabilities) {}

  /**
   * Predicts every row as {@link #predict} does, with the same refusals, into arrays: the labels
   * and probabilities {@link #response} writes, without a {@link Prediction} per row.
   */
  static Predictions predictInClassOrder(ServedModel model, List<Map<String, Object>> rows)
      throws ApiException {
    int classes = model.classes().size();
    String[] labels = new String[rows.size()];
    double[] probabilities = new double[rows.size() * classes];
    eachRow(rows.size(), i -> labels[i] = model.predict(rows.get(i), probabilities, i * classes));
    return new Predictions(labels, probabilities);
  }

  /** Work on row {@code i} of a request. */
  @FunctionalInterface
  private interface RowWork {
    void apply(int i) throws InvalidInputException;
  }

  /** Runs {@code work} on rows 0 to n - 1, naming the row a refusal is about. */
  private static void eachRow(int n, RowWork work) throws ApiException {
    for (int i = 0; i < n; i++) {
      try {
        work.apply(i);
      } catch (InvalidInputException e) {
        throw invalid("row " + i + ", " + e.getMessage());
      } catch (IllegalArgumentException e) {
        // Tribuo refuses a row with no feature it knows; that is the client's input, not a fault.
        throw invalid("row " + i + ": expected at least one feature the model was trained on");
      }
    }
  }

  private static final byte[] ID = ascii(",\"id\":");
  private static final byte[] OUTPUTS = ascii(",\"outputs\":[");
  private static final byte[] LABEL_HEAD =
      ascii("{\"name\":\"" + LABEL + "\",\"datatype\":\"BYTES\",\"shape\":[");
  private static final byte[] DATA = ascii("],\"data\":[");
  private static final byte[] PROBABILITIES_HEAD =
      ascii("{\"name\":\"" + PROBABILITIES + "\",\"datatype\":\"FP64\",\"shape\":[");

  /**
   * The inference response (OIP {@code $inference_response}), written straight to UTF-8 bytes: the
   * parts that are the same for every answer of a model are {@linkplain Template made once}, the
   * rest (id, shape, labels, probabilities) appended. Building a tree, then a generator writing the
   * constant parts again on each request, showed in the profile of one-row requests; so did text
   * built in a {@code StringBuilder}, then copied into a {@code String} and again into bytes.
   */
  static ByteBuffer response(ServedModel m, Request req, Predictions predictions) {
    Template t = m.responseTemplate();
    String[] labels = predictions.labels();
    int n = labels.length;
    Bytes out = new Bytes(256 + n * (32 + 24 * t.classes.size()));
    out.add(t.head);
    if (req.id() != null) {
      out.add(ID).quoted(req.id());
    }
    out.add(OUTPUTS);
    boolean label = req.outputs().contains(LABEL);
    if (label) {
      out.add(LABEL_HEAD).add(n).add(DATA);
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          out.add(',');
        }
        String l = labels[i];
        byte[] q = t.quotedLabels.get(l);
        if (q != null) {
          out.add(q);
        } else {
          out.quoted(l);
        }
      }
      out.add(']').add('}');
    }
    if (req.outputs().contains(PROBABILITIES)) {
      if (label) {
        out.add(',');
      }
      out.add(PROBABILITIES_HEAD).add(n).add(t.probabilitiesMiddle);
      double[] probabilities = predictions.probabilities();
      for (int i = 0; i < probabilities.length; i++) {
        if (i > 0) {
          out.add(',');
        }
        number(out, probabilities[i]);
      }
      out.add(']').add('}');
    }
    return out.add(']').add('}').buffer();
  }

  /**
   * A growing byte array for {@link #response}: text that is all ASCII goes in as is, anything else
   * as its UTF-8 encoding (as the whole text's {@code getBytes(UTF_8)} would have it).
   */
  private static final class Bytes {
    private byte[] buf;
    private int len;

    Bytes(int capacity) {
      buf = new byte[capacity];
    }

    private void room(int more) {
      if (len + more > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
      }
    }

    Bytes add(byte[] b) {
      room(b.length);
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
      return this;
    }

    /** An ASCII character. */
    Bytes add(char c) {
      room(1);
      buf[len++] = (byte) c;
      return this;
    }

    Bytes add(int v) {
      return ascii(Integer.toString(v));
    }

    /** Text known to be ASCII (a number's). */
    Bytes ascii(String s) {
      int k = s.length();
      room(k);
      for (int i = 0; i < k; i++) {
        buf[len++] = (byte) s.charAt(i);
      }
      return this;
    }

    /**
     * {@code s} as a JSON string, as {@link Inference#quoted} writes it: printable ASCII without a
     * quote or backslash (most ids) is written as is, anything else escaped by Jackson.
     */
    Bytes quoted(String s) {
      int k = s.length();
      for (int i = 0; i < k; i++) {
        char c = s.charAt(i);
        if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
          return add(utf8(Inference.quoted(new StringBuilder(), s)));
        }
      }
      room(k + 2);
      buf[len++] = '"';
      for (int i = 0; i < k; i++) {
        buf[len++] = (byte) s.charAt(i);
      }
      buf[len++] = '"';
      return this;
    }

    /** The bytes written, without trimming the array: a copy per answer showed in the profile. */
    ByteBuffer buffer() {
      return ByteBuffer.wrap(buf, 0, len);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(CharSequence s) {
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The parts of a model's inference responses that never change while it is served, as UTF-8 JSON
   * text: the name and version, the class order of the probabilities, each label as a JSON string.
   */
  static final class Template {
    private final byte[] head;
    private final byte[] probabilitiesMiddle;
    private final List<String> classes;
    private final Map<String, byte[]> quotedLabels;

    Template(String name, int version, List<String> classes) {
      this.classes = List.copyOf(classes);
      StringBuilder h = new StringBuilder("{\"model_name\":");
      quoted(h, name);
      h.append(",\"model_version\":");
      quoted(h, String.valueOf(version));
      this.head = utf8(h);
      StringBuilder middle =
          new StringBuilder(",")
              .append(this.classes.size())
              .append("],\"parameters\":{\"classes\":[");
      Map<String, byte[]> labels = new HashMap<>();
      for (int i = 0; i < this.classes.size(); i++) {
        String q = quoted(new StringBuilder(), this.classes.get(i)).toString();
        labels.put(this.classes.get(i), utf8(q));
        middle.append(i > 0 ? "," : "").append(q);
      }
      this.probabilitiesMiddle = utf8(middle.append("]},\"data\":["));
      this.quotedLabels = Map.copyOf(labels);
    }
  }

  /** Appends {@code s} as a JSON string, escaped as Jackson's generator escapes it. */
  private static StringBuilder quoted(StringBuilder out, String s) {
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, out);
    return out.append('"');
  }

  /**
   * Appends a double as Jackson's generator writes it: its shortest text, non-finite ones quoted.
   */
  private static void number(Bytes out, double v) {
    if (Double.isFinite(v)) {
      out.ascii(Double.toString(v));
    } else {
      out.add('"').ascii(Double.toString(v)).add('"');
    }
  }

  static void requireFields(JsonNode node, Set<String> allowed, String what) throws ApiException {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw invalid(
            what
                + ": unknown field "
                + quote(f)
                + ": expected only "
                + new java.util.TreeSet<>(allowed));
      }
    }
  }

  private static String text(JsonNode node, String field, String what) throws ApiException {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw invalid(
          what
              + ": \""
              + field
              + "\": expected a string, found "
              + (v == null ? "none" : "a JSON " + kind(v)));
    }
    return v.asText();
  }

  static String kind(JsonNode n) {
    return n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  static String quote(String s) {
    return "\"" + dev.custody.core.Printable.of(s, 80) + "\"";
  }

  static ApiException invalid(String message) {
    return new ApiException(400, ServeReasons.INVALID_INPUT, message);
  }
}
