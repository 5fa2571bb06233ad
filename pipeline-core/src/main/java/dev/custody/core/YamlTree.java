package dev.custody.core;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A YAML document read into a small tree that remembers where every key and value was, so that
 * errors can name the key and its line:column. Strict: duplicate keys, aliases, non-string keys and
 * multiple documents are errors. The one YAML mechanism for Custody's own files (pipeline specs,
 * data locks, trust policies); read typed values from the tree with a {@link YamlReader}.
 *
 * <p>Every error is a {@link PipelineException} with the caller's {@link Reason} and a message of
 * the form {@code source:line:column: key.path: what was expected, found what}.
 */
public final class YamlTree {
  /** Largest YAML file read (spec, lock or policy); such a file is a few KiB. */
  public static final int MAX_BYTES = 1 << 20;

  /** Longest parser message quoted in an error: it may hold an excerpt of the file. */
  private static final int MAX_SHOWN = 200;

  private static final int MAX_DEPTH = 32;

  private YamlTree() {}

  /**
   * 1-based position in the source.
   *
   * @param line the line, from 1
   * @param column the column, from 1
   */
  public record Location(int line, int column) {
    @Override
    public String toString() {
      return line + ":" + column;
    }
  }

  /** A node and the dotted path that leads to it ({@code schema.numeric[2].min}). */
  public sealed interface Node permits MapNode, ListNode, Scalar {
    /** Where the value starts. */
    Location location();

    /** The key path to this node; empty for the document's root. */
    String path();

    /** What kind of YAML value this is, for "expected X, found Y" messages. */
    String kind();
  }

