package dev.custody.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import dev.custody.core.Printable;
import dev.custody.core.Reason;
import dev.custody.core.feedback.FeedbackEntry;
import dev.custody.core.feedback.FeedbackJson;
import dev.custody.core.feedback.FeedbackLabels;
import dev.custody.core.feedback.FeedbackRecord;
import dev.custody.core.feedback.FeedbackStatus;
import dev.custody.serve.feedback.FeedbackQuota;
import dev.custody.serve.feedback.FeedbackStore;
import dev.custody.serve.security.Client;
import dev.custody.verify.Prediction;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The feedback endpoint's work once the client is authenticated and the body read: validate one row
 * and its label as inference would, predict it with the served model, decide accepted or
 * quarantined, hold the client to its quota, and append the record durably before answering. The
 * server only records: nothing here changes the model in service.
 */
final class FeedbackIntake {
  private static final System.Logger LOG = System.getLogger(FeedbackIntake.class.getName());

  /** Longest log line written about a store failure. */
  private static final int MAX_LOGGED = 2_000;

  private static final Set<String> FIELDS = Set.of("inputs", "label", "prediction_id");

  /** Longest {@code prediction_id} recorded: a reference, not a place to store data. */
  static final int MAX_PREDICTION_ID = 200;

  private final FeedbackStore store;
  private final FeedbackQuota quota;
  private final double quarantineAbove;
  private final Set<String> quarantineLabels; // null: the served model's default
  private final Metrics metrics;
  private final Clock clock;

  /**
   * One lock per client id (the token file bounds their number): a client's quota count and its
   * append happen together, so concurrent requests of one client cannot overrun the quota on one
   * server. Across replicas the overrun is at most one record per replica.
   */
  private final Map<String, Object> clientLocks = new ConcurrentHashMap<>();

  FeedbackIntake(
      FeedbackStore store,
      FeedbackQuota quota,
      double quarantineAbove,
      Set<String> quarantineLabels,
      Metrics metrics,
      Clock clock) {
    this.store = store;
    this.quota = quota;
    this.quarantineAbove = quarantineAbove;
    this.quarantineLabels = quarantineLabels;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** An answer: 201 for a new record, 200 for a duplicate, and the response body. */
  @SuppressWarnings("ArrayRecordComponent") // a value passed once, never compared
  record Answer(int status, byte[] body) {}

  /**
   * Takes one feedback claim.
   *
   * @throws ApiException 400 {@code INVALID_INPUT} naming the field, column or label; 429 {@code
   *     FEEDBACK_QUOTA_EXCEEDED} with {@code Retry-After}; 503 {@code FEEDBACK_STORE_UNAVAILABLE}
   *     when the record could not be made durable
   */
  Answer take(ServedModel m, Client client, JsonNode root, int maxRows) throws ApiException {
    if (!root.isObject()) {
      throw Inference.invalid(
          "expected a JSON object with \"inputs\" and \"label\", found a JSON "
              + Inference.kind(root));
    }
    Inference.requireFields(root, FIELDS, "feedback");
    String label = label(m, root.get("label"));
    Optional<String> predictionId = predictionId(root.get("prediction_id"));
    ObjectNode only = JsonNodeFactory.instance.objectNode();
    if (root.has("inputs")) {
      only.set("inputs", root.get("inputs"));
    }
    List<Map<String, Object>> rows = Inference.read(only, m.columns(), maxRows).rows();
    if (rows.size() != 1) {
      throw Inference.invalid(
          "\"inputs\": expected exactly one row (shape [1]), found " + rows.size());
    }
    Prediction p = Inference.predict(m, rows).get(0); // validates every column
    Map<String, String> input = canonical(m, rows.get(0));
    double confidence = p.scores().getOrDefault(p.label(), 0.0);
    Set<String> protectedLabels =
        quarantineLabels != null
            ? quarantineLabels
            : Set.copyOf(FeedbackLabels.defaultProtected(m.classes()));
    // The train stage's rule: only a claim of a protected label against a sure prediction is held.
    boolean contested = !label.equals(p.label()) && protectedLabels.contains(label);
    boolean quarantined = contested && confidence >= quarantineAbove;
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS); // the record format's precision
    FeedbackEntry entry =
        new FeedbackEntry(
            client.id(),
            now,
            m.name(),
            m.rootDigest(),
            input,
            FeedbackJson.inputDigest(input),
            label,
            p.label(),
            confidence,
            quarantined ? FeedbackStatus.QUARANTINED : FeedbackStatus.ACCEPTED,
            why(label, p.label(), confidence, protectedLabels),
            predictionId);
    FeedbackStore.Appended a;
    synchronized (clientLocks.computeIfAbsent(client.id(), k -> new Object())) {
      a = appendWithinQuota(client, entry, now);
    }
    String status = a.duplicate() ? "duplicate" : a.record().entry().status().word();
    metrics.feedback(status);
    return new Answer(a.duplicate() ? 200 : 201, response(m, a, status));
  }

