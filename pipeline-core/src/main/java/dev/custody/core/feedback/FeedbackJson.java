package dev.custody.core.feedback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import dev.custody.core.Printable;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The canonical line of a feedback record: compact UTF-8 JSON with its keys in one fixed order, so
 * that the bytes a store hashes are the bytes anyone re-reading the journal or an export hashes.
 *
 * <pre>{@code
 * {"seq":1,"chain":"journal","time":"2026-12-07T14:00:00.123Z","client":"alice","model":"sms-spam",
 *  "modelDigest":"<hex>","input":{"text":"..."},"inputDigest":"<hex>","label":"ham",
 *  "served":{"label":"spam","confidence":0.98},"status":"accepted","why":"...",
 *  "predictionId":"p-1","prev":"<hex>"}
 * }</pre>
 *
 * <p>{@code input}'s keys are sorted; {@code predictionId} is left out when absent. The record's
 * hash is the SHA-256 of the line without its newline. {@link #parse} accepts only lines that
 * {@link #line} would write byte for byte, so there is exactly one encoding of each record.
 */
public final class FeedbackJson {
  /** The longest line {@link #parse} reads: a bound for hostile journals and exports. */
  public static final int MAX_LINE_BYTES = 1 << 20;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final List<String> KEYS =
      List.of(
          "seq",
          "chain",
          "time",
          "client",
          "model",
          "modelDigest",
          "input",
          "inputDigest",
          "label",
          "served",
          "status",
          "why",
          "predictionId",
          "prev");

  private FeedbackJson() {}

  /** The canonical line (without newline) of {@code entry} at {@code seq} in {@code chain}. */
  public static byte[] line(long seq, String chain, FeedbackEntry entry, Sha256 previous) {
    ObjectNode o = NODES.objectNode();
    o.put("seq", seq);
    o.put("chain", chain);
    o.put("time", entry.time().toString());
    o.put("client", entry.client());
    o.put("model", entry.model());
    o.put("modelDigest", entry.modelDigest().hex());
    o.set("input", inputNode(entry.input()));
    o.put("inputDigest", entry.inputDigest().hex());
    o.put("label", entry.label());
    ObjectNode served = o.putObject("served");
    served.put("label", entry.servedLabel());
    served.put("confidence", entry.servedConfidence());
    o.put("status", entry.status().word());
    o.put("why", entry.why());
    entry.predictionId().ifPresent(p -> o.put("predictionId", p));
    o.put("prev", previous.hex());
    return Json.write(o);
  }

  /** The record {@code entry} becomes at {@code seq} in {@code chain} after {@code previous}. */
  public static FeedbackRecord record(
      long seq, String chain, FeedbackEntry entry, Sha256 previous) {
    return new FeedbackRecord(
        seq, chain, entry, previous, Sha256.of(line(seq, chain, entry, previous)));
  }

  /**
   * The digest de-duplication keys on: SHA-256 of the input's canonical JSON (keys sorted, values
   * as strings, no whitespace).
   */
  public static Sha256 inputDigest(Map<String, String> input) {
    return Sha256.of(Json.write(inputNode(input)));
  }

  private static ObjectNode inputNode(Map<String, String> input) {
    ObjectNode in = NODES.objectNode();
    new TreeMap<>(input).forEach(in::put);
    return in;
  }

  /**
   * Reads one canonical line (without newline) strictly: every key present in order (only {@code
   * predictionId} may be absent), nothing else, the right types, a digest of the input that
   * matches, and bytes equal to what {@link #line} writes for the record read.
   *
   * @param where what the line is, for messages (a file and line number)
   * @throws PipelineException {@code MALFORMED} naming {@code where} and what was expected and
   *     found
   */
  public static FeedbackRecord parse(byte[] line, String where) throws PipelineException {
    if (line.length > MAX_LINE_BYTES) {
      throw malformed(
          where, "a line of at most " + MAX_LINE_BYTES + " bytes", line.length + " bytes");
    }
    JsonNode node = Json.parse(line, where);
    if (!node.isObject()) {
      throw malformed(
          where, "a JSON object", node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
    }
    Iterator<String> names = node.fieldNames();
    for (String key : KEYS) {
      if (key.equals("predictionId") && !node.has(key)) {
        continue;
      }
      String found = names.hasNext() ? names.next() : "the end of the object";
      if (!found.equals(key)) {
        throw malformed(where, "key \"" + key + "\"", "\"" + Printable.of(found, 64) + "\"");
      }
    }
    if (names.hasNext()) {
      throw malformed(where, "no key after \"prev\"", "\"" + Printable.of(names.next(), 64) + "\"");
    }
    long seq = node.get("seq").isIntegralNumber() ? node.get("seq").asLong() : 0;
    if (seq < 1) {
      throw malformed(where, "\"seq\" a whole number >= 1", node.get("seq").toString());
    }
    Map<String, String> input = new LinkedHashMap<>();
    JsonNode in = node.get("input");
    if (!in.isObject()) {
      throw malformed(where, "\"input\" an object of column values", in.getNodeType().toString());
    }
    for (Map.Entry<String, JsonNode> e : in.properties()) {
      if (!e.getValue().isTextual()) {
        throw malformed(
            where,
            "input column \"" + Printable.of(e.getKey(), 64) + "\" a string",
            e.getValue().getNodeType().toString());
      }
      input.put(e.getKey(), e.getValue().textValue());
    }
    JsonNode served = node.get("served");
    if (!served.isObject()
        || served.size() != 2
        || !served.path("label").isTextual()
        || !served.path("confidence").isNumber()) {
      throw malformed(
          where,
          "\"served\" {\"label\": string, \"confidence\": number}",
          Printable.of(served.toString(), 120));
    }
    double confidence = served.get("confidence").asDouble();
    if (!(confidence >= 0 && confidence <= 1)) {
      throw malformed(where, "a served confidence in [0, 1]", String.valueOf(confidence));
    }
    Sha256 inputDigest = digest(node, "inputDigest", where);
    if (!inputDigest.equals(inputDigest(input))) {
      throw malformed(
          where,
          "\"inputDigest\" " + inputDigest(input).hex() + " (of the input)",
          inputDigest.hex());
    }
    FeedbackEntry entry =
        new FeedbackEntry(
            text(node, "client", where),
            instant(node, where),
            text(node, "model", where),
            digest(node, "modelDigest", where),
            input,
            inputDigest,
            text(node, "label", where),
            served.get("label").textValue(),
            confidence,
            status(text(node, "status", where), where),
            text(node, "why", where),
            node.has("predictionId")
                ? Optional.of(text(node, "predictionId", where))
                : Optional.empty());
    Sha256 previous = digest(node, "prev", where);
    String chain = text(node, "chain", where);
    byte[] canonical = line(seq, chain, entry, previous);
    if (!MessageDigest.isEqual(canonical, line)) {
      throw malformed(
          where,
          "the canonical encoding of this record",
          "another encoding of it (spacing, escapes or number format differ)");
    }
    return new FeedbackRecord(seq, chain, entry, previous, Sha256.of(line));
  }

  private static String text(JsonNode node, String key, String where) throws PipelineException {
    JsonNode v = node.get(key);
    if (!v.isTextual() || v.textValue().isEmpty()) {
      throw malformed(where, "\"" + key + "\" a non-empty string", Printable.of(v.toString(), 64));
    }
    return v.textValue();
  }

  private static Sha256 digest(JsonNode node, String key, String where) throws PipelineException {
    String hex = text(node, key, where);
    if (!hex.matches("[0-9a-f]{64}")) {
      throw malformed(
          where, "\"" + key + "\" 64 lower-case hex digits", "\"" + Printable.of(hex, 80) + "\"");
    }
    return new Sha256(hex);
  }

  private static Instant instant(JsonNode node, String where) throws PipelineException {
    String t = text(node, "time", where);
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      throw malformed(where, "\"time\" an ISO-8601 UTC instant", "\"" + Printable.of(t, 64) + "\"");
    }
  }

  private static FeedbackStatus status(String word, String where) throws PipelineException {
    for (FeedbackStatus s : FeedbackStatus.values()) {
      if (s.word().equals(word)) {
        return s;
      }
    }
    throw malformed(
        where, "\"status\" accepted or quarantined", "\"" + Printable.of(word, 64) + "\"");
  }

  private static PipelineException malformed(String where, String expected, String found) {
    return new PipelineException(
        Reason.MALFORMED, where + ": expected " + expected + ", found " + found);
  }
}
