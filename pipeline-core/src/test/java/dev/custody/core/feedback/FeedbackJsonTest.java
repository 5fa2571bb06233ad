package dev.custody.core.feedback;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FeedbackJsonTest {
  private static final Sha256 MODEL = Sha256.of("model".getBytes(UTF_8));

  private static FeedbackEntry entry(Map<String, String> input, Optional<String> predictionId) {
    return new FeedbackEntry(
        "alice",
        Instant.parse("2026-12-07T14:00:00.123Z"),
        "sms-spam",
        MODEL,
        input,
        FeedbackJson.inputDigest(input),
        "ham",
        "spam",
        0.98,
        FeedbackStatus.QUARANTINED,
        "contradicts a confident prediction (spam 0.98 >= 0.9)",
        predictionId);
  }

  private static String line(FeedbackEntry e) {
    return new String(FeedbackJson.line(1, "journal", e, FeedbackRecord.GENESIS), UTF_8);
  }

  @Test
  void line_writesKeysInTheDocumentedOrder_andSortsInputColumns() {
    Map<String, String> input = new LinkedHashMap<>();
    input.put("text", "Free entry");
    input.put("subject", "WIN");
    String line = line(entry(input, Optional.of("p-1")));

    assertThat(line)
        .isEqualTo(
            "{\"seq\":1,\"chain\":\"journal\",\"time\":\"2026-12-07T14:00:00.123Z\","
                + "\"client\":\"alice\",\"model\":\"sms-spam\",\"modelDigest\":\""
                + MODEL.hex()
                + "\",\"input\":{\"subject\":\"WIN\",\"text\":\"Free entry\"},\"inputDigest\":\""
                + FeedbackJson.inputDigest(input).hex()
                + "\",\"label\":\"ham\",\"served\":{\"label\":\"spam\",\"confidence\":0.98},"
                + "\"status\":\"quarantined\",\"why\":\"contradicts a confident prediction (spam"
                + " 0.98 >= 0.9)\",\"predictionId\":\"p-1\",\"prev\":\""
                + "0".repeat(64)
                + "\"}");
  }

  @Test
  void inputDigest_sameColumnsInAnotherOrder_isTheSame() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("x", "1");
    a.put("y", "2");
    Map<String, String> b = new LinkedHashMap<>();
    b.put("y", "2");
    b.put("x", "1");

    assertThat(FeedbackJson.inputDigest(a)).isEqualTo(FeedbackJson.inputDigest(b));
    assertThat(FeedbackJson.inputDigest(a))
        .isNotEqualTo(FeedbackJson.inputDigest(Map.of("x", "1")));
  }

  @Test
  void parse_ofItsOwnLine_givesTheSameRecordAndTheHashOfTheLine() throws PipelineException {
    FeedbackEntry e = entry(Map.of("text", "caf\u00e9 \u2603 \"quoted\""), Optional.empty());
    byte[] line = FeedbackJson.line(7, "replica-a", e, MODEL);

    FeedbackRecord r = FeedbackJson.parse(line, "journal line 7");

    assertThat(r).isEqualTo(FeedbackJson.record(7, "replica-a", e, MODEL));
    assertThat(r.hash()).isEqualTo(Sha256.of(line));
    assertThat(r.entry().predictionId()).isEmpty();
  }

  @Test
  void parse_changedLabel_failsBecauseTheInputDigestStillMatchesButTheHashDiffers()
      throws PipelineException {
    byte[] line =
        FeedbackJson.line(
            1, "journal", entry(Map.of("text", "x"), Optional.empty()), FeedbackRecord.GENESIS);
    byte[] changed =
        new String(line, UTF_8).replace("\"label\":\"ham\"", "\"label\":\"spm\"").getBytes(UTF_8);

    // A changed field still parses (it is canonical); the chain catches it: the hash differs.
    assertThat(FeedbackJson.parse(changed, "l").hash()).isNotEqualTo(Sha256.of(line));
  }

  @Test
  void parse_changedInput_failsWithInputDigestMismatch() {
    String line = line(entry(Map.of("text", "win cash"), Optional.empty()));

    assertThatThrownBy(
            () ->
                FeedbackJson.parse(
                    line.replace("win cash", "win cask").getBytes(UTF_8), "journal line 3"))
        .isInstanceOf(PipelineException.class)
        .hasMessageStartingWith("journal line 3: expected \"inputDigest\" ")
        .extracting(t -> ((PipelineException) t).reason())
        .isEqualTo(Reason.MALFORMED);
  }

  @Test
  void parse_nonCanonicalSpacing_isRefused() {
    String line = line(entry(Map.of("text", "x"), Optional.empty()));

    assertThatThrownBy(
            () ->
                FeedbackJson.parse(line.replace(",\"chain\"", ", \"chain\"").getBytes(UTF_8), "l"))
        .hasMessage(
            "l: expected the canonical encoding of this record, found another encoding of it (spacing, escapes or number format differ)");
  }

  @Test
  void parse_reorderedOrUnknownKeys_areRefusedNamingTheKey() {
    String line = line(entry(Map.of("text", "x"), Optional.empty()));
    String reordered =
        line.replace("{\"seq\":1,\"chain\":\"journal\",", "{\"chain\":\"journal\",\"seq\":1,");
    String extra = line.substring(0, line.length() - 1) + ",\"weight\":1}";

    assertThatThrownBy(() -> FeedbackJson.parse(reordered.getBytes(UTF_8), "l"))
        .hasMessage("l: expected key \"seq\", found \"chain\"");
    assertThatThrownBy(() -> FeedbackJson.parse(extra.getBytes(UTF_8), "l"))
        .hasMessage("l: expected no key after \"prev\", found \"weight\"");
  }

  @Test
  void parse_tornLine_isMalformedNotARecord() {
    String line = line(entry(Map.of("text", "x"), Optional.empty()));

    assertThatThrownBy(
            () ->
                FeedbackJson.parse(
                    line.substring(0, line.length() / 2).getBytes(UTF_8), "journal line 9"))
        .isInstanceOf(PipelineException.class)
        .hasMessageStartingWith("journal line 9: not valid JSON");
  }

  @Test
  void parse_badFieldValues_areRefusedSayingWhatWasExpected() {
    String line = line(entry(Map.of("text", "x"), Optional.empty()));

    assertThatThrownBy(
            () -> FeedbackJson.parse(line.replace("\"seq\":1", "\"seq\":0").getBytes(UTF_8), "l"))
        .hasMessage("l: expected \"seq\" a whole number >= 1, found 0");
    assertThatThrownBy(
            () -> FeedbackJson.parse(line.replace("quarantined", "approved").getBytes(UTF_8), "l"))
        .hasMessage("l: expected \"status\" accepted or quarantined, found \"approved\"");
    assertThatThrownBy(() -> FeedbackJson.parse(line.replace("0.98", "1.5").getBytes(UTF_8), "l"))
        .hasMessage("l: expected a served confidence in [0, 1], found 1.5");
    assertThatThrownBy(
            () ->
                FeedbackJson.parse(line.replace("14:00:00.123Z", "yesterday").getBytes(UTF_8), "l"))
        .hasMessage("l: expected \"time\" an ISO-8601 UTC instant, found \"2026-12-07Tyesterday\"");
    assertThatThrownBy(
            () ->
                FeedbackJson.parse(
                    line.replace("\"prev\":\"0", "\"prev\":\"Z").getBytes(UTF_8), "l"))
        .hasMessageStartingWith("l: expected \"prev\" 64 lower-case hex digits");
    assertThatThrownBy(() -> FeedbackJson.parse("[1]".getBytes(UTF_8), "l"))
        .hasMessage("l: expected a JSON object, found array");
  }

  @Test
  void parse_overlongLine_isRefusedBeforeParsing() {
    byte[] big = new byte[FeedbackJson.MAX_LINE_BYTES + 1];

    assertThatThrownBy(() -> FeedbackJson.parse(big, "l"))
        .hasMessage("l: expected a line of at most 1048576 bytes, found 1048577 bytes");
  }
}
