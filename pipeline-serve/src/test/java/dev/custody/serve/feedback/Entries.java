package dev.custody.serve.feedback;

import dev.custody.core.Sha256;
import dev.custody.core.feedback.FeedbackEntry;
import dev.custody.core.feedback.FeedbackJson;
import dev.custody.core.feedback.FeedbackStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Feedback entries for the store tests, at fixed times. */
final class Entries {
  static final Instant T0 = Instant.parse("2026-12-07T14:00:00.123Z");
  static final Sha256 MODEL_DIGEST = Sha256.of("sms-spam v3".getBytes(StandardCharsets.UTF_8));

  private Entries() {}

  /** {@code client} says that the message {@code text} is ham, {@code second} seconds after T0. */
  static FeedbackEntry ham(String client, String text, long second) {
    return entry("sms-spam", client, text, second);
  }

  static FeedbackEntry entry(String model, String client, String text, long second) {
    Map<String, String> input = Map.of("text", text);
    return new FeedbackEntry(
        client,
        T0.plusSeconds(second),
        model,
        MODEL_DIGEST,
        input,
        FeedbackJson.inputDigest(input),
        "ham",
        "spam",
        0.97,
        FeedbackStatus.QUARANTINED,
        "contradicts a confident prediction (0.97 >= 0.9)",
        Optional.empty());
  }
}