  private FeedbackStore.Appended appendWithinQuota(Client client, FeedbackEntry entry, Instant now)
      throws ApiException {
    try {
      long used = store.countSince(client.id(), quota.windowStart(now));
      if (used >= quota.max()) {
        long retry = quota.secondsUntilNextWindow(now);
        throw new ApiException(
            new Rejection(
                429,
                ServeReasons.FEEDBACK_QUOTA_EXCEEDED,
                "client "
                    + client.id()
                    + " sent "
                    + used
                    + " feedback records in this window; expected at most "
                    + quota.max()
                    + " per "
                    + quota.window().toSeconds()
                    + " s: nothing recorded, retry in "
                    + retry
                    + " s",
                Map.of("Retry-After", Long.toString(retry))));
      }
      return store.append(entry);
    } catch (PipelineException | UncheckedIOException | IllegalStateException e) {
      // A closed store throws IllegalStateException. The client learns that nothing was
      // acknowledged, not the store's paths or addresses.
      LOG.log(
          System.Logger.Level.WARNING,
          // Escaped: the message may echo a path or a record's field, and the log is a terminal.
          Printable.line(
              "feedback store " + store.describe() + ": cannot record feedback: " + e.getMessage(),
              MAX_LOGGED));
      throw new ApiException(
          new Rejection(
              503,
              Reason.FEEDBACK_STORE_UNAVAILABLE.name(),
              "the feedback store cannot make the record durable now: it is not acknowledged;"
                  + " retry later",
              Map.of("Retry-After", "5")));
    }
  }

  private static String label(ServedModel m, JsonNode node) throws ApiException {
    if (node == null || !node.isTextual() || !m.classes().contains(node.asText())) {
      throw Inference.invalid(
          "\"label\": expected one of the model's labels "
              + quoted(m.classes())
              + ", found "
              + (node == null
                  ? "none"
                  : node.isTextual()
                      ? Inference.quote(node.asText())
                      : "a JSON " + Inference.kind(node)));
    }
    return node.asText();
  }

  private static Optional<String> predictionId(JsonNode node) throws ApiException {
    if (node == null) {
      return Optional.empty();
    }
    if (!node.isTextual()
        || node.asText().isEmpty()
        || node.asText().length() > MAX_PREDICTION_ID) {
      throw Inference.invalid(
          "\"prediction_id\": expected a string of 1 to "
              + MAX_PREDICTION_ID
              + " characters, found "
              + (node.isTextual()
                  ? node.asText().length() + " characters"
                  : "a JSON " + Inference.kind(node)));
    }
    return Optional.of(node.asText());
  }

  /**
   * The row's feature columns as text, the way the encoder read them: a number in its shortest
   * plain decimal form ({@code 20000}, {@code 2e4} and {@code 20000.0} are one input), anything
   * else as sent. Called only after the encoder accepted the row, so every number parses.
   */
  private static Map<String, String> canonical(ServedModel m, Map<String, Object> row) {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, Inference.Kind> kinds = m.columns().kinds();
    for (String c : m.columns().features()) {
      Object v = row.get(c);
      String text = v instanceof Double d ? Double.toString(d) : (String) v;
      out.put(
          c,
          kinds.get(c) == Inference.Kind.NUMERIC
              ? new BigDecimal(text).stripTrailingZeros().toPlainString()
              : text);
    }
    return out;
  }

  private String why(String label, String served, double confidence, Set<String> protectedLabels) {
    String c = String.format(Locale.ROOT, "%.4f", confidence);
    if (label.equals(served)) {
      return "agrees with the served model's prediction \"" + served + "\" (" + c + ")";
    }
    String t = String.format(Locale.ROOT, "%.4f", quarantineAbove);
    if (!protectedLabels.contains(label)) {
      return "corrects the served model's prediction \""
          + served
          + "\" ("
          + c
          + ") to \""
          + label
          + "\", a label the quarantine does not protect "
          + quoted(protectedLabels.stream().sorted().toList())
          + ": accepted at any confidence";
    }
    if (confidence >= quarantineAbove) {
      return "claims the protected label \""
          + label
          + "\" against the served model's confident prediction \""
          + served
          + "\" ("
          + c
          + " >= the quarantine threshold "
          + t
          + "): held out of training until reviewed";
    }
    return "claims the protected label \""
        + label
        + "\" against the served model's prediction \""
        + served
        + "\" ("
        + c
        + " < the quarantine threshold "
        + t
        + ")";
  }

  private static byte[] response(ServedModel m, FeedbackStore.Appended a, String status) {
    FeedbackRecord r = a.record();
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("status", status);
    root.put("duplicate", a.duplicate());
    root.put(
        "why",
        a.duplicate()
            ? "this client already sent feedback on this input to this model (record "
                + r.chain()
                + "#"
                + r.sequence()
                + ", "
                + r.entry().status().word()
                + "): counted once, nothing new recorded"
            : r.entry().why());
    ObjectNode rec = root.putObject("record");
    rec.put("chain", r.chain());
    rec.put("seq", r.sequence());
    rec.put("hash", r.hash().hex());
    rec.put("status", r.entry().status().word());
    ObjectNode model = root.putObject("model");
    model.put("name", m.name());
    model.put("digest", m.digestHeader());
    return Json.write(root);
  }

  private static String quoted(List<String> labels) {
    StringBuilder b = new StringBuilder("[");
    for (String l : labels) {
      b.append(b.length() > 1 ? ", " : "").append(Inference.quote(l));
    }
    return b.append(']').toString();
  }
}
