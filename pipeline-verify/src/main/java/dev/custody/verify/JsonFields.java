package dev.custody.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.VerificationException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Strict reads of fields from signed JSON (model cards, predicates). Every failure is {@link
 * Reason#MALFORMED} and names the field's path, what was expected and what was found.
 */
final class JsonFields {
  private static final int MAX_SHOWN = 80;

  private JsonFields() {}

  static JsonNode object(JsonNode parent, String field, String where) throws VerificationException {
    JsonNode v = parent.get(field);
    if (v == null || !v.isObject()) {
      throw malformed(where + "." + field, "an object", v);
    }
    return v;
  }

  static JsonNode array(JsonNode parent, String field, String where) throws VerificationException {
    JsonNode v = parent.get(field);
    if (v == null || !v.isArray()) {
      throw malformed(where + "." + field, "an array", v);
    }
    return v;
  }

  static String text(JsonNode parent, String field, String where) throws VerificationException {
    JsonNode v = parent.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw malformed(where + "." + field, "a non-empty string", v);
    }
    return v.asText();
  }

  static boolean bool(JsonNode parent, String field, String where) throws VerificationException {
    JsonNode v = parent.get(field);
    if (v == null || !v.isBoolean()) {
      throw malformed(where + "." + field, "true or false", v);
    }
    return v.asBoolean();
  }

  static int positiveInt(JsonNode parent, String field, String where) throws VerificationException {
    JsonNode v = parent.get(field);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
      throw malformed(where + "." + field, "a positive integer", v);
    }
    return v.asInt();
  }

  /** A lower-case hex SHA-256 given as a string field. */
  static Sha256 hex(JsonNode parent, String field, String where) throws VerificationException {
    String s = text(parent, field, where);
    try {
      return new Sha256(s);
    } catch (IllegalArgumentException e) {
      throw malformed(where + "." + field, "a lower-case hex sha256", parent.get(field));
    }
  }

  /** A {@code {"sha256": hex}} digest set (the in-toto / SLSA shape) under {@code field}. */
  static Sha256 digestSet(JsonNode parent, String field, String where) throws VerificationException {
    JsonNode d = object(parent, field, where);
    return hex(d, "sha256", where + "." + field);
  }

  static List<String> strings(JsonNode parent, String field, String where) throws VerificationException {
    JsonNode a = array(parent, field, where);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      JsonNode v = a.get(i);
      if (!v.isTextual() || v.asText().isEmpty()) {
        throw malformed(where + "." + field + "[" + i + "]", "a non-empty string", v);
      }
      out.add(v.asText());
    }
    return out;
  }

  /** Refuses fields outside {@code allowed}: signed records of Custody's own formats are exact. */
  static void onlyFields(JsonNode node, Set<String> allowed, String where) throws VerificationException {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw new VerificationException(
            Reason.MALFORMED,
            where + ": unknown field '" + shown(f) + "' (expected " + allowed.stream().sorted().toList() + ")");
      }
    }
  }

  static VerificationException malformed(String path, String expected, JsonNode found) {
    return new VerificationException(
        Reason.MALFORMED, path + ": expected " + expected + ", found " + describe(found));
  }

  private static String describe(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "nothing";
    }
    if (v.isNull()) {
      return "null";
    }
    return v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + " " + shown(v.toString());
  }

  /** Values come from untrusted files: one printable line, bounded. */
  static String shown(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints().limit(MAX_SHOWN).forEach(c -> out.appendCodePoint(c >= 0x20 && c < 0x7f ? c : '?'));
    if (s.length() > MAX_SHOWN) {
      out.append('…');
    }
    return out.toString();
  }
}
