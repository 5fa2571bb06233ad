package dev.custody.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.verify.Prediction;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MLflow's scoring protocol ({@code POST /invocations}), as {@code mlflow models serve} reads it
 * for a pyfunc model: a JSON body with {@code dataframe_split} ({@code {"columns": [...], "data":
 * [[...], ...]}}, optionally {@code "index"}) or {@code dataframe_records} ({@code [{column:
 * value}, ...]}), or a {@code text/csv} body with a header line. The answer is {@code
 * {"predictions": [{"label": ..., "probabilities": {class: p, ...}}, ...]}}: one record per row, as
 * MLflow writes a classifier's DataFrame output in records orientation.
 */
final class Mlflow {
  private static final Set<String> SPLIT_FIELDS = Set.of("columns", "data", "index");

  private Mlflow() {}

  /** Rows of a JSON body. */
  static List<Map<String, Object>> readJson(JsonNode root, int maxRows) throws ApiException {
    if (!root.isObject() || root.size() != 1) {
      throw Inference.invalid(
          "expected a JSON object with exactly one of \"dataframe_split\" or"
              + " \"dataframe_records\"");
    }
    if (root.has("dataframe_split")) {
      return split(root.get("dataframe_split"), maxRows);
    }
    if (root.has("dataframe_records")) {
      return records(root.get("dataframe_records"), maxRows);
    }
    throw Inference.invalid(
        "expected \"dataframe_split\" or \"dataframe_records\", found "
            + Inference.quote(root.fieldNames().next())
            + " (tensor inputs \"instances\" and \"inputs\" are not read: use /v2/models/"
            + "{name}/infer)");
  }

  private static List<Map<String, Object>> split(JsonNode split, int maxRows) throws ApiException {
    if (!split.isObject()) {
      throw Inference.invalid(
          "\"dataframe_split\": expected an object, found a JSON " + Inference.kind(split));
    }
    Inference.requireFields(split, SPLIT_FIELDS, "\"dataframe_split\"");
    JsonNode columns = split.get("columns");
    JsonNode data = split.get("data");
    if (columns == null || !columns.isArray() || data == null || !data.isArray()) {
      throw Inference.invalid(
          "\"dataframe_split\": expected arrays \"columns\" and \"data\" (a list of rows)");
    }
    List<String> names = new ArrayList<>();
    for (JsonNode c : columns) {
      if (!c.isTextual()) {
        throw Inference.invalid(
            "\"dataframe_split\": \"columns\": expected strings, found a JSON "
                + Inference.kind(c));
      }
      names.add(c.asText());
    }
    requireRows(data.size(), maxRows);
    List<Map<String, Object>> rows = new ArrayList<>(data.size());
    int i = 0;
    for (JsonNode row : data) {
      if (!row.isArray() || row.size() != names.size()) {
        throw Inference.invalid(
            "row "
                + i
                + ": expected an array of "
                + names.size()
                + " values (one per column), found "
                + (row.isArray() ? row.size() + " values" : "a JSON " + Inference.kind(row)));
      }
      Map<String, Object> r = new HashMap<>();
      for (int j = 0; j < names.size(); j++) {
        r.put(names.get(j), value(row.get(j), i, names.get(j)));
      }
      rows.add(r);
      i++;
    }
    return rows;
  }

  private static List<Map<String, Object>> records(JsonNode records, int maxRows)
      throws ApiException {
    if (!records.isArray()) {
      throw Inference.invalid(
          "\"dataframe_records\": expected an array of objects, found a JSON "
              + Inference.kind(records));
    }
    requireRows(records.size(), maxRows);
    List<Map<String, Object>> rows = new ArrayList<>(records.size());
    int i = 0;
    for (JsonNode rec : records) {
      if (!rec.isObject()) {
        throw Inference.invalid(
            "row " + i + ": expected an object, found a JSON " + Inference.kind(rec));
      }
      Map<String, Object> r = new HashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = rec.properties().iterator(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        r.put(e.getKey(), value(e.getValue(), i, e.getKey()));
      }
      rows.add(r);
      i++;
    }
    return rows;
  }

