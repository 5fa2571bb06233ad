package dev.custody.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParser.NumberType;
import com.fasterxml.jackson.core.JsonToken;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import dev.custody.serve.Inference.Columns;
import dev.custody.serve.Inference.Kind;
import dev.custody.serve.Inference.Request;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an OIP inference request straight from its bytes with a streaming parser under {@link
 * Json}'s bounds, building no tree: the tree parse and its walk were a quarter of the server's CPU
 * on one-row requests. It reads only what {@link Inference#read} accepts, to the same rows, id and
 * outputs; at anything else (malformed, over a bound, refused, a duplicate key, a {@code
 * parameters} object, or fields in an order it does not follow) it gives up and the caller reads
 * the body as a tree, so every refusal keeps its one message and reason.
 */
final class InferenceStream {
  private InferenceStream() {}

  /** The request as {@link Inference#read} reads it, or null to read it as a tree instead. */
  static Request read(byte[] body, Columns schema, int maxRows) {
    try (JsonParser p = Json.parser(body, "request body")) {
      return request(p, schema, maxRows);
    } catch (PipelineException | IOException e) {
      return null;
    }
  }

  private static Request request(JsonParser p, Columns schema, int maxRows) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return null;
    }
    String id = null;
    Set<String> outputs = null;
    Map<String, Object[]> columns = null;
    boolean seenId = false;
    String field;
    while ((field = p.nextFieldName()) != null) {
      JsonToken t = p.nextToken();
      switch (field) {
        case "id" -> {
          if (seenId || t != JsonToken.VALUE_STRING) {
            return null;
          }
          seenId = true;
          id = p.getText();
        }
        case "inputs" -> {
          if (columns != null || t != JsonToken.START_ARRAY) {
            return null;
          }
          columns = inputs(p, schema, maxRows);
          if (columns == null) {
            return null;
          }
        }
        case "outputs" -> {
          if (outputs != null || t != JsonToken.START_ARRAY) {
            return null;
          }
          outputs = outputs(p);
          if (outputs == null) {
            return null;
          }
        }
        default -> {
          // "parameters" too: a duplicate key deep inside it is the tree reader's to refuse.
          return null;
        }
      }
    }
    if (p.nextToken() != null || columns == null) {
      return null;
    }
    int rows = -1;
    for (Object[] values : columns.values()) {
      if (rows >= 0 && values.length != rows) {
        return null;
      }
      rows = values.length;
    }
    for (String c : schema.features()) {
      if (!columns.containsKey(c)) {
        return null;
      }
    }
    if (rows < 0) {
      return null;
    }
    List<Map<String, Object>> out = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      Map<String, Object> row = new HashMap<>(2 * columns.size());
      for (Map.Entry<String, Object[]> e : columns.entrySet()) {
        row.put(e.getKey(), e.getValue()[i]);
      }
      out.add(row);
    }
    return new Request(
        out, id, outputs == null ? Set.of(Inference.LABEL, Inference.PROBABILITIES) : outputs);
  }

  /** The inputs array, column by column; null at anything the tree reader should look at. */
  private static Map<String, Object[]> inputs(JsonParser p, Columns schema, int maxRows)
      throws IOException {
    Map<String, Object[]> columns = new HashMap<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.START_OBJECT) {
        return null;
      }
      String name = null;
      String datatype = null;
      int n = -1;
      Object[] values = null;
      String field;
      while ((field = p.nextFieldName()) != null) {
        JsonToken v = p.nextToken();
        switch (field) {
          case "name" -> {
            if (name != null || v != JsonToken.VALUE_STRING) {
              return null;
            }
            name = p.getText();
          }
          case "datatype" -> {
            if (datatype != null || v != JsonToken.VALUE_STRING) {
              return null;
            }
            datatype = p.getText();
          }
          case "shape" -> {
            if (n >= 0 || v != JsonToken.START_ARRAY) {
              return null;
            }
            n = shape(p, maxRows);
            if (n < 0) {
              return null;
            }
          }
          case "data" -> {
            // The values' checks need the column, datatype and row count first.
            if (values != null
                || v != JsonToken.START_ARRAY
                || name == null
                || datatype == null
                || n < 0) {
              return null;
            }
            values = data(p, schema, name, datatype, n);
            if (values == null) {
              return null;
            }
          }
          default -> {
            return null;
          }
        }
      }
      if (values == null || columns.put(name, values) != null) {
        return null;
      }
    }
    return columns;
  }

  /** The outputs asked for, or null at anything {@link Inference#read} might refuse. */
  private static Set<String> outputs(JsonParser p) throws IOException {
    Set<String> out = new HashSet<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.START_OBJECT) {
        return null;
      }
      String name = null;
      String field;
      while ((field = p.nextFieldName()) != null) {
        JsonToken v = p.nextToken();
        if (!field.equals("name") || name != null || v != JsonToken.VALUE_STRING) {
          return null;
        }
        name = p.getText();
      }
      if (!Inference.LABEL.equals(name) && !Inference.PROBABILITIES.equals(name)) {
        return null;
      }
      out.add(name);
    }
    return out;
  }

  /** The row count of {@code [N]} or {@code [N, 1]}, 1 <= N <= max rows, or -1. */
  private static int shape(JsonParser p, int maxRows) throws IOException {
    if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != NumberType.INT) {
      return -1;
    }
    int n = p.getIntValue();
    if (n < 1 || n > maxRows) {
      return -1;
    }
    JsonToken t = p.nextToken();
    if (t == JsonToken.VALUE_NUMBER_INT
        && p.getNumberType() == NumberType.INT
        && p.getIntValue() == 1) {
      t = p.nextToken();
    }
    return t == JsonToken.END_ARRAY ? n : -1;
  }

  /** Exactly {@code n} values as {@link Inference#read} keeps them, or null. */
  private static Object[] data(JsonParser p, Columns schema, String name, String datatype, int n)
      throws IOException {
    if (!schema.known().contains(name)) {
      return null;
    }
    Kind kind = schema.kinds().getOrDefault(name, Kind.TEXT);
    if (kind == Kind.NUMERIC
        ? !Inference.NUMERIC_TYPES.contains(datatype)
        : !datatype.equals("BYTES")) {
      return null;
    }
    Object[] out = new Object[n];
    int count = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      Object value = count < n ? value(p, t, datatype) : null;
      if (value == null) {
        return null;
      }
      out[count++] = value;
    }
    return count == n ? out : null;
  }

  /** A value as {@link Inference#read} keeps it, or null where it might refuse it. */
  private static Object value(JsonParser p, JsonToken t, String datatype) throws IOException {
    if (datatype.equals("BYTES")) {
      return t == JsonToken.VALUE_STRING ? p.getText() : null;
    }
    if (t == JsonToken.VALUE_NUMBER_FLOAT) {
      // The tree holds a JSON fraction as a double node, which the tree reader keeps as a double.
      boolean fp = datatype.equals("FP64") || datatype.equals("FP32");
      return fp && p.getNumberType() == NumberType.DOUBLE ? (Object) p.getDoubleValue() : null;
    }
    if (t != JsonToken.VALUE_NUMBER_INT) {
      return null;
    }
    // An integer keeps its node's text: int and long nodes print as Integer and Long do ("-0" is
    // "0"); rarer cases (INT32 beyond int, big integers) are the tree reader's.
    return switch (p.getNumberType()) {
      case INT -> Integer.toString(p.getIntValue());
      case LONG -> datatype.equals("INT32") ? null : Long.toString(p.getLongValue());
      default -> null;
    };
  }
}
