package dev.custody.core.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Printable;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Strict reads of fields from signed JSON (model cards, predicates), and the small shapes the
 * writers share. Every read failure is {@link Reason#MALFORMED} (a predicate of another type {@link
 * Reason#UNSUPPORTED}) and names the field's path, what was expected and what was found.
 */
final class JsonFields {
  private static final int MAX_SHOWN = 80;

  private JsonFields() {}

  static JsonNode object(JsonNode parent, String field, String where) throws VerificationException {
    return required(parent, field, where, "an object", JsonNode::isObject);
  }

  static JsonNode array(JsonNode parent, String field, String where) throws VerificationException {
    return required(parent, field, where, "an array", JsonNode::isArray);
  }

  static String text(JsonNode parent, String field, String where) throws VerificationException {
    return required(
            parent, field, where, "a non-empty string", v -> v.isTextual() && !v.asText().isEmpty())
        .asText();
  }

  /** A string that may be empty (free text such as a screen's detail). */
  static String anyText(JsonNode parent, String field, String where) throws VerificationException {
    return required(parent, field, where, "a string", JsonNode::isTextual).asText();
  }

  /** A non-negative integral number that fits a {@code long}. */
  static long count(JsonNode parent, String field, String where) throws VerificationException {
    return required(
            parent,
            field,
            where,
            "a non-negative integer",
            v -> v.isIntegralNumber() && v.canConvertToLong() && v.asLong() >= 0)
        .asLong();
  }

  /** Any integral number that fits a {@code long}. */
  static long integer(JsonNode parent, String field, String where) throws VerificationException {
    return required(
            parent, field, where, "an integer", v -> v.isIntegralNumber() && v.canConvertToLong())
        .asLong();
  }

  /** A JSON number, as a double. */
  static double number(JsonNode parent, String field, String where) throws VerificationException {
    return required(parent, field, where, "a number", JsonNode::isNumber).asDouble();
  }

  /** An RFC 3339 instant, as {@link #rfc3339(Instant)} writes it. */
  static Instant instant(JsonNode parent, String field, String where) throws VerificationException {
    String s = text(parent, field, where);
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw malformed(where + "." + field, "an RFC 3339 time", parent.get(field));
    }
  }

  /** Writes an instant as RFC 3339 in UTC, to the millisecond. */
  static String rfc3339(Instant t) {
    return t.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  /** The {@code {"sha256": hex}} digest set. */
  static ObjectNode digest(Sha256 sha) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("sha256", sha.hex());
    return o;
  }

  /** An object node holding exactly {@code fields}: unknown ones are refused. */
  static JsonNode exactObject(JsonNode parent, String field, Set<String> fields, String where)
      throws VerificationException {
    JsonNode o = object(parent, field, where);
    onlyFields(o, fields, where + "." + field);
    return o;
  }

  /** An array element that must be an object with only {@code fields}. */
  static JsonNode element(JsonNode array, int i, Set<String> fields, String at)
      throws VerificationException {
    JsonNode v = array.get(i);
    if (!v.isObject()) {
      throw malformed(at, "an object", v);
    }
    onlyFields(v, fields, at);
    return v;
  }

  /** Refuses a statement of another predicate type. */
  static void requireType(Statement st, String type, String what) throws VerificationException {
    if (!type.equals(st.predicateType())) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          what + ": expected predicate type " + type + ", found " + shown(st.predicateType()));
    }
  }

  /** The statement's one subject (Custody's attestations have exactly one). */
  static Statement.Subject subject(Statement st, String what) throws VerificationException {
    if (st.subjects().size() != 1) {
      throw new VerificationException(
          Reason.MALFORMED, what + ": expected exactly one subject, found " + st.subjects().size());
    }
    return st.subjects().get(0);
  }

  /** The predicate, which must hold only {@code fields}. */
  static JsonNode predicate(Statement st, Set<String> fields, String where)
      throws VerificationException {
    JsonNode p = st.predicate();
    onlyFields(p, fields, where);
    return p;
  }

  static boolean bool(JsonNode parent, String field, String where) throws VerificationException {
    return required(parent, field, where, "true or false", JsonNode::isBoolean).asBoolean();
  }

  static int positiveInt(JsonNode parent, String field, String where) throws VerificationException {
    return required(
            parent,
            field,
            where,
            "a positive integer",
            v -> v.isIntegralNumber() && v.canConvertToInt() && v.asInt() >= 1)
        .asInt();
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

  /**
   * A {@code {"sha256": hex}} digest set (the in-toto / SLSA shape) under {@code field}, nothing
   * else.
   */
  static Sha256 digestSet(JsonNode parent, String field, String where)
      throws VerificationException {
    JsonNode d = object(parent, field, where);
    onlyFields(d, Set.of("sha256"), where + "." + field);
    return hex(d, "sha256", where + "." + field);
  }

  static List<String> strings(JsonNode parent, String field, String where)
      throws VerificationException {
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
  static void onlyFields(JsonNode node, Set<String> allowed, String where)
      throws VerificationException {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw new VerificationException(
            Reason.MALFORMED,
            where
                + ": unknown field '"
                + shown(f)
                + "' (expected "
                + allowed.stream().sorted().toList()
                + ")");
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
    return v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
        + " "
        + shown(v.toString());
  }

  /** Values come from untrusted files: one printable line, bounded. */
  static String shown(String s) {
    return Printable.of(s, MAX_SHOWN);
  }

  /** The field's value if {@code ok} accepts it; else MALFORMED naming what was expected. */
  private static JsonNode required(
      JsonNode parent, String field, String where, String expected, Predicate<JsonNode> ok)
      throws VerificationException {
    JsonNode v = parent.get(field);
    if (v == null || !ok.test(v)) {
      throw malformed(where + "." + field, expected, v);
    }
    return v;
  }
}
