package dev.custody.core.feedback;

import dev.custody.core.Sha256;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One feedback claim as the server takes it in, before the store gives it a place in its chain.
 *
 * @param client the authenticated client id (from the token file), never the token
 * @param time when the server accepted the request (UTC)
 * @param model the served model's name
 * @param modelDigest the root digest of the exact model that served the request
 * @param input the raw column values of one row, as the infer endpoint takes them, in schema order
 * @param inputDigest SHA-256 of the input's canonical JSON (keys sorted, values as strings, no
 *     whitespace): what de-duplication keys on, so the same row with columns in another order is
 *     the same input
 * @param label the label the client claims
 * @param servedLabel the label the served model predicted for {@code input}
 * @param servedConfidence the served model's probability of {@code servedLabel}
 * @param status accepted or quarantined
 * @param why one sentence saying why the status was chosen (shown to the client and reviewers)
 * @param predictionId the client's reference to an earlier prediction, if it sent one
 */
public record FeedbackEntry(
    String client,
    Instant time,
    String model,
    Sha256 modelDigest,
    Map<String, String> input,
    Sha256 inputDigest,
    String label,
    String servedLabel,
    double servedConfidence,
    FeedbackStatus status,
    String why,
    Optional<String> predictionId) {

  public FeedbackEntry {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(modelDigest, "modelDigest");
    input = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(input));
    Objects.requireNonNull(inputDigest, "inputDigest");
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(servedLabel, "servedLabel");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(why, "why");
    Objects.requireNonNull(predictionId, "predictionId");
  }
}
