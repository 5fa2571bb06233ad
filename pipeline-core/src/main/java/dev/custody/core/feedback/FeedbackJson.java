package dev.custody.core.feedback;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Stand-in for the lead's canonical record line (replaced by main's FeedbackJson when it lands):
 * same three signatures, same key order.
 */
public final class FeedbackJson {
  /** Longest record line read or written. */
  public static final int MAX_LINE_BYTES = 1 << 20;

  private FeedbackJson() {}

  /** The canonical line (no newline). */
  public static byte[] line(long seq, String chain, FeedbackEntry e, Sha256 prev) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("seq", seq);
    o.put("chain", chain);
    o.put("time", e.time().truncatedTo(ChronoUnit.MILLIS).toString());
    o.put("client", e.client());
    o.put("model", e.model());
    o.put("modelDigest", e.modelDigest().hex());
    ObjectNode in = o.putObject("input");
    new TreeMap<>(e.input()).forEach(in::put);
    o.put("inputDigest", e.inputDigest().hex());
    o.put("label", e.label());
    ObjectNode served = o.putObject("served");
    served.put("label", e.servedLabel());
    served.put("confidence", e.servedConfidence());
    o.put("status", e.status().word());
    o.put("why", e.why());
    e.predictionId().ifPresent(p -> o.put("predictionId", p));
    o.put("prev", prev.hex());
    return Json.write(o);
  }

  /** SHA-256 of the input's canonical JSON. */
  public static Sha256 inputDigest(Map<String, String> input) {
    ObjectNode in = JsonNodeFactory.instance.objectNode();
    new TreeMap<>(input).forEach(in::put);
    return Sha256.of(Json.write(in));
  }

  /** Parses a canonical line strictly. */
  public static FeedbackRecord parse(byte[] bytes, String where) throws PipelineException {
    JsonNode n = Json.parse(bytes, where);
    try {
      Map<String, String> input = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> f : n.get("input").properties()) {
        input.put(f.getKey(), f.getValue().textValue());
      }
      FeedbackEntry e =
          new FeedbackEntry(
              n.get("client").textValue(),
              Instant.parse(n.get("time").textValue()),
              n.get("model").textValue(),
              new Sha256(n.get("modelDigest").textValue()),
              input,
              new Sha256(n.get("inputDigest").textValue()),
              n.get("label").textValue(),
              n.get("served").get("label").textValue(),
              n.get("served").get("confidence").doubleValue(),
              FeedbackStatus.valueOf(
                  n.get("status").textValue().toUpperCase(java.util.Locale.ROOT)),
              n.get("why").textValue(),
              Optional.ofNullable(n.get("predictionId")).map(JsonNode::textValue));
      long seq = n.get("seq").longValue();
      String chain = n.get("chain").textValue();
      Sha256 prev = new Sha256(n.get("prev").textValue());
      if (!java.security.MessageDigest.isEqual(line(seq, chain, e, prev), bytes)) {
        throw new PipelineException(Reason.MALFORMED, where + ": not a canonical record line");
      }
      return new FeedbackRecord(seq, chain, e, prev, Sha256.of(bytes));
    } catch (RuntimeException ex) {
      throw new PipelineException(Reason.MALFORMED, where + ": not a feedback record: " + ex);
    }
  }
}