  /**
   * A mapping, keys in source order.
   *
   * @param location where the mapping starts
   * @param path the key path to it
   * @param entries its keys, in source order
   */
  public record MapNode(Location location, String path, Map<String, Entry> entries)
      implements Node {
    public MapNode {
      entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    @Override
    public String kind() {
      return "a mapping";
    }
  }

  /**
   * One key of a mapping: where the key was written, and its value.
   *
   * @param keyLocation where the key was written
   * @param value its value
   */
  public record Entry(Location keyLocation, Node value) {}

  /**
   * A sequence.
   *
   * @param location where the sequence starts
   * @param path the key path to it
   * @param items its items, in order
   */
  public record ListNode(Location location, String path, List<Node> items) implements Node {
    public ListNode {
      items = List.copyOf(items);
    }

    @Override
    public String kind() {
      return "a list";
    }
  }

  /**
   * A scalar with its token type and the text as written.
   *
   * @param location where the scalar starts
   * @param path the key path to it
   * @param token how YAML typed it (string, integer, float, boolean or null)
   * @param text the text as written
   */
  public record Scalar(Location location, String path, JsonToken token, String text)
      implements Node {
    /** Whether this is YAML's null (an empty value, {@code ~} or {@code null}). */
    public boolean isNull() {
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
   * Reads and parses a YAML file of at most {@link #MAX_BYTES} bytes; errors name the file as
   * given.
   *
   * @param reason the reason of every {@link PipelineException} thrown
   * @throws PipelineException with {@code reason} if the file is not a regular file (a FIFO, a
   *     directory), is too large or is not one strict YAML document
   * @throws IOException if the file cannot be read
   */
  public static Node read(Path file, Reason reason) throws IOException, PipelineException {
    byte[] yaml = InputFiles.read(file, "a YAML file", MAX_BYTES, reason, InputFiles.Links.FOLLOW);
    return parse(yaml, InputFiles.shown(file), reason);
  }

  /**
   * Parses one YAML document.
   *
   * @param source the name used in error messages (a file name)
   * @param reason the reason of every {@link PipelineException} thrown
   * @throws PipelineException with {@code reason} if the bytes are too many or not one strict YAML
   *     document
   */
  public static Node parse(byte[] yaml, String source, Reason reason) throws PipelineException {
    if (yaml.length > MAX_BYTES) {
      throw new PipelineException(
          reason, source + ": expected at most " + MAX_BYTES + " bytes, found " + yaml.length);
    }
    try (JsonParser p = new YAMLFactory().createParser(yaml)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw error(
            reason, source, new Location(1, 1), "", "expected a mapping, found an empty document");
      }
      Node root = read(p, reason, source, "", 0);
      JsonToken next = p.nextToken();
      if (next != null) {
        throw error(
            reason, source, location(p), "", "expected one YAML document, found another one");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw notYaml(e, source, reason);
    } catch (IOException e) {
      throw new PipelineException(
          reason, source + ": not valid YAML: " + Printable.of(e.toString(), MAX_SHOWN), e);
    }
  }

  /**
   * The YAML syntax error at SnakeYAML's problem mark (where the bad character is), not at
   * Jackson's location (the start of the last token, often lines earlier), in one line.
   */
  private static PipelineException notYaml(
      JsonProcessingException e, String source, Reason reason) {
    JsonLocation l = e.getLocation();
    Location at = l == null ? new Location(1, 1) : new Location(l.getLineNr(), l.getColumnNr());
    String problem = e.getOriginalMessage();
    if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
      at = new Location(m.getProblemMark().getLine() + 1, m.getProblemMark().getColumn() + 1);
      problem = m.getProblem();
    }
    if (problem != null && problem.contains("(TAB)")) {
      problem = "found a TAB character; YAML does not allow tabs for indentation, use spaces";
    }
    return error(
        reason,
        source,
        at,
        "",
        "not valid YAML: " + Printable.line(String.valueOf(problem), MAX_SHOWN));
  }

  private static Node read(JsonParser p, Reason reason, String source, String path, int depth)
      throws IOException, PipelineException {
    Location at = location(p);
    if (depth > MAX_DEPTH) {
      throw error(reason, source, at, path, "nested deeper than " + MAX_DEPTH + " levels");
    }
    if (p instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
      throw error(reason, source, at, path, "YAML aliases (*" + p.getText() + ") are not allowed");
    }
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      Map<String, Entry> entries = new LinkedHashMap<>();
      for (JsonToken k; (k = p.nextToken()) != JsonToken.END_OBJECT; ) {
        if (k != JsonToken.FIELD_NAME) {
          throw error(reason, source, location(p), path, "expected a key, found " + k);
        }
        String key = p.currentName();
        Location keyAt = location(p);
        String childPath = path.isEmpty() ? key : path + "." + key;
        if (entries.containsKey(key)) {
          throw error(
              reason,
              source,
              keyAt,
              childPath,
              "duplicate key (first at " + entries.get(key).keyLocation() + ")");
        }
        p.nextToken();
        entries.put(key, new Entry(keyAt, read(p, reason, source, childPath, depth + 1)));
      }
      return new MapNode(at, path, entries);
    }
    if (t == JsonToken.START_ARRAY) {
      List<Node> items = new ArrayList<>();
      for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
        items.add(read(p, reason, source, path + "[" + i + "]", depth + 1));
      }
      return new ListNode(at, path, items);
    }
    if (t != null && t.isScalarValue()) {
      return new Scalar(at, path, t, p.getText());
    }
    throw error(reason, source, at, path, "unexpected YAML token " + t);
  }

  private static Location location(JsonParser p) {
    JsonLocation l = p.currentTokenLocation();
    return new Location(l.getLineNr(), l.getColumnNr());
  }

  /**
   * An error naming the source, line:column and key path: {@code spec.yaml:12:5: schema.x: ...}.
   */
  static PipelineException error(
      Reason reason, String source, Location at, String path, String message) {
    String where = path.isEmpty() ? "" : path + ": ";
    return new PipelineException(
        reason, source + ":" + at.line() + ":" + at.column() + ": " + where + message);
  }
}
