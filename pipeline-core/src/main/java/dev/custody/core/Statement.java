package dev.custody.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An in-toto Statement v1: what was produced (subjects, by digest) and a typed predicate saying
 * how.
 *
 * @param subjects the artifacts this statement is about; at least one
 * @param predicateType URI naming the predicate's schema
 * @param predicate the predicate (a JSON object; copied, never shared)
 */
public record Statement(List<Subject> subjects, String predicateType, JsonNode predicate) {
  /** The statement type this class reads and writes. */
  public static final String TYPE = "https://in-toto.io/Statement/v1";

  /** The DSSE payload type of an in-toto statement. */
  public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";

  /**
   * The most subjects {@link #parse} reads: a model signature names one, a dependency lock one per
   * classpath jar (a few hundred). Bounds the records built from a statement to about 3 MiB, on top
   * of {@link Json}'s token bound on the tree.
   */
  public static final int MAX_SUBJECTS = 10_000;

  public Statement {
    subjects = List.copyOf(subjects);
    if (subjects.isEmpty()) {
      throw new IllegalArgumentException("a statement needs at least one subject");
    }
    Objects.requireNonNull(predicateType, "predicateType");
    if (predicate == null || !predicate.isObject()) {
      throw new IllegalArgumentException("predicate must be a JSON object");
    }
    predicate = predicate.deepCopy();
  }

  @Override
  public JsonNode predicate() {
    return predicate.deepCopy();
  }

  /**
   * One subject: a name and its digests.
   *
   * @param name the artifact's name
   * @param digest algorithm name to lower-case hex digest, e.g. {@code sha256 → ab12…}
   */
  public record Subject(String name, Map<String, String> digest) {
    public Subject {
      Objects.requireNonNull(name, "name");
      digest = Map.copyOf(new TreeMap<>(digest));
      if (digest.isEmpty()) {
        throw new IllegalArgumentException("subject " + name + " has no digest");
      }
    }

    /** A subject identified by its SHA-256. */
    public static Subject of(String name, Sha256 sha256) {
      return new Subject(name, Map.of("sha256", sha256.hex()));
    }

    /** The SHA-256 of this subject. */
    public Sha256 sha256() throws VerificationException {
      String hex = digest.get("sha256");
      if (hex == null) {
        throw new VerificationException(
            Reason.UNSUPPORTED,
            "subject " + name + ": expected a sha256 digest, found " + digest.keySet());
      }
      try {
        return new Sha256(hex);
      } catch (IllegalArgumentException e) {
        throw new VerificationException(
            Reason.MALFORMED, "subject " + name + ": " + e.getMessage());
      }
    }
  }

  /** The statement as compact JSON, keys in a fixed order. */
  public byte[] toJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("_type", TYPE);
    ArrayNode subs = root.putArray("subject");
    for (Subject s : subjects) {
      ObjectNode n = subs.addObject();
      n.put("name", s.name());
      ObjectNode d = n.putObject("digest");
      new TreeMap<>(s.digest()).forEach(d::put);
    }
    root.put("predicateType", predicateType);
    root.set("predicate", predicate);
    return Json.write(root);
  }

  /**
   * Parses an untrusted statement; anything but a well-formed in-toto v1 statement (UTF-8 JSON
   * within {@link Json}'s bounds, at most {@link #MAX_SUBJECTS} subjects) is refused. Time and
   * memory are linear in the payload's bytes.
   */
  public static Statement parse(byte[] json) throws PipelineException {
    JsonNode root = Json.parse(json, "in-toto statement");
    if (!root.isObject()) {
      throw malformed("expected a JSON object, found " + root.getNodeType());
    }
    String type = text(root, "_type");
    if (!TYPE.equals(type)) {
      throw new PipelineException(
          Reason.UNSUPPORTED, "in-toto statement: expected _type " + TYPE + ", found " + type);
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!List.of("_type", "subject", "predicateType", "predicate").contains(f)) {
        throw malformed("unknown field '" + f + "'");
      }
    }
    JsonNode subs = root.get("subject");
    if (subs == null || !subs.isArray() || subs.isEmpty()) {
      throw malformed("expected a non-empty 'subject' array");
    }
    if (subs.size() > MAX_SUBJECTS) {
      throw malformed("expected at most " + MAX_SUBJECTS + " subjects, found " + subs.size());
    }
    List<Subject> subjects = new ArrayList<>();
    for (JsonNode s : subs) {
      String name = text(s, "name");
      JsonNode d = s.get("digest");
      if (d == null || !d.isObject() || d.isEmpty()) {
        throw malformed("subject " + name + ": expected a 'digest' object");
      }
      Map<String, String> digest = new TreeMap<>();
      for (Map.Entry<String, JsonNode> e : d.properties()) {
        if (!e.getValue().isTextual()) {
          throw malformed("subject " + name + ": digest " + e.getKey() + " is not a string");
        }
        digest.put(e.getKey(), e.getValue().asText());
      }
      subjects.add(new Subject(name, digest));
    }
    JsonNode predicate = root.get("predicate");
    if (predicate == null || !predicate.isObject()) {
      throw malformed("expected a 'predicate' object");
    }
    return new Statement(subjects, text(root, "predicateType"), predicate);
  }

  /** A debugging view: the predicate type and subjects (never large payloads). */
  @Override
  public String toString() {
    return "Statement[" + predicateType + ", subjects=" + subjects + "]";
  }

  private static String text(JsonNode node, String field) throws PipelineException {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw malformed("expected a string '" + field + "'");
    }
    return v.asText();
  }

  private static PipelineException malformed(String what) {
    return new PipelineException(Reason.MALFORMED, "in-toto statement: " + what);
  }
}
