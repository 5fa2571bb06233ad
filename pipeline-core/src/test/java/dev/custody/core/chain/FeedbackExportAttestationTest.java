package dev.custody.core.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.BundleSigner;
import dev.custody.core.KeyBundleVerifier;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.SigningKey;
import dev.custody.core.VerificationException;
import dev.custody.core.chain.FeedbackExportPredicate.ClientCounts;
import dev.custody.core.chain.FeedbackExportPredicate.Head;
import dev.custody.core.feedback.FeedbackEntry;
import dev.custody.core.feedback.FeedbackJson;
import dev.custody.core.feedback.FeedbackRecord;
import dev.custody.core.feedback.FeedbackStatus;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The train stage's one call on an export: real lines ({@link FeedbackJson}), a real key, real
 * files; each check refused on its own by an export whose signer signed exactly what it was given.
 */
class FeedbackExportAttestationTest {
  private static final SigningKey KEY = SigningKey.generate();
  private static final Instant T0 = Instant.parse("2026-12-07T14:00:00.123Z");
  private static final Instant EXPORTED = Instant.parse("2026-12-07T15:00:00.456Z");
  private static final Sha256 SPAM_MODEL = Sha256.of("spam".getBytes(StandardCharsets.UTF_8));
  private static final Sha256 OTHER_MODEL = Sha256.of("other".getBytes(StandardCharsets.UTF_8));

  @TempDir Path dir;
  private Path file;
  private Path bundle;

  /**
   * Chain "a": alice accepted, alice quarantined, bob accepted (spam); chain "b": carol (other).
   */
  private List<FeedbackRecord> records;

  private static FeedbackEntry entry(
      String client, String text, FeedbackStatus status, String model, Sha256 digest) {
    Map<String, String> input = Map.of("text", text);
    return new FeedbackEntry(
        client,
        T0,
        model,
        digest,
        input,
        FeedbackJson.inputDigest(input),
        "ham",
        "spam",
        0.9,
        status,
        "recorded",
        Optional.empty());
  }

  @BeforeEach
  void chains() {
    file = dir.resolve("feedback.jsonl");
    bundle = dir.resolve(FeedbackExportAttestation.BUNDLE_FILE);
    records = new ArrayList<>();
    Sha256 prev = FeedbackRecord.GENESIS;
    long seq = 1;
    for (FeedbackEntry e :
        List.of(
            entry("alice", "a0", FeedbackStatus.ACCEPTED, "sms-spam", SPAM_MODEL),
            entry("alice", "a1", FeedbackStatus.QUARANTINED, "sms-spam", SPAM_MODEL),
            entry("bob", "b0", FeedbackStatus.ACCEPTED, "sms-spam", SPAM_MODEL))) {
      FeedbackRecord r = FeedbackJson.record(seq++, "a", e, prev);
      records.add(r);
      prev = r.hash();
    }
    records.add(
        FeedbackJson.record(
            1,
            "b",
            entry("carol", "c0", FeedbackStatus.QUARANTINED, "other", OTHER_MODEL),
            FeedbackRecord.GENESIS));
  }

  private static byte[] lines(List<FeedbackRecord> rs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (FeedbackRecord r : rs) {
      out.writeBytes(FeedbackJson.line(r.sequence(), r.chain(), r.entry(), r.previous()));
      out.write('\n');
    }
    return out.toByteArray();
  }

  private static List<Head> heads(List<FeedbackRecord> rs) {
    return List.of(new Head("a", 3, rs.get(2).hash()), new Head("b", 1, rs.get(3).hash()));
  }

  /** The predicate an honest export of {@code rs} writes. */
  private static FeedbackExportPredicate predicate(
      List<FeedbackRecord> rs, Optional<String> model) {
    long accepted = rs.stream().filter(r -> r.entry().status() == FeedbackStatus.ACCEPTED).count();
    Map<String, ClientCounts> clients = new java.util.TreeMap<>();
    Map<Sha256, Long> models = new java.util.HashMap<>();
    for (FeedbackRecord r : rs) {
      boolean a = r.entry().status() == FeedbackStatus.ACCEPTED;
      clients.merge(
          r.entry().client(),
          new ClientCounts(a ? 1 : 0, a ? 0 : 1),
          (x, y) ->
              new ClientCounts(x.accepted() + y.accepted(), x.quarantined() + y.quarantined()));
      models.merge(r.entry().modelDigest(), 1L, Long::sum);
    }
    return new FeedbackExportPredicate(
        "/srv/feedback.journal",
        model,
        List.of(), // set by each test
        rs.size(),
        Map.of(FeedbackStatus.ACCEPTED, accepted, FeedbackStatus.QUARANTINED, rs.size() - accepted),
        clients,
        models,
        EXPORTED);
  }