  /** A cell's raw text: a string as it is, a number as its JSON text. */
  private static String value(JsonNode v, int row, String column) throws ApiException {
    if (v.isTextual() || v.isNumber()) {
      return v.asText();
    }
    throw Inference.invalid(
        "row "
            + row
            + ", column "
            + Inference.quote(column)
            + ": expected a string or a number, found a JSON "
            + Inference.kind(v));
  }

  /** Rows of a {@code text/csv} body: RFC 4180 fields, a header line naming the columns. */
  static List<Map<String, Object>> readCsv(byte[] body, int maxRows) throws ApiException {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString();
    } catch (CharacterCodingException e) {
      throw new ApiException(400, ServeReasons.MALFORMED, "expected UTF-8 CSV, found other bytes");
    }
    List<List<String>> records = csv(text, maxRows + 1);
    if (records.isEmpty()) {
      throw Inference.invalid("expected a CSV header line naming the columns, found no content");
    }
    List<String> header = records.get(0);
    requireRows(records.size() - 1, maxRows);
    List<Map<String, Object>> rows = new ArrayList<>(records.size() - 1);
    for (int i = 1; i < records.size(); i++) {
      List<String> rec = records.get(i);
      if (rec.size() != header.size()) {
        throw Inference.invalid(
            "row "
                + (i - 1)
                + ": expected "
                + header.size()
                + " fields (as the header), found "
                + rec.size());
      }
      Map<String, Object> r = new HashMap<>();
      for (int j = 0; j < header.size(); j++) {
        r.put(header.get(j), rec.get(j));
      }
      rows.add(r);
    }
    return rows;
  }

  /**
   * RFC 4180 records (quoted fields with doubled quotes, CRLF or LF line ends, blank lines
   * skipped), stopping with 413 once there are more than {@code maxRecords}.
   */
  private static List<List<String>> csv(String text, int maxRecords) throws ApiException {
    List<List<String>> out = new ArrayList<>();
    List<String> record = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    int i = 0;
    int n = text.length();
    while (i <= n) {
      char c = i < n ? text.charAt(i) : '\n';
      if (quoted) {
        if (i == n) {
          throw new ApiException(400, ServeReasons.MALFORMED, "CSV: a quoted field is not closed");
        }
        if (c == '"') {
          if (i + 1 < n && text.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(c);
        }
      } else if (c == '"' && field.length() == 0 && !wasQuoted) {
        quoted = true;
        wasQuoted = true;
      } else if (c == ',') {
        record.add(field.toString());
        field.setLength(0);
        wasQuoted = false;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
          i++;
        }
        if (!record.isEmpty() || field.length() > 0 || wasQuoted) {
          record.add(field.toString());
          out.add(record);
          if (out.size() > maxRecords) {
            requireRows(out.size() - 1, maxRecords - 1);
          }
          record = new ArrayList<>();
        }
        field.setLength(0);
        wasQuoted = false;
      } else if (wasQuoted) {
        throw new ApiException(
            400, ServeReasons.MALFORMED, "CSV: text after a closing quote, at character " + i);
      } else {
        field.append(c);
      }
      i++;
    }
    return out;
  }

  private static void requireRows(int rows, int maxRows) throws ApiException {
    if (rows > maxRows) {
      throw new ApiException(
          413,
          ServeReasons.TOO_MANY_ROWS,
          "expected at most " + maxRows + " rows, found " + (rows > maxRows + 1 ? "more" : rows));
    }
    if (rows == 0) {
      throw Inference.invalid("expected at least one row, found none");
    }
  }

  /** The response: {@code {"predictions": [{"label": ..., "probabilities": {...}}, ...]}}. */
  static ObjectNode response(ServedModel m, List<Prediction> predictions) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode out = root.putArray("predictions");
    for (Prediction p : predictions) {
      ObjectNode r = out.addObject();
      r.put("label", p.label());
      ObjectNode probs = r.putObject("probabilities");
      for (String c : m.classes()) {
        probs.put(c, p.scores().getOrDefault(c, 0.0));
      }
    }
    return root;
  }
}
