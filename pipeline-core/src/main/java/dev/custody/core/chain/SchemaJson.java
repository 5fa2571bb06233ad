package dev.custody.core.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Reason;
import dev.custody.core.VerificationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The JSON form of a {@link FeatureSchema}: {@code {"id"?, "label": {"column", "allowed"},
 * "numeric": [{"column", "min", "max"}], "categorical": [{"column", "allowed"}], "text":
 * [{"column"}]}}. JSON has no infinity, so an unbounded side of a numeric range is written in one
 * of two ways: the model card omits it ({@link Unbounded#OMIT}); the dataset predicate, as it
 * always has, writes {@code null} ({@link Unbounded#NULL}). Each reader accepts only its own way.
 */
final class SchemaJson {
  /** How an unbounded end of a numeric range is written. */
  enum Unbounded {
    OMIT,
    NULL
  }

  private static final Set<String> FIELDS = Set.of("id", "label", "numeric", "categorical", "text");

  private SchemaJson() {}

  static ObjectNode write(FeatureSchema s, Unbounded unbounded) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    if (s.id() != null) {
      o.put("id", s.id());
    }
    ObjectNode label = o.putObject("label");
    label.put("column", s.label().column());
    ArrayNode allowed = label.putArray("allowed");
    s.label().allowed().forEach(allowed::add);
    ArrayNode numeric = o.putArray("numeric");
    for (FeatureSchema.NumericColumn n : s.numeric()) {
      ObjectNode c = numeric.addObject();
      c.put("column", n.column());
      bound(c, "min", n.min(), unbounded);
      bound(c, "max", n.max(), unbounded);
    }
    ArrayNode categorical = o.putArray("categorical");
    for (FeatureSchema.CategoricalColumn cc : s.categorical()) {
      ObjectNode c = categorical.addObject();
      c.put("column", cc.column());
      ArrayNode values = c.putArray("allowed");
      cc.allowed().forEach(values::add);
    }
    ArrayNode text = o.putArray("text");
    for (FeatureSchema.TextColumn t : s.text()) {
      text.addObject().put("column", t.column());
    }
    return o;
  }

  private static void bound(ObjectNode c, String field, double value, Unbounded unbounded) {
    if (!Double.isInfinite(value)) {
      c.put(field, value);
    } else if (unbounded == Unbounded.NULL) {
      c.putNull(field);
    }
  }

  static FeatureSchema read(JsonNode parent, String field, String where, Unbounded unbounded)
      throws VerificationException {
    JsonNode o = JsonFields.exactObject(parent, field, FIELDS, where);
    String at = where + "." + field;
    String id = o.has("id") ? JsonFields.text(o, "id", at) : null;
    JsonNode labelNode = JsonFields.exactObject(o, "label", Set.of("column", "allowed"), at);
    FeatureSchema.LabelColumn label;
    try {
      label =
          new FeatureSchema.LabelColumn(
              JsonFields.text(labelNode, "column", at + ".label"),
              JsonFields.strings(labelNode, "allowed", at + ".label"));
    } catch (IllegalArgumentException e) {
      throw new VerificationException(Reason.MALFORMED, at + ".label: " + e.getMessage());
    }
    List<FeatureSchema.NumericColumn> numeric = new ArrayList<>();
    JsonNode numericNode = JsonFields.array(o, "numeric", at);
    for (int i = 0; i < numericNode.size(); i++) {
      String ni = at + ".numeric[" + i + "]";
      JsonNode n = JsonFields.element(numericNode, i, Set.of("column", "min", "max"), ni);
      double min = readBound(n, "min", ni, unbounded, Double.NEGATIVE_INFINITY);
      double max = readBound(n, "max", ni, unbounded, Double.POSITIVE_INFINITY);
      try {
        numeric.add(new FeatureSchema.NumericColumn(JsonFields.text(n, "column", ni), min, max));
      } catch (IllegalArgumentException e) {
        throw new VerificationException(Reason.MALFORMED, ni + ": " + e.getMessage());
      }
    }
    List<FeatureSchema.CategoricalColumn> categorical = new ArrayList<>();
    JsonNode catNode = JsonFields.array(o, "categorical", at);
    for (int i = 0; i < catNode.size(); i++) {
      String ci = at + ".categorical[" + i + "]";
      JsonNode c = JsonFields.element(catNode, i, Set.of("column", "allowed"), ci);
      try {
        categorical.add(
            new FeatureSchema.CategoricalColumn(
                JsonFields.text(c, "column", ci), JsonFields.strings(c, "allowed", ci)));
      } catch (IllegalArgumentException e) {
        throw new VerificationException(Reason.MALFORMED, ci + ": " + e.getMessage());
      }
    }
    List<FeatureSchema.TextColumn> text = new ArrayList<>();
    JsonNode textNode = JsonFields.array(o, "text", at);
    for (int i = 0; i < textNode.size(); i++) {
      String ti = at + ".text[" + i + "]";
      JsonNode t = JsonFields.element(textNode, i, Set.of("column"), ti);
      text.add(new FeatureSchema.TextColumn(JsonFields.text(t, "column", ti)));
    }
    try {
      return new FeatureSchema(id, label, numeric, categorical, text);
    } catch (IllegalArgumentException e) {
      throw new VerificationException(Reason.MALFORMED, at + ": " + e.getMessage());
    }
  }

  private static double readBound(
      JsonNode n, String field, String where, Unbounded unbounded, double none)
      throws VerificationException {
    JsonNode v = n.get(field);
    if (v == null) {
      if (unbounded == Unbounded.OMIT) {
        return none;
      }
      throw JsonFields.malformed(where + "." + field, "a number or null", null);
    }
    if (v.isNull()) {
      if (unbounded == Unbounded.NULL) {
        return none;
      }
      throw JsonFields.malformed(where + "." + field, "a number (an unbounded end is left out)", v);
    }
    return JsonFields.number(n, field, where);
  }
}
