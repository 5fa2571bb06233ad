package dev.custody.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The one strict JSON configuration Custody reads and writes with: duplicate keys, trailing tokens
 * and unknown properties are errors; map keys are written sorted so output is deterministic.
 */
public final class Json {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();

  /** Longest parser message quoted in an error: it may hold an excerpt of the input. */
  private static final int MAX_SHOWN = 200;

  private Json() {}

  /** The shared mapper; thread-safe, never reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Parses untrusted JSON into a tree, failing with {@link Reason#MALFORMED}. */
  public static JsonNode parse(byte[] json, String what) throws PipelineException {
    try {
      JsonNode node = MAPPER.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new PipelineException(Reason.MALFORMED, what + ": expected JSON, found no content");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new PipelineException(
          Reason.MALFORMED,
          what + ": not valid JSON: " + Printable.of(e.getOriginalMessage(), MAX_SHOWN),
          e);
    } catch (IOException e) {
      throw new PipelineException(Reason.MALFORMED, what + ": unreadable JSON", e);
    }
  }

  /** Writes a value as compact JSON (UTF-8). */
  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getName(), e);
    }
  }

  /** Writes a value as indented JSON (UTF-8) with a final newline, for files people read. */
  public static byte[] writePretty(Object value) {
    try {
      byte[] body = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
      byte[] out = java.util.Arrays.copyOf(body, body.length + 1);
      out[body.length] = '\n';
      return out;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getName(), e);
    }
  }
}
