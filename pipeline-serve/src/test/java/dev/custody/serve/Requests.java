package dev.custody.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Request bodies of the credit model's schema. */
final class Requests {
  static final List<String> COLUMNS =
      List.of("LIMIT_BAL", "AGE", "PAY_0", "BILL_AMT1", "PAY_AMT1", "SEX");
  static final Set<String> NUMERIC = Set.of("LIMIT_BAL", "AGE", "PAY_0", "BILL_AMT1", "PAY_AMT1");

  /** Row 1 of the credit data. */
  static final Map<String, String> ROW =
      Map.of(
          "LIMIT_BAL", "20000",
          "AGE", "24",
          "PAY_0", "2",
          "BILL_AMT1", "3913",
          "PAY_AMT1", "0",
          "SEX", "2");

  private Requests() {}

  /**
   * An OIP inference request: numeric columns as FP64 numbers (or BYTES strings when {@code
   * asText}), SEX as BYTES.
   */
  static String infer(List<Map<String, String>> rows, boolean asText, String id) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    if (id != null) {
      root.put("id", id);
    }
    ArrayNode inputs = root.putArray("inputs");
    for (String c : COLUMNS) {
      ObjectNode in = inputs.addObject();
      in.put("name", c);
      boolean number = NUMERIC.contains(c) && !asText;
      in.put("datatype", number ? "FP64" : "BYTES");
      in.putArray("shape").add(rows.size());
      ArrayNode data = in.putArray("data");
      for (Map<String, String> r : rows) {
        if (number) {
          data.add(Double.parseDouble(r.get(c)));
        } else {
          data.add(r.get(c));
        }
      }
    }
    return new String(Json.write(root), StandardCharsets.UTF_8);
  }

  static String infer(Map<String, String> row) {
    return infer(List.of(row), false, null);
  }

  /** {@link #ROW} with one column's value replaced. */
  static Map<String, String> rowWith(String column, String value) {
    Map<String, String> r = new java.util.HashMap<>(ROW);
    r.put(column, value);
    return r;
  }
}
