package dev.custody.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Reason;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import dev.custody.core.chain.FeatureSchema;
import dev.custody.core.chain.FeatureSchema.CategoricalColumn;
import dev.custody.core.chain.FeatureSchema.LabelColumn;
import dev.custody.core.chain.FeatureSchema.NumericColumn;
import dev.custody.core.chain.FeatureSchema.TextColumn;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@link FeatureSchema} from a verified dataset attestation's {@code schema} field, the
 * schema ingest checked every row against. Interim: once the model card carries the signed schema
 * ({@code ModelCard.schema()}), {@link VerifiedChain#load()} takes it from there and this class
 * goes.
 */
final class SignedSchema {
  private static final String WHERE = "dataset predicate.schema";

  private SignedSchema() {}

  /**
   * The schema of a verified dataset statement.
   *
   * @throws VerificationException {@link Reason#MALFORMED} if it has no well-formed schema
   */
  static FeatureSchema read(Statement dataset) throws VerificationException {
    JsonNode s = dataset.predicate().get("schema");
    if (s == null || !s.isObject()) {
      throw malformed(WHERE, "an object", s);
    }
    try {
      String id = s.has("id") ? text(s.get("id"), WHERE + ".id") : null;
      JsonNode label = object(s.get("label"), WHERE + ".label");
      LabelColumn labelColumn =
          new LabelColumn(
              text(label.get("column"), WHERE + ".label.column"),
              strings(label.get("allowed"), WHERE + ".label.allowed"));
      List<NumericColumn> numeric = new ArrayList<>();
      for (JsonNode n : array(s.get("numeric"), WHERE + ".numeric")) {
        numeric.add(
            new NumericColumn(
                text(n.get("column"), WHERE + ".numeric[].column"),
                bound(n.get("min"), Double.NEGATIVE_INFINITY, WHERE + ".numeric[].min"),
                bound(n.get("max"), Double.POSITIVE_INFINITY, WHERE + ".numeric[].max")));
      }
      List<CategoricalColumn> categorical = new ArrayList<>();
      for (JsonNode c : array(s.get("categorical"), WHERE + ".categorical")) {
        categorical.add(
            new CategoricalColumn(
                text(c.get("column"), WHERE + ".categorical[].column"),
                strings(c.get("allowed"), WHERE + ".categorical[].allowed")));
      }
      List<TextColumn> text = new ArrayList<>();
      for (JsonNode t : array(s.get("text"), WHERE + ".text")) {
        text.add(new TextColumn(text(t.get("column"), WHERE + ".text[].column")));
      }
      return new FeatureSchema(id, labelColumn, numeric, categorical, text);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new VerificationException(Reason.MALFORMED, WHERE + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode object(JsonNode n, String at) throws VerificationException {
    if (n == null || !n.isObject()) {
      throw malformed(at, "an object", n);
    }
    return n;
  }

  private static JsonNode array(JsonNode n, String at) throws VerificationException {
    if (n == null || !n.isArray()) {
      throw malformed(at, "an array", n);
    }
    for (JsonNode item : n) {
      object(item, at + "[]");
    }
    return n;
  }

  private static String text(JsonNode n, String at) throws VerificationException {
    if (n == null || !n.isTextual()) {
      throw malformed(at, "a string", n);
    }
    return n.textValue();
  }

  private static List<String> strings(JsonNode n, String at) throws VerificationException {
    if (n == null || !n.isArray()) {
      throw malformed(at, "an array of strings", n);
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : n) {
      out.add(text(item, at + "[]"));
    }
    return out;
  }

  private static double bound(JsonNode n, double unbounded, String at)
      throws VerificationException {
    if (n == null || n.isNull()) {
      return unbounded;
    }
    if (!n.isNumber()) {
      throw malformed(at, "a number or null", n);
    }
    return n.doubleValue();
  }

  private static VerificationException malformed(String at, String expected, JsonNode found) {
    String shown = found == null ? "nothing" : found.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    return new VerificationException(
        Reason.MALFORMED, at + ": expected " + expected + ", found " + shown);
  }
}
