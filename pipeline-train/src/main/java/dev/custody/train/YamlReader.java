package dev.custody.train;

import com.fasterxml.jackson.core.JsonToken;
import dev.custody.core.PipelineException;
import dev.custody.core.Sha256;
import dev.custody.train.YamlTree.ListNode;
import dev.custody.train.YamlTree.MapNode;
import dev.custody.train.YamlTree.Node;
import dev.custody.train.YamlTree.Scalar;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Typed, strict reads from a {@link YamlTree}: every failure names the source, line:column and key
 * path, and says what was expected and what was found.
 */
final class YamlReader {
  private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]+");
  private static final Pattern DECIMAL =
      Pattern.compile("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?");
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  private final String source;

  YamlReader(String source) {
    this.source = source;
  }

  String source() {
    return source;
  }

  PipelineException error(Node at, String message) {
    return YamlTree.error(source, at.location(), at.path(), message);
  }

  /** A mapping that may hold only {@code allowed} keys; an unknown key is an error at that key. */
  Obj map(Node node, String... allowed) throws PipelineException {
    if (!(node instanceof MapNode m)) {
      throw error(node, "expected a mapping, found " + node.kind());
    }
    Set<String> keys = new LinkedHashSet<>(Arrays.asList(allowed));
    for (Map.Entry<String, YamlTree.Entry> e : m.entries().entrySet()) {
      if (!keys.contains(e.getKey())) {
        throw YamlTree.error(
            source,
            e.getValue().keyLocation(),
            m.path().isEmpty() ? e.getKey() : m.path() + "." + e.getKey(),
            "unknown key (expected one of: " + String.join(", ", keys) + ")");
      }
    }
    return new Obj(m);
  }

  List<Node> list(Node node) throws PipelineException {
    if (!(node instanceof ListNode l)) {
      throw error(node, "expected a list, found " + node.kind());
    }
    return l.items();
  }

  /** A non-empty list. */
  List<Node> nonEmptyList(Node node) throws PipelineException {
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
  String string(Node node) throws PipelineException {
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
  String dataValue(Node node) throws PipelineException {
    Scalar s = scalar(node, "a value");
    if (s.text().isEmpty()) {
      throw error(node, "expected a non-empty value, found an empty string");
    }
    return s.text();
  }

  long integer(Node node, long min, long max) throws PipelineException {
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
  double number(Node node) throws PipelineException {
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
  double number(Node node, double min, boolean minInclusive, double max, boolean maxInclusive)
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

  boolean bool(Node node) throws PipelineException {
    Scalar s = scalar(node, "true or false");
    if (s.token() != JsonToken.VALUE_TRUE && s.token() != JsonToken.VALUE_FALSE) {
      throw error(node, "expected true or false, found " + s.kind() + " (" + s.text() + ")");
    }
    return s.token() == JsonToken.VALUE_TRUE;
  }

  /** One of the given words. */
  String oneOf(Node node, String... words) throws PipelineException {
    String v = string(node);
    if (!Arrays.asList(words).contains(v)) {
      throw error(node, "expected one of " + String.join(" | ", words) + ", found \"" + v + "\"");
    }
    return v;
  }

  Sha256 sha256(Node node) throws PipelineException {
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
  final class Obj {
    private final MapNode node;

    Obj(MapNode node) {
      this.node = node;
    }

    MapNode node() {
      return node;
    }

    boolean has(String key) {
      YamlTree.Entry e = node.entries().get(key);
      return e != null;
    }

    /** The value at {@code key}; a missing key is an error at the mapping. */
    Node required(String key) throws PipelineException {
      YamlTree.Entry e = node.entries().get(key);
      if (e == null) {
        throw YamlTree.error(
            source, node.location(), node.path(), "missing required key \"" + key + "\"");
      }
      return e.value();
    }

    /** The value at {@code key}, or null when absent (an explicit YAML null is also absent). */
    Node optional(String key) {
      YamlTree.Entry e = node.entries().get(key);
      if (e == null || (e.value() instanceof Scalar s && s.isNull())) {
        return null;
      }
      return e.value();
    }

    /** Fails unless exactly one of the keys is present. */
    String exactlyOne(String... keys) throws PipelineException {
      List<String> present = new ArrayList<>();
      for (String k : keys) {
        if (has(k)) {
          present.add(k);
        }
      }
      if (present.size() != 1) {
        throw YamlTree.error(
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