  /** Writes {@code content} and a bundle signing {@code p} for it. */
  private void export(byte[] content, FeedbackExportPredicate p) throws Exception {
    Files.write(file, content);
    Files.write(bundle, BundleSigner.create(KEY).signStatement(p.statement(Sha256.of(content))));
  }

  private FeedbackExportAttestation verify() throws Exception {
    return FeedbackExportAttestation.verify(
        file, bundle, KeyBundleVerifier.builder().trust(KEY.publicKey()).build());
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(Reason reason) {
    return assertThatThrownBy(this::verify)
        .isInstanceOf(PipelineException.class)
        .satisfies(e -> assertThat(((PipelineException) e).reason()).isEqualTo(reason));
  }

  private FeedbackExportPredicate whole() {
    FeedbackExportPredicate p = predicate(records, Optional.empty());
    return withHeads(p, heads(records));
  }

  private static FeedbackExportPredicate withHeads(FeedbackExportPredicate p, List<Head> heads) {
    return new FeedbackExportPredicate(
        p.store(),
        p.model(),
        heads,
        p.records(),
        p.statuses(),
        p.clients(),
        p.modelDigests(),
        p.exportedAt());
  }

  @Test
  void verify_wholeExport_returnsRecordsAndPredicate() throws Exception {
    byte[] content = lines(records);
    export(content, whole());

    FeedbackExportAttestation a = verify();

    assertThat(a.records()).containsExactlyElementsOf(records);
    assertThat(a.predicate()).isEqualTo(whole());
    assertThat(a.fileDigest()).isEqualTo(Sha256.of(content));
    assertThat(a.signer()).isEqualTo("key " + KEY.publicKey().hint());
    assertThat(a.predicate().clients().get("alice")).isEqualTo(new ClientCounts(1, 1));
  }

  @Test
  void verify_clientWithSeveralRecordsOfEachStatus_countsThemAll() throws Exception {
    List<FeedbackRecord> dave = new ArrayList<>();
    Sha256 prev = FeedbackRecord.GENESIS;
    for (int i = 0; i < 4; i++) {
      FeedbackStatus s = i < 2 ? FeedbackStatus.ACCEPTED : FeedbackStatus.QUARANTINED;
      FeedbackRecord r =
          FeedbackJson.record(i + 1, "c", entry("dave", "d" + i, s, "sms-spam", SPAM_MODEL), prev);
      dave.add(r);
      prev = r.hash();
    }
    FeedbackExportPredicate p =
        withHeads(predicate(dave, Optional.empty()), List.of(new Head("c", 4, prev)));
    export(lines(dave), p);

    assertThat(verify().predicate().clients()).containsEntry("dave", new ClientCounts(2, 2));
  }

  @Test
  void verify_oneModelExport_acceptsGapsInTheChain() throws Exception {
    List<FeedbackRecord> spam = List.of(records.get(0), records.get(2));
    FeedbackExportPredicate p = withHeads(predicate(spam, Optional.of("sms-spam")), heads(records));
    export(lines(spam), p);

    assertThat(verify().records()).containsExactlyElementsOf(spam);
  }

  @Test
  void verify_oneModelExportWithAnotherModelsRecord_isMalformed() throws Exception {
    List<FeedbackRecord> mixed = List.of(records.get(0), records.get(3));
    export(lines(mixed), withHeads(predicate(mixed, Optional.of("sms-spam")), heads(records)));

    assertRefused(Reason.MALFORMED)
        .hasMessageContaining(
            "expected only records of model 'sms-spam' (the attested filter), found one of 'other'");
  }

  @Test
  void verify_oneModelExportOutOfOrder_isMalformed() throws Exception {
    List<FeedbackRecord> swapped = List.of(records.get(2), records.get(0));
    export(lines(swapped), withHeads(predicate(swapped, Optional.of("sms-spam")), heads(records)));

    assertRefused(Reason.MALFORMED)
        .hasMessageContaining("line 2: expected a sequence after 3, found 1");
  }

  @Test
  void verify_oneModelExportRepeatingARecord_isMalformed() throws Exception {
    List<FeedbackRecord> twice = List.of(records.get(0), records.get(0));
    export(lines(twice), withHeads(predicate(twice, Optional.of("sms-spam")), heads(records)));

    assertRefused(Reason.MALFORMED)
        .hasMessageContaining("line 2: expected a sequence after 1, found 1");
  }

  @Test
  void verify_recordBeyondTheAttestedHead_isMalformed() throws Exception {
    export(
        lines(records),
        withHeads(
            predicate(records, Optional.empty()),
            List.of(
                new Head("a", 2, records.get(1).hash()), new Head("b", 1, records.get(3).hash()))));

    assertRefused(Reason.MALFORMED)
        .hasMessageContaining("line 3: expected a record at or before an attested head")
        .hasMessageContaining("found chain 'a' sequence 3");
  }

  @Test
  void verify_recordOfAChainWithoutHead_isMalformed() throws Exception {
    export(
        lines(records),
        withHeads(
            predicate(records, Optional.empty()),
            List.of(new Head("a", 3, records.get(2).hash()))));

    assertRefused(Reason.MALFORMED)
        .hasMessageContaining("line 4: expected a record at or before an attested head");
  }

  @Test
  void verify_wholeExportEndingBeforeItsHead_isMalformed() throws Exception {
    List<FeedbackRecord> short2 = List.of(records.get(0), records.get(1), records.get(3));
    export(lines(short2), withHeads(predicate(short2, Optional.empty()), heads(records)));

    assertRefused(Reason.MALFORMED)
        .hasMessageContaining(
            "expected chain 'a' to end at the attested head, sequence 3 "
                + records.get(2).hash().hex()
                + ", found sequence 2 "
                + records.get(1).hash().hex());
  }

  @Test
  void verify_wholeExportWithAHeadOfAnotherHash_isMalformed() throws Exception {
    Sha256 other = Sha256.of("x".getBytes(StandardCharsets.UTF_8));
    export(
        lines(records),
        withHeads(
            whole(), List.of(new Head("a", 3, other), new Head("b", 1, records.get(3).hash()))));

    assertRefused(Reason.MALFORMED)
        .hasMessageContaining("expected chain 'a' to end at the attested head");
  }

  @Test
  void verify_wholeExportWithoutAnAttestedChain_isMalformed() throws Exception {
    List<FeedbackRecord> onlyA = records.subList(0, 3);
    export(lines(onlyA), withHeads(predicate(onlyA, Optional.empty()), heads(records)));

    assertRefused(Reason.MALFORMED)
        .hasMessageContaining("expected chain 'b' to end at the attested head")
        .hasMessageContaining("found no record of it");
  }

  @Test
  void verify_wholeExportWithAGap_isMalformedNamingTheLine() throws Exception {
    List<FeedbackRecord> gap = List.of(records.get(0), records.get(2), records.get(3));
    export(lines(gap), withHeads(predicate(gap, Optional.empty()), heads(records)));

    assertRefused(Reason.MALFORMED)
        .hasMessageContaining("line 2: expected sequence 2 of chain 'a', found 3");
  }

  @Test
  void verify_countsPerClientThatDifferFromTheFile_isMalformed() throws Exception {
    FeedbackExportPredicate p = whole();
    FeedbackExportPredicate lying =
        new FeedbackExportPredicate(
            p.store(),
            p.model(),
            p.heads(),
            p.records(),
            p.statuses(),
            Map.of(
                "alice", new ClientCounts(1, 0),
                "bob", new ClientCounts(1, 1),
                "carol", new ClientCounts(0, 1)),
            p.modelDigests(),
            p.exportedAt());
    export(lines(records), lying);

    assertRefused(Reason.MALFORMED)
        .hasMessage(
            "feedback attestation: expected the counts it attests (4 records, 3 clients) to be"
                + " those of "
                + file
                + ", found 4 records, 3 clients, with other counts per status, client or model"
                + " digest");
  }

  @Test
  void verify_countsPerStatusThatDifferFromTheFile_isMalformed() throws Exception {
    FeedbackExportPredicate p = whole();
    FeedbackExportPredicate lying =
        new FeedbackExportPredicate(
            p.store(),
            p.model(),
            p.heads(),
            p.records(),
            Map.of(FeedbackStatus.ACCEPTED, 3L, FeedbackStatus.QUARANTINED, 1L),
            p.clients(),
            p.modelDigests(),
            p.exportedAt());
    export(lines(records), lying);

    assertRefused(Reason.MALFORMED).hasMessageContaining("expected the counts it attests");
  }

  @Test
  void verify_countsPerModelThatDifferFromTheFile_isMalformed() throws Exception {
    FeedbackExportPredicate p = whole();
    FeedbackExportPredicate lying =
        new FeedbackExportPredicate(
            p.store(),
            p.model(),
            p.heads(),
            p.records(),
            p.statuses(),
            p.clients(),
            Map.of(SPAM_MODEL, 4L),
            p.exportedAt());
    export(lines(records), lying);

    assertRefused(Reason.MALFORMED).hasMessageContaining("expected the counts it attests");
  }

  @Test
  void verify_oneByteChanged_isDigestMismatch() throws Exception {
    byte[] content = lines(records);
    export(content, whole());
    byte[] changed = content.clone();
    changed[10] ^= 1;
    Files.write(file, changed);

    assertRefused(Reason.DIGEST_MISMATCH)
        .hasMessage(
            "digest mismatch: feedback attestation "
                + Sha256.of(content)
                + " != "
                + file
                + " "
                + Sha256.of(changed));
  }

  @Test
  void verify_otherKey_isUntrustedSigner() throws Exception {
    export(lines(records), whole());

    assertThatThrownBy(
            () ->
                FeedbackExportAttestation.verify(
                    file,
                    bundle,
                    KeyBundleVerifier.builder().trust(SigningKey.generate().publicKey()).build()))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_SIGNER));
  }

  @Test
  void verify_lineThatIsNotARecord_isMalformedNamingIt() throws Exception {
    byte[] content =
        (new String(lines(records), StandardCharsets.UTF_8) + "{}\n")
            .getBytes(StandardCharsets.UTF_8);
    export(content, whole());

    assertRefused(Reason.MALFORMED).hasMessageContaining(file + ": line 5: expected key \"seq\"");
  }

  @Test
  void verify_lastLineWithoutNewline_isMalformed() throws Exception {
    byte[] whole = lines(records);
    export(Arrays.copyOf(whole, whole.length - 1), whole());

    assertRefused(Reason.MALFORMED)
        .hasMessageContaining("line 4: expected a line ending in a newline, found none");
  }

  @Test
  void verify_lineLongerThanTheBound_isMalformedWithoutReadingItWhole() throws Exception {
    byte[] huge = new byte[FeedbackJson.MAX_LINE_BYTES + 1];
    Arrays.fill(huge, (byte) 'x');
    export(huge, whole());

    assertRefused(Reason.MALFORMED)
        .hasMessageContaining("line 1: longer than " + FeedbackJson.MAX_LINE_BYTES + " bytes");
  }

  @Test
  void verify_lineOfExactlyTheBound_isReadAsALine() throws Exception {
    byte[] max = new byte[FeedbackJson.MAX_LINE_BYTES + 1];
    Arrays.fill(max, (byte) ' ');
    max[max.length - 1] = '\n';
    export(max, whole());

    assertRefused(Reason.MALFORMED).hasMessageContaining("line 1: expected JSON, found no content");
  }

  @Test
  void verify_bundleThatIsADirectory_isMalformed() throws Exception {
    Files.write(file, lines(records));
    Files.createDirectory(bundle);

    assertRefused(Reason.MALFORMED).hasMessageContaining("a directory");
  }

  @Test
  void verify_fileThatIsADirectory_isMalformed() throws Exception {
    export(lines(records), whole());
    Files.delete(file);
    Files.createDirectory(file);

    assertRefused(Reason.MALFORMED).hasMessageContaining("a directory");
  }
}
