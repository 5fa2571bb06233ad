package dev.custody.train;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document read into a small tree that remembers where every key and value was, so that
 * errors can name the key and its line:column. Strict: duplicate keys, aliases, non-string keys and
 * multiple documents are errors.
 */
final class YamlTree {
  /** Largest YAML file read (spec or lock); a spec is a few KiB. */
  static final int MAX_BYTES = 1 << 20;

  private static final int MAX_DEPTH = 32;

  private YamlTree() {}

  /** 1-based position in the source. */
  record Location(int line, int column) {
    @Override
    public String toString() {
      return line + ":" + column;
    }
  }

  /** A node and the dotted path that leads to it ({@code schema.numeric[2].min}). */
  sealed interface Node permits MapNode, ListNode, Scalar {
    Location location();

    String path();

    /** What kind of YAML value this is, for "expected X, found Y" messages. */
    String kind();
  }

  /** A mapping, keys in source order. */
  record MapNode(Location location, String path, Map<String, Entry> entries) implements Node {
    MapNode {
      entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    @Override
    public String kind() {
      return "a mapping";
    }
  }

  /** One key of a mapping: where the key was written, and its value. */
  record Entry(Location keyLocation, Node value) {}

  /** A sequence. */
  record ListNode(Location location, String path, List<Node> items) implements Node {
    ListNode {
      items = List.copyOf(items);
    }

    @Override
    public String kind() {
      return "a list";
    }
  }

  /** A scalar with its token type and the text as written. */
  record Scalar(Location location, String path, JsonToken token, String text) implements Node {
    boolean isNull() {
      return token == JsonToken.VALUE_NULL;
    }

    @Override
    public String kind() {
      return switch (token) {
        case VALUE_NUMBER_INT -> "an integer";
        case VALUE_NUMBER_FLOAT -> "a number";
        case VALUE_TRUE, VALUE_FALSE -> "a boolean";
        case VALUE_NULL -> "null";
        default -> "a string";
      };
    }
  }

  /**
   * Parses one YAML document.
   *
   * @param source the name used in error messages (a file name)
   */
  static Node parse(byte[] yaml, String source) throws PipelineException {
    if (yaml.length > MAX_BYTES) {
      throw new PipelineException(
          Reason.SPEC_INVALID,
          source + ": expected at most " + MAX_BYTES + " bytes, found " + yaml.length);
    }
    try (JsonParser p = new YAMLFactory().createParser(yaml)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw error(source, new Location(1, 1), "", "expected a mapping, found an empty document");
      }
      Node root = read(p, source, "", 0);
      JsonToken next = p.nextToken();
      if (next != null) {
        throw error(source, location(p), "", "expected one YAML document, found another one");
      }
      return root;
    } catch (JsonProcessingException e) {
      JsonLocation l = e.getLocation();
      Location at = l == null ? new Location(1, 1) : new Location(l.getLineNr(), l.getColumnNr());
      throw error(source, at, "", "not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new PipelineException(Reason.SPEC_INVALID, source + ": not valid YAML: " + e, e);
    }
  }

  private static Node read(JsonParser p, String source, String path, int depth)
      throws IOException, PipelineException {
    Location at = location(p);
    if (depth > MAX_DEPTH) {
      throw error(source, at, path, "nested deeper than " + MAX_DEPTH + " levels");
    }
    if (p instanceof YAMLParser && ((YAMLParser) p).isCurrentAlias()) {
      throw error(source, at, path, "YAML aliases (*" + p.getText() + ") are not allowed");
    }
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      Map<String, Entry> entries = new LinkedHashMap<>();
      for (JsonToken k; (k = p.nextToken()) != JsonToken.END_OBJECT; ) {
        if (k != JsonToken.FIELD_NAME) {
          throw error(source, location(p), path, "expected a key, found " + k);
        }
        String key = p.currentName();
        Location keyAt = location(p);
        String childPath = path.isEmpty() ? key : path + "." + key;
        if (entries.containsKey(key)) {
          throw error(
              source,
              keyAt,
              childPath,
              "duplicate key (first at " + entries.get(key).keyLocation() + ")");
        }
        p.nextToken();
        entries.put(key, new Entry(keyAt, read(p, source, childPath, depth + 1)));
      }
      return new MapNode(at, path, entries);
    }
    if (t == JsonToken.START_ARRAY) {
      List<Node> items = new ArrayList<>();
      for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
        items.add(read(p, source, path + "[" + i + "]", depth + 1));
      }
      return new ListNode(at, path, items);
    }
    if (t != null && t.isScalarValue()) {
      return new Scalar(at, path, t, p.getText());
    }
    throw error(source, at, path, "unexpected YAML token " + t);
  }

  private static Location location(JsonParser p) {
    JsonLocation l = p.currentTokenLocation();
    return new Location(l.getLineNr(), l.getColumnNr());
  }

  /**
   * An error naming the source, line:column and key path: {@code spec.yaml:12:5: schema.x: ...}.
   */
  static PipelineException error(String source, Location at, String path, String message) {
    String where = path.isEmpty() ? "" : path + ": ";
    return new PipelineException(
        Reason.SPEC_INVALID, source + ":" + at.line() + ":" + at.column() + ": " + where + message);
  }
}
