package dev.custody.serve.feedback;

import static dev.custody.serve.feedback.JournalStoreTest.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.BundleSigner;
import dev.custody.core.KeyBundleVerifier;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.SigningKey;
import dev.custody.core.VerificationException;
import dev.custody.core.chain.FeedbackExportAttestation;
import dev.custody.core.chain.FeedbackExportPredicate;
import dev.custody.core.chain.FeedbackExportPredicate.ClientCounts;
import dev.custody.core.feedback.FeedbackEntry;
import dev.custody.core.feedback.FeedbackRecord;
import dev.custody.core.feedback.FeedbackStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeedbackExportTest {
  private static final SigningKey KEY = SigningKey.generate();
  private static final Instant NOW = Instant.parse("2026-12-07T15:30:00.456Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final Sha256 OTHER_MODEL = Sha256.of("other".getBytes(StandardCharsets.UTF_8));

  @TempDir Path dir;
  private Path journal;
  private Path out;
  private List<FeedbackRecord> written;

  @BeforeEach
  void fillJournal() throws Exception {
    journal = dir.resolve("feedback.journal");
    out = dir.resolve("export");
    written = new ArrayList<>();
    try (JournalStore s = JournalStore.open(journal)) {
      written.add(s.append(entry("alice", "a0", 0)).record()); // accepted
      written.add(s.append(entry("alice", "a1", 1)).record()); // quarantined
      written.add(s.append(entry("alice", "a2", 2)).record()); // accepted
      written.add(s.append(entry("bob", "b0", 0)).record());
      FeedbackEntry other = entry("carol", "c0", 0);
      written.add(
          s.append(
                  new FeedbackEntry(
                      other.client(),
                      other.time(),
                      "other-model",
                      OTHER_MODEL,
                      other.input(),
                      other.inputDigest(),
                      other.label(),
                      other.servedLabel(),
                      other.servedConfidence(),
                      other.status(),
                      other.why(),
                      Optional.of("p-1")))
              .record());
    }
  }

  private FeedbackExport.Result export(Optional<String> model) throws Exception {
    try (JournalStore s = JournalStore.open(journal)) {
      return FeedbackExport.export(s, model, BundleSigner.create(KEY), out, CLOCK);
    }
  }

  private static FeedbackExportAttestation verify(FeedbackExport.Result r, SigningKey key)
      throws Exception {
    return FeedbackExportAttestation.verify(
        r.file(), r.attestation(), KeyBundleVerifier.builder().trust(key.publicKey()).build());
  }

  @Test
  void export_wholeJournal_writesItsExactBytesAndASignedCount() throws Exception {
    FeedbackExport.Result r = export(Optional.empty());

    assertThat(r.file()).hasBinaryContent(Files.readAllBytes(journal));
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(r.file())))
        .isEqualTo("rw-------");
    assertThat(r.file().getFileName().toString()).isEqualTo("feedback.jsonl");
    assertThat(r.attestation().getFileName().toString())
        .isEqualTo("feedback.jsonl.attestation.sigstore.json");
    FeedbackExportAttestation a = verify(r, KEY);
    assertThat(a.fileDigest()).isEqualTo(Sha256.of(Files.readAllBytes(journal)));
    assertThat(a.signer()).isEqualTo("key " + KEY.publicKey().hint());
    assertThat(a.records()).containsExactlyElementsOf(written);
    FeedbackExportPredicate p = a.predicate();
    assertThat(p).isEqualTo(r.predicate());
    assertThat(p.store()).isEqualTo(journal.toAbsolutePath().toString());
    assertThat(p.model()).isEmpty();
    assertThat(p.heads())
        .containsExactly(new FeedbackExportPredicate.Head("journal", 5, written.get(4).hash()));
    assertThat(p.records()).isEqualTo(5);
    assertThat(p.statuses())
        .isEqualTo(Map.of(FeedbackStatus.ACCEPTED, 4L, FeedbackStatus.QUARANTINED, 1L));
    assertThat(p.clients())
        .isEqualTo(
            Map.of(
                "alice", new ClientCounts(2, 1),
                "bob", new ClientCounts(1, 0),
                "carol", new ClientCounts(1, 0)));
    assertThat(p.modelDigests()).isEqualTo(Map.of(JournalStoreTest.MODEL, 4L, OTHER_MODEL, 1L));
    assertThat(p.exportedAt()).isEqualTo(NOW);
  }

  @Test
  void export_oneModel_writesOnlyItsRecordsAndTheStoreHead() throws Exception {
    FeedbackExport.Result r = export(Optional.of("sms-spam"));

    FeedbackExportAttestation a = verify(r, KEY);
    assertThat(a.records()).containsExactlyElementsOf(written.subList(0, 4));
    assertThat(a.predicate().model()).contains("sms-spam");
    assertThat(a.predicate().records()).isEqualTo(4);
    assertThat(a.predicate().clients()).doesNotContainKey("carol");
    assertThat(a.predicate().heads())
        .containsExactly(new FeedbackExportPredicate.Head("journal", 5, written.get(4).hash()));
  }

  @Test
  void verify_otherKey_isUntrustedSigner() throws Exception {
    FeedbackExport.Result r = export(Optional.empty());

    assertThatThrownBy(() -> verify(r, SigningKey.generate()))
        .isInstanceOf(VerificationException.class)
        .satisfies(
            e -> assertThat(((PipelineException) e).reason()).isEqualTo(Reason.UNTRUSTED_SIGNER));
  }

  @Test
  void verify_oneByteChangedInTheFile_isDigestMismatch() throws Exception {
    FeedbackExport.Result r = export(Optional.empty());
    byte[] bytes = Files.readAllBytes(r.file());
    String text = new String(bytes, StandardCharsets.UTF_8);
    int at = text.indexOf("\"label\":\"ham\"") + "\"label\":\"h".length();
    bytes[at] = 'b';
    Files.write(r.file(), bytes);

    assertThatThrownBy(() -> verify(r, KEY))
        .isInstanceOf(VerificationException.class)
        .satisfies(
            e -> assertThat(((PipelineException) e).reason()).isEqualTo(Reason.DIGEST_MISMATCH))
        .hasMessageContaining(
            "digest mismatch: feedback attestation sha256:" + r.fileDigest().hex());
  }

  @Test
  void verify_signedFileWithADroppedLine_isMalformedNamingTheLine() throws Exception {
    FeedbackExport.Result r = export(Optional.empty());
    List<String> lines = new ArrayList<>(Files.readAllLines(r.file(), StandardCharsets.UTF_8));
    lines.remove(1);
    byte[] dropped = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    Files.write(r.file(), dropped);
    // A signer that signs whatever it is given: the chain still shows the gap.
    Files.write(
        r.attestation(),
        BundleSigner.create(KEY).signStatement(r.predicate().statement(Sha256.of(dropped))));

    assertThatThrownBy(() -> verify(r, KEY))
        .isInstanceOf(VerificationException.class)
        .satisfies(e -> assertThat(((PipelineException) e).reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("line 2: expected sequence 2 of chain 'journal', found 3");
  }

  @Test
  void verify_signedCountsThatDifferFromTheFile_isMalformed() throws Exception {
    FeedbackExport.Result r = export(Optional.empty());
    FeedbackExportPredicate p = r.predicate();
    // alice's quarantined record claimed as accepted: the sums still add up, the file disagrees.
    FeedbackExportPredicate lying =
        new FeedbackExportPredicate(
            p.store(),
            p.model(),
            p.heads(),
            p.records(),
            Map.of(FeedbackStatus.ACCEPTED, 5L),
            Map.of(
                "alice", new ClientCounts(3, 0),
                "bob", new ClientCounts(1, 0),
                "carol", new ClientCounts(1, 0)),
            p.modelDigests(),
            p.exportedAt());
    Files.write(
        r.attestation(), BundleSigner.create(KEY).signStatement(lying.statement(r.fileDigest())));

    assertThatThrownBy(() -> verify(r, KEY))
        .isInstanceOf(VerificationException.class)
        .satisfies(e -> assertThat(((PipelineException) e).reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("expected the counts it attests");
  }

  @Test
  void verify_fileWithoutFinalNewline_isMalformed() throws Exception {
    FeedbackExport.Result r = export(Optional.empty());
    byte[] bytes = Files.readAllBytes(r.file());
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 1);
    Files.write(r.file(), cut);
    Files.write(
        r.attestation(),
        BundleSigner.create(KEY).signStatement(r.predicate().statement(Sha256.of(cut))));

    assertThatThrownBy(() -> verify(r, KEY))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("line 5: expected a line ending in a newline, found none");
  }

  @Test
  void export_intoAnEarlierExport_refusesAndKeepsIt() throws Exception {
    FeedbackExport.Result first = export(Optional.empty());
    byte[] before = Files.readAllBytes(first.file());

    assertThatThrownBy(() -> export(Optional.empty()))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(first.file()).hasBinaryContent(before);
  }

  @Test
  void export_emptyStore_writesAnEmptyFileWithZeroCounts() throws Exception {
    Path empty = dir.resolve("empty.journal");
    FeedbackExport.Result r;
    try (JournalStore s = JournalStore.open(empty)) {
      r = FeedbackExport.export(s, Optional.empty(), BundleSigner.create(KEY), out, CLOCK);
    }

    assertThat(r.file()).isEmptyFile();
    FeedbackExportAttestation a = verify(r, KEY);
    assertThat(a.records()).isEmpty();
    assertThat(a.predicate().heads()).isEmpty();
    assertThat(a.predicate().statuses()).containsValues(0L, 0L);
  }
}
