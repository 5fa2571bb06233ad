package dev.custody.core.chain;

import static dev.custody.core.chain.Edits.F;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import dev.custody.core.chain.FeedbackExportPredicate.ClientCounts;
import dev.custody.core.chain.FeedbackExportPredicate.Head;
import dev.custody.core.feedback.FeedbackStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FeedbackExportPredicateTest {
  private static final Sha256 FILE = Sha256.of("file".getBytes(StandardCharsets.UTF_8));
  private static final Sha256 HEAD = Sha256.of("head".getBytes(StandardCharsets.UTF_8));
  private static final Sha256 MODEL = Sha256.of("model".getBytes(StandardCharsets.UTF_8));

  static FeedbackExportPredicate sample() {
    return new FeedbackExportPredicate(
        "/var/lib/custody/feedback.journal",
        Optional.of("sms-spam"),
        List.of(new Head("journal", 1, HEAD)),
        4,
        Map.of(FeedbackStatus.ACCEPTED, 2L, FeedbackStatus.QUARANTINED, 2L),
        Map.of(
            "alice", new ClientCounts(1, 1),
            "bob", new ClientCounts(1, 0),
            "carol", new ClientCounts(0, 1)),
        Map.of(MODEL, 4L),
        Instant.parse("2026-12-07T15:00:00.123Z"));
  }

  private static Statement written() {
    return sample().statement(FILE);
  }

  private static void assertRefused(Statement st, Reason reason, String message) {
    assertThatThrownBy(() -> FeedbackExportPredicate.read(st))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.reason()).isEqualTo(reason))
        .hasMessageContaining(message);
  }

  @Test
  void read_writtenStatement_roundTrips() throws Exception {
    Statement parsed = Statement.parse(written().toJson());

    assertThat(FeedbackExportPredicate.read(parsed)).isEqualTo(sample());
    assertThat(parsed.subjects()).containsExactly(Statement.Subject.of("feedback.jsonl", FILE));
    assertThat(parsed.predicateType()).isEqualTo("https://custody.dev/feedback/v1");
    assertThat(new String(written().toJson(), StandardCharsets.UTF_8))
        .contains("\"clients\":{\"alice\":{\"accepted\":1,\"quarantined\":1},\"bob\":")
        .contains("\"heads\":[{\"chain\":\"journal\",\"seq\":1,\"hash\":\"" + HEAD.hex() + "\"}]")
        .contains("\"exportedAt\":\"2026-12-07T15:00:00.123Z\"");
  }

  @Test
  void read_noModelFilter_roundTripsWithoutTheKey() throws Exception {
    FeedbackExportPredicate p = sample();
    FeedbackExportPredicate all =
        new FeedbackExportPredicate(
            p.store(),
            Optional.empty(),
            p.heads(),
            p.records(),
            p.statuses(),
            p.clients(),
            p.modelDigests(),
            p.exportedAt());

    Statement st = Statement.parse(all.statement(FILE).toJson());
    assertThat(st.predicate().has("model")).isFalse();
    assertThat(FeedbackExportPredicate.read(st)).isEqualTo(all);
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        arguments(
            Edits.put("extra", "/extra", F.textNode("x")),
            "feedback predicate: unknown field 'extra'"),
        arguments(
            Edits.put("client extra", "/clients/alice/rejected", F.numberNode(0)),
            "feedback predicate.clients.alice: unknown field 'rejected'"),
        arguments(
            Edits.put("head extra", "/heads/0/prev", F.textNode("x")),
            "feedback predicate.heads[0]: unknown field 'prev'"),
        arguments(
            Edits.remove("no records", "/records"),
            "feedback predicate.records: expected a non-negative integer, found nothing"),
        arguments(
            Edits.remove("no quarantined", "/statuses/quarantined"),
            "feedback predicate.statuses.quarantined: expected a non-negative integer"),
        arguments(
            Edits.put("negative", "/clients/bob/accepted", F.numberNode(-1)),
            "expected a non-negative integer, found number -1"),
        arguments(
            Edits.put("seq 0", "/heads/0/seq", F.numberNode(0)),
            "feedback predicate.heads[0].seq: expected a sequence number >= 1"),
        arguments(
            Edits.put("bad hash", "/heads/0/hash", F.textNode("ABC")),
            "feedback predicate.heads[0].hash: expected a lower-case hex sha256"),
        arguments(
            Edits.put("bad digest key", "/modelDigests/xyz", F.numberNode(0)),
            "feedback predicate.modelDigests: expected lower-case hex sha256 keys, found 'xyz'"),
        arguments(
            Edits.put("bad time", "/exportedAt", F.textNode("yesterday")),
            "feedback predicate.exportedAt: expected an RFC 3339 time"),
        arguments(
            Edits.put("more records", "/records", F.numberNode(5)),
            "expected the counts per status, per client and per model digest to add up to 5"
                + " records, found 4, 4 and 4"),
        arguments(Edits.duplicate("two heads", "/heads/0"), "chain 'journal' is listed twice"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void read_editedPredicate_isMalformed(Edits edit, String message) {
    assertRefused(edit.applyTo(written()), Reason.MALFORMED, message);
  }

  @Test
  void read_otherPredicateType_isUnsupported() {
    assertRefused(
        Edits.retyped(written(), DatasetPredicate.TYPE),
        Reason.UNSUPPORTED,
        "feedback attestation: expected predicate type https://custody.dev/feedback/v1");
  }

  @Test
  void read_otherSubjectName_isMalformed() {
    assertRefused(
        Edits.resubjected(written(), Statement.Subject.of("train.csv", FILE)),
        Reason.MALFORMED,
        "feedback attestation: expected subject feedback.jsonl, found train.csv");
  }

  @Test
  void constructor_countsThatDoNotAddUp_isRefused() {
    FeedbackExportPredicate p = sample();

    assertThatThrownBy(
            () ->
                new FeedbackExportPredicate(
                    p.store(),
                    p.model(),
                    p.heads(),
                    p.records(),
                    p.statuses(),
                    Map.of("alice", new ClientCounts(1, 1)), // bob and carol left out
                    p.modelDigests(),
                    p.exportedAt()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("found 4, 2 and 4");
  }
}
