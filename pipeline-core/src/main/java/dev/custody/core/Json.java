package dev.custody.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one strict JSON configuration Custody reads and writes with: duplicate keys, trailing tokens
 * and unknown properties are errors; map keys are written sorted so output is deterministic.
 *
 * <p>Reading is UTF-8 only (RFC 8259 section 8.1): a byte-order mark, UTF-16 or UTF-32 text and
 * invalid UTF-8 sequences (overlong forms, surrogates, truncated sequences) are refused before the
 * parser sees the bytes, so Custody never reads a document another verifier would decode
 * differently. Every parse is bounded while it runs, before a tree is built past the bound: at most
 * {@link #MAX_NESTING_DEPTH} levels of nesting and at most {@link #MAX_TOKENS} tokens ({@link
 * #MAX_BUNDLE_TOKENS} for a Sigstore bundle), with Jackson's own limits on string (20,000,000
 * characters), name (50,000) and number (1,000) lengths. Time is linear in the input's bytes and
 * the tree's memory linear in the tokens, so a 16 MiB document of {@code []} cannot make millions
 * of nodes.
 */
public final class Json {
  /**
   * The deepest nesting read: the deepest document Custody writes (a model card) nests 5 levels, a
   * Sigstore bundle 6.
   */
  public static final int MAX_NESTING_DEPTH = 64;

  /**
   * The most tokens (each value, each field name, each start and end of an object or array) one
   * document may hold: a model card names each feature once (a text model with 100,000 features
   * holds about 100,000 tokens), a provenance a few per classpath jar; 1,000,000 leaves ten times
   * that while bounding the tree to about 40 MiB in the worst case (measured: 500,000 empty
   * objects, 3 MB of input, retain 40 MiB).
   */
  public static final long MAX_TOKENS = 1_000_000;

  /**
   * The most tokens a Sigstore bundle may hold: the largest bundle of the conformance suite holds
   * about 200 (the DSSE payload is one token however long); 10,000 bounds what an unverified bundle
   * can make the reader build to about 1 MiB of nodes.
   */
  public static final long MAX_BUNDLE_TOKENS = 10_000;

  private static final ObjectMapper MAPPER = mapper(MAX_TOKENS);
  private static final ObjectMapper BUNDLE_MAPPER = mapper(MAX_BUNDLE_TOKENS);

  /** Longest parser message quoted in an error: it may hold an excerpt of the input. */
  private static final int MAX_SHOWN = 200;

  private Json() {}

  private static ObjectMapper mapper(long maxTokens) {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxTokenCount(maxTokens)
                    .build())
            .build();
    // Duplicate keys are refused as the tree is built (the replaced node is there for free), not by
    // the parser's detector, which allocates a set per object of more than two keys: every parse
    // makes a tree, so the two refuse the same documents (JsonTest).
    return JsonMapper.builder(factory)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .build();
  }

  /**
   * Parses untrusted JSON into a tree, failing with {@link Reason#MALFORMED} for anything but
   * well-formed UTF-8 JSON within the bounds of the class description.
   */
  public static JsonNode parse(byte[] json, String what) throws PipelineException {
    return parse(MAPPER, json, what);
  }

  /**
   * A streaming parser over untrusted JSON with {@link #parse}'s bounds (UTF-8 only, nesting depth,
   * token count), for a hot path that must not build a tree. Duplicate keys are not refused (the
   * tree refuses them as it is built) and trailing tokens not read: the caller does both.
   */
  public static JsonParser parser(byte[] json, String what) throws PipelineException {
    requireUtf8(json, what);
    try {
      return MAPPER.createParser(json);
    } catch (IOException e) {
      throw new PipelineException(Reason.MALFORMED, what + ": unreadable JSON", e);
    }
  }

  /** As {@link #parse}, with at most {@link #MAX_BUNDLE_TOKENS} tokens: for Sigstore bundles. */
  static JsonNode parseBundle(byte[] json, String what) throws PipelineException {
    return parse(BUNDLE_MAPPER, json, what);
  }

  private static JsonNode parse(ObjectMapper mapper, byte[] json, String what)
      throws PipelineException {
    requireUtf8(json, what);
    try {
      JsonNode node = mapper.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new PipelineException(Reason.MALFORMED, what + ": expected JSON, found no content");
      }
      return node;
    } catch (StreamConstraintsException e) {
      throw new PipelineException(
          Reason.MALFORMED, what + ": too large to read: " + e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      throw new PipelineException(
          Reason.MALFORMED, what + ": not valid JSON: " + Printable.of(shown(e), MAX_SHOWN), e);
    } catch (IOException e) {
      throw new PipelineException(Reason.MALFORMED, what + ": unreadable JSON", e);
    }
  }

  /** The parser's message; for a duplicate key only its first part, naming the key. */
  private static String shown(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    return m != null && m.startsWith("Duplicate field ") && m.endsWith(DUPLICATE_SUFFIX)
        ? m.substring(0, m.length() - DUPLICATE_SUFFIX.length())
        : m;
  }

  /** What Jackson adds to a duplicate key's message when the tree refuses it. */
  private static final String DUPLICATE_SUFFIX =
      " for `ObjectNode`: not allowed when `DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY`"
          + " enabled";

  /**
   * Refuses anything but UTF-8 without a byte-order mark (RFC 8259 section 8.1): Jackson would
   * otherwise detect UTF-16 and UTF-32 and skip a BOM, reading bytes other verifiers refuse.
   */
  static void requireUtf8(byte[] json, String what) throws PipelineException {
    if (json.length >= 3
        && (json[0] & 0xFF) == 0xEF
        && (json[1] & 0xFF) == 0xBB
        && (json[2] & 0xFF) == 0xBF) {
      throw notUtf8(what, "a UTF-8 byte-order mark");
    }
    if (json.length >= 2
        && (((json[0] & 0xFF) == 0xFE && (json[1] & 0xFF) == 0xFF)
            || ((json[0] & 0xFF) == 0xFF && (json[1] & 0xFF) == 0xFE))) {
      throw notUtf8(what, "a UTF-16 or UTF-32 byte-order mark");
    }
    for (int i = 0; i < Math.min(4, json.length); i++) {
      if (json[i] == 0) {
        throw notUtf8(what, "UTF-16 or UTF-32 (a NUL byte at offset " + i + ")");
      }
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(json);
    // Never more chars than bytes; at least a surrogate pair's two.
    CharBuffer out = CharBuffer.allocate(Math.max(2, Math.min(8192, json.length)));
    while (true) {
      CoderResult r = decoder.decode(in, out, true);
      if (r.isError()) {
        throw notUtf8(what, "an invalid UTF-8 sequence at byte offset " + in.position());
      }
      if (r.isUnderflow()) {
        break;
      }
      out.clear(); // overflow: only validity matters, not the characters
    }
    out.clear();
    CoderResult end = decoder.flush(out);
    if (end.isError()) {
      throw notUtf8(what, "a truncated UTF-8 sequence at the end");
    }
  }

  private static PipelineException notUtf8(String what, String found) {
    return new PipelineException(
        Reason.MALFORMED, what + ": expected UTF-8 JSON (RFC 8259), found " + found);
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
