package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.KeyBundleVerifier;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.VerificationException;
import dev.custody.core.VerificationKey;
import dev.custody.core.chain.FeedbackExportAttestation;
import dev.custody.core.feedback.FeedbackEntry;
import dev.custody.core.feedback.FeedbackJson;
import dev.custody.core.feedback.FeedbackStatus;
import dev.custody.serve.feedback.JournalStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeedbackCommandTest {
  private static final Instant T0 = Instant.parse("2026-12-07T14:00:00.123Z");
  private static final Sha256 MODEL = Sha256.of("model".getBytes(StandardCharsets.UTF_8));

  @TempDir Path dir;
  private Path journal;
  private Path key;
  private Path out;

  private static FeedbackEntry entry(String client, String text, FeedbackStatus status) {
    Map<String, String> input = Map.of("text", text);
    return new FeedbackEntry(
        client,
        T0,
        "sms-spam",
        MODEL,
        input,
        FeedbackJson.inputDigest(input),
        "ham",
        "spam",
        0.98,
        status,
        status == FeedbackStatus.QUARANTINED
            ? "contradicts a confident prediction (spam, 0.98 >= 0.9)"
            : "recorded",
        Optional.empty());
  }

  @BeforeEach
  void journalAndKey() throws Exception {
    journal = dir.resolve("feedback.journal");
    out = dir.resolve("export");
    try (JournalStore s = JournalStore.open(journal)) {
      s.append(entry("alice", "WINNER! claim your prize", FeedbackStatus.QUARANTINED));
      s.append(entry("alice", "see you at lunch", FeedbackStatus.ACCEPTED));
      s.append(
          entry(
              "mallory",
              "free \u001b[2J\u001b]0;pwned\u0007 money\nline two",
              FeedbackStatus.QUARANTINED));
    }
    key = dir.resolve("signer.key");
    Cli k = Cli.run("keygen", "-o", key.toString());
    assertThat(k.exit()).as(k.err()).isZero();
  }

  private static JsonNode json(Cli r) throws Exception {
    return Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout");
  }

  private void tamper() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(journal, StandardCharsets.UTF_8));
    lines.remove(1);
    Files.write(journal, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void verify_intactJournal_printsCountsAndHead() throws Exception {
    Cli r = Cli.run("feedback", "verify", "--store", journal.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "verified "
                + journal.toAbsolutePath()
                + ": 3 records (1 accepted, 2 quarantined) from 2 clients")
        .containsPattern("chain journal: 3 records, head [0-9a-f]{64}");
  }

  @Test
  void verify_json_printsOneObject() throws Exception {
    Cli r = Cli.run("feedback", "verify", "--store", journal.toString(), "--json");

    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode n = json(r);
    assertThat(n.get("verified").asBoolean()).isTrue();
    assertThat(n.get("records").asLong()).isEqualTo(3);
    assertThat(n.get("statuses").get("quarantined").asLong()).isEqualTo(2);
    assertThat(n.get("clients").get("mallory").asLong()).isEqualTo(1);
    assertThat(n.get("heads").get(0).get("seq").asLong()).isEqualTo(3);
  }

  @Test
  void verify_droppedRecord_exitsStoreInvalidWithJson() throws Exception {
    tamper();

    Cli r = Cli.run("feedback", "verify", "--store", journal.toString(), "--json");

    assertThat(r.exit()).isEqualTo(Reason.FEEDBACK_STORE_INVALID.exitCode()).isEqualTo(75);
    JsonNode n = json(r);
    assertThat(n.get("ok").asBoolean()).isFalse();
    assertThat(n.get("verified").asBoolean()).isFalse();
    assertThat(n.get("reason").asText()).isEqualTo("FEEDBACK_STORE_INVALID");
    assertThat(n.get("message").asText())
        .contains("line 2: expected sequence 2 of chain 'journal', found 3");
    assertThat(r.err()).contains("FEEDBACK_STORE_INVALID").doesNotContain("Exception");
  }

  @Test
  void verify_missingJournal_isUsageAndCreatesNothing() {
    Path missing = dir.resolve("typo.journal");

    Cli r = Cli.run("feedback", "verify", "--store", missing.toString());

    assertThat(r.exit()).isEqualTo(Errors.USAGE);
    assertThat(r.err()).contains("no such file");
    assertThat(missing).doesNotExist();
  }

  @Test
  void review_listsQuarantinedRecordsWithTerminalSafeInput() {
    Cli r = Cli.run("feedback", "review", "--store", journal.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("2 of 3 records in " + journal.toAbsolutePath() + " are quarantined")
        .contains("journal #1")
        .contains("client alice")
        .contains("claims ham; served spam (confidence 0.9800)")
        .contains("why: contradicts a confident prediction (spam, 0.98 >= 0.9)")
        .contains("text: WINNER! claim your prize")
        .contains("journal #3")
        .contains("text: free \\x1b[2J\\x1b]0;pwned\\x07 money\\nline two")
        .doesNotContain("see you at lunch")
        .doesNotContain("\u001b")
        .doesNotContain("\u0007");
  }

  @Test
  void review_json_listsItemsEscaped() throws Exception {
    Cli r = Cli.run("feedback", "review", "--store", journal.toString(), "--json");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).doesNotContain("\u001b");
    JsonNode n = json(r);
    assertThat(n.get("quarantined").asLong()).isEqualTo(2);
    JsonNode second = n.get("items").get(1);
    assertThat(second.get("seq").asLong()).isEqualTo(3);
    assertThat(second.get("client").asText()).isEqualTo("mallory");
    assertThat(second.get("served").get("confidence").asDouble()).isEqualTo(0.98);
    assertThat(second.get("input").get("text").asText())
        .isEqualTo("free \\x1b[2J\\x1b]0;pwned\\x07 money\\nline two");
  }

  @Test
  void review_tamperedJournal_exitsStoreInvalid() throws Exception {
    tamper();

    Cli r = Cli.run("feedback", "review", "--store", journal.toString(), "--json");

    assertThat(r.exit()).isEqualTo(75);
    assertThat(json(r).get("reason").asText()).isEqualTo("FEEDBACK_STORE_INVALID");
  }

  @Test
  void export_writesDatasetAndAttestationThatVerifiesWithTheKeyOnly() throws Exception {
    Cli r =
        Cli.run(
            "feedback",
            "export",
            "--store",
            journal.toString(),
            "--key",
            key.toString(),
            "-o",
            out.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "exported 3 records (1 accepted, 2 quarantined) from 2 clients of "
                + journal.toAbsolutePath())
        .containsPattern("chain journal verified up to seq 3, head [0-9a-f]{64}")
        .contains("dataset:     " + out.resolve("feedback.jsonl"))
        .contains("attestation: " + out.resolve("feedback.jsonl.attestation.sigstore.json"));
    Path file = out.resolve("feedback.jsonl");
    Path bundle = out.resolve("feedback.jsonl.attestation.sigstore.json");
    assertThat(file).hasBinaryContent(Files.readAllBytes(journal));
    VerificationKey pub = VerificationKey.fromPem(dir.resolve("signer.key.pub"));
    FeedbackExportAttestation a =
        FeedbackExportAttestation.verify(
            file, bundle, KeyBundleVerifier.builder().trust(pub).build());
    assertThat(a.predicate().clients().get("alice").quarantined()).isEqualTo(1);
    assertThat(a.predicate().clients().get("mallory").quarantined()).isEqualTo(1);

    Path otherKey = dir.resolve("other.key");
    assertThat(Cli.run("keygen", "-o", otherKey.toString()).exit()).isZero();
    VerificationKey other = VerificationKey.fromPem(dir.resolve("other.key.pub"));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                FeedbackExportAttestation.verify(
                    file, bundle, KeyBundleVerifier.builder().trust(other).build()))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_SIGNER));

    byte[] changed = Files.readAllBytes(file);
    changed[changed.length / 2] ^= 1;
    Files.write(file, changed);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                FeedbackExportAttestation.verify(
                    file, bundle, KeyBundleVerifier.builder().trust(pub).build()))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH));
  }

  @Test
  void export_json_printsCountsPerClient() throws Exception {
    Cli r =
        Cli.run(
            "feedback",
            "export",
            "--store",
            journal.toString(),
            "--key",
            key.toString(),
            "-o",
            out.toString(),
            "--model",
            "sms-spam",
            "--json");

    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode n = json(r);
    assertThat(n.get("exported").asBoolean()).isTrue();
    assertThat(n.get("model").asText()).isEqualTo("sms-spam");
    assertThat(n.get("records").asLong()).isEqualTo(3);
    assertThat(n.get("clients").get("alice").get("accepted").asLong()).isEqualTo(1);
    assertThat(n.get("fileDigest").asText())
        .isEqualTo(Sha256.of(Files.readAllBytes(out.resolve("feedback.jsonl"))).toString());
  }

  @Test
  void export_tamperedJournal_exitsStoreInvalidAndWritesNothing() throws Exception {
    tamper();

    Cli r =
        Cli.run(
            "feedback",
            "export",
            "--store",
            journal.toString(),
            "--key",
            key.toString(),
            "-o",
            out.toString(),
            "--json");

    assertThat(r.exit()).isEqualTo(75);
    JsonNode n = json(r);
    assertThat(n.get("exported").asBoolean()).isFalse();
    assertThat(n.get("reason").asText()).isEqualTo("FEEDBACK_STORE_INVALID");
    assertThat(out).doesNotExist();
  }

  @Test
  void export_storeHeldByAServer_exitsStoreUnavailable() throws Exception {
    try (JournalStore server = JournalStore.open(journal)) {
      Cli r =
          Cli.run(
              "feedback",
              "export",
              "--store",
              journal.toString(),
              "--key",
              key.toString(),
              "-o",
              out.toString(),
              "--json");

      assertThat(r.exit()).isEqualTo(Reason.FEEDBACK_STORE_UNAVAILABLE.exitCode()).isEqualTo(76);
      assertThat(json(r).get("message").asText()).contains("locked by another server");
      assertThat(server.readAll()).hasSize(3);
    }
  }

  @Test
  void export_intoAnEarlierExport_isUsageAndKeepsIt() throws Exception {
    String[] args = {
      "feedback",
      "export",
      "--store",
      journal.toString(),
      "--key",
      key.toString(),
      "-o",
      out.toString()
    };
    assertThat(Cli.run(args).exit()).isZero();
    byte[] before = Files.readAllBytes(out.resolve("feedback.jsonl"));

    Cli again = Cli.run(args);

    assertThat(again.exit()).isEqualTo(Errors.USAGE);
    assertThat(again.err()).contains("refusing to overwrite");
    assertThat(out.resolve("feedback.jsonl")).hasBinaryContent(before);
  }

  @Test
  void store_otherScheme_isMalformed() throws Exception {
    Cli r = Cli.run("feedback", "verify", "--store", "mysql://db/feedback", "--json");

    assertThat(r.exit()).isEqualTo(Reason.MALFORMED.exitCode());
    assertThat(json(r).get("message").asText())
        .contains("expected a file path or a postgresql:// URL, found a mysql:// URL");
  }
}
