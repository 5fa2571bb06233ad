package dev.custody.core;

import com.fasterxml.jackson.core.JsonToken;
import dev.custody.core.YamlTree.ListNode;
import dev.custody.core.YamlTree.MapNode;
import dev.custody.core.YamlTree.Node;
import dev.custody.core.YamlTree.Scalar;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Typed, strict reads from a {@link YamlTree}: every failure is a {@link PipelineException} with
 * the reader's {@link Reason} that names the source, line:column and key path, and says what was
 * expected and what was found ({@code spec.yaml:9:3: schema.lable: unknown key (expected one of:
 * id, label)}).
 */
public final class YamlReader {
  private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]+");
  private static final Pattern DECIMAL =
      Pattern.compile("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?");
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  private final String source;
  private final Reason reason;

  /**
   * A reader for the YAML of {@code source}.
   *
   * @param source the name used in error messages (a file name)
   * @param reason the reason of every error (for example {@link Reason#SPEC_INVALID})
   */
  public YamlReader(String source, Reason reason) {
    this.source = source;
    this.reason = reason;
  }

  /** The name used in error messages. */
  public String source() {
    return source;
  }

  /** Parses {@code yaml} as one strict YAML document (see {@link YamlTree#parse}). */
  public Node parse(byte[] yaml) throws PipelineException {
    return YamlTree.parse(yaml, source, reason);
  }

  /** An error at {@code at}: {@code source:line:column: path: message}. */
  public PipelineException error(Node at, String message) {
    return YamlTree.error(reason, source, at.location(), at.path(), message);
  }

  /** An error at {@code at} caused by {@code cause}. */
  public PipelineException error(Node at, String message, Throwable cause) {
    PipelineException e = error(at, message);
    e.initCause(cause);
    return e;
  }

  /** A mapping that may hold only {@code allowed} keys; an unknown key is an error at that key. */
  public Obj map(Node node, String... allowed) throws PipelineException {
    if (!(node instanceof MapNode m)) {
      throw error(node, "expected a mapping, found " + node.kind());
    }
    Set<String> keys = new LinkedHashSet<>(Arrays.asList(allowed));
    for (Map.Entry<String, YamlTree.Entry> e : m.entries().entrySet()) {
      if (!keys.contains(e.getKey())) {
        throw YamlTree.error(
            reason,
            source,
            e.getValue().keyLocation(),
            m.path().isEmpty() ? e.getKey() : m.path() + "." + e.getKey(),
            "unknown key (expected one of: " + String.join(", ", keys) + ")");
      }
    }
    return new Obj(m);
  }

  /** A list (possibly empty). */
  public List<Node> list(Node node) throws PipelineException {
    if (!(node instanceof ListNode l)) {
      throw error(node, "expected a list, found " + node.kind());
    }
    return l.items();
  }

  /** A non-empty list. */
  public List<Node> nonEmptyList(Node node) throws PipelineException {
    List<Node> items = list(node);
    if (items.isEmpty()) {
      throw error(node, "expected a non-empty list, found an empty list");
    }
    return items;
  }

  private Scalar scalar(Node node, String expected) throws PipelineException {
    if (!(node instanceof Scalar s) || s.isNull()) {
      throw error(node, "expected " + expected + ", found " + node.kind());
    }
    return s;
  }

  /** A string: quoted or plain, but not a number, boolean or null. */
  public String string(Node node) throws PipelineException {
    Scalar s = scalar(node, "a string");
    if (s.token() != JsonToken.VALUE_STRING) {
      throw error(node, "expected a string, found " + s.kind() + " (" + s.text() + ")");
    }
    if (s.text().isEmpty()) {
      throw error(node, "expected a non-empty string, found an empty string");
    }
    return s.text();
  }

  /**
   * A data value (a label or category) taken as written: strings, integers, decimals and booleans
   * all stand for the text in the data file, so {@code [0, 1]} means the labels "0", "1".
   */
  public String dataValue(Node node) throws PipelineException {
    Scalar s = scalar(node, "a value");
    if (s.text().isEmpty()) {
      throw error(node, "expected a non-empty value, found an empty string");
    }
    return s.text();
  }

  /** An integer in [{@code min}, {@code max}]. */
  public long integer(Node node, long min, long max) throws PipelineException {
    Scalar s = scalar(node, "an integer");
    if (s.token() != JsonToken.VALUE_NUMBER_INT || !INTEGER.matcher(s.text()).matches()) {
      throw error(node, "expected an integer, found " + s.kind() + " (" + s.text() + ")");
    }
    long v;
    try {
      v = Long.parseLong(s.text().startsWith("+") ? s.text().substring(1) : s.text());
    } catch (NumberFormatException e) {
      throw error(node, "expected an integer in [" + min + ", " + max + "], found " + s.text());
    }
    if (v < min || v > max) {
      throw error(node, "expected an integer in [" + min + ", " + max + "], found " + v);
    }
    return v;
  }

  /** A finite number (integer or decimal). */
  public double number(Node node) throws PipelineException {
    Scalar s = scalar(node, "a number");
    boolean numeric =
        s.token() == JsonToken.VALUE_NUMBER_INT || s.token() == JsonToken.VALUE_NUMBER_FLOAT;
    if (!numeric || !DECIMAL.matcher(s.text()).matches()) {
      throw error(node, "expected a number, found " + s.kind() + " (" + s.text() + ")");
    }
    double v = Double.parseDouble(s.text());
    if (!Double.isFinite(v)) {
      throw error(node, "expected a finite number, found " + s.text());
    }
    return v;
  }

  /** A number in the open or closed interval given. */
  public double number(
      Node node, double min, boolean minInclusive, double max, boolean maxInclusive)
      throws PipelineException {
    double v = number(node);
    boolean ok = (minInclusive ? v >= min : v > min) && (maxInclusive ? v <= max : v < max);
    if (!ok) {
      throw error(
          node,
          "expected a number in "
              + (minInclusive ? "[" : "(")
              + min
              + ", "
              + max
              + (maxInclusive ? "]" : ")")
              + ", found "
              + s(node));
    }
    return v;
  }

  /** {@code true} or {@code false}. */
  public boolean bool(Node node) throws PipelineException {
    Scalar s = scalar(node, "true or false");
    if (s.token() != JsonToken.VALUE_TRUE && s.token() != JsonToken.VALUE_FALSE) {
      throw error(node, "expected true or false, found " + s.kind() + " (" + s.text() + ")");
    }
    return s.token() == JsonToken.VALUE_TRUE;
  }

  /** One of the given words. */
  public String oneOf(Node node, String... words) throws PipelineException {
    String v = string(node);
    if (!Arrays.asList(words).contains(v)) {
      throw error(node, "expected one of " + String.join(" | ", words) + ", found \"" + v + "\"");
    }
    return v;
  }

  /** A SHA-256: 64 lower-case hex digits, optionally prefixed {@code sha256:}. */
  public Sha256 sha256(Node node) throws PipelineException {
    Scalar s = scalar(node, "a sha256");
    String text = s.text().startsWith("sha256:") ? s.text().substring(7) : s.text();
    if (!HEX64.matcher(text).matches()) {
      throw error(
          node,
          "expected 64 lower-case hex digits (optionally sha256:...), found \"" + s.text() + "\"");
    }
    return new Sha256(text);
  }

  private static String s(Node node) {
    return node instanceof Scalar sc ? sc.text() : node.kind();
  }

  /** A mapping whose keys have been checked; reads its values by key. */
  public final class Obj {
    private final MapNode node;

    Obj(MapNode node) {
      this.node = node;
    }

    /** The mapping read. */
    public MapNode node() {
      return node;
    }

    /** Whether {@code key} is present (even with a null value). */
    public boolean has(String key) {
      YamlTree.Entry e = node.entries().get(key);
      return e != null;
    }

    /** The value at {@code key}; a missing key is an error at the mapping. */
    public Node required(String key) throws PipelineException {
      YamlTree.Entry e = node.entries().get(key);
      if (e == null) {
        throw YamlTree.error(
            reason, source, node.location(), node.path(), "missing required key \"" + key + "\"");
      }
      return e.value();
    }

    /** The value at {@code key}, or null when absent (an explicit YAML null is also absent). */
    public Node optional(String key) {
      YamlTree.Entry e = node.entries().get(key);
      if (e == null || (e.value() instanceof Scalar s && s.isNull())) {
        return null;
      }
      return e.value();
    }

    /** Fails unless exactly one of the keys is present. */
    public String exactlyOne(String... keys) throws PipelineException {
      List<String> present = new ArrayList<>();
      for (String k : keys) {
        if (has(k)) {
          present.add(k);
        }
      }
      if (present.size() != 1) {
        throw YamlTree.error(
            reason,
            source,
            node.location(),
            node.path(),
            "expected exactly one of "
                + String.join(" | ", keys)
                + ", found "
                + (present.isEmpty() ? "none" : String.join(" and ", present)));
      }
      return present.get(0);
    }
  }
}
