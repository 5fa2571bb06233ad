package dev.custody.train.feedback;

import static dev.custody.train.feedback.SmsFeedback.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.custody.core.BundleSigner;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.SigningKey;
import dev.custody.core.VerificationException;
import dev.custody.core.chain.FeedbackExportAttestation;
import dev.custody.core.chain.FeedbackExportPredicate;
import dev.custody.core.chain.Stage;
import dev.custody.core.feedback.FeedbackEntry;
import dev.custody.core.feedback.FeedbackJson;
import dev.custody.core.feedback.FeedbackRecord;
import dev.custody.core.feedback.FeedbackStatus;
import dev.custody.train.Pipeline;
import dev.custody.train.StageSigners;
import dev.custody.train.TrainedModel;
import dev.custody.train.evaluate.GateResult;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.TrustPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spec naming a feedback dataset and its signed export attestation, through {@link Pipeline#run}:
 * the attestation verifies under the policy's INGEST signers and the contested canary is a gate.
 */
class FeedbackPipelineTest {
  private static SigningKey key;
  private static TrustPolicy policy;

  @TempDir Path dir;

  @BeforeAll
  static void keys() throws Exception {
    key = SigningKey.generate();
    TrustPolicy.Builder b = TrustPolicy.builder();
    for (Stage s : Stage.values()) {
      b.trustKey(s, key.publicKey());
    }
    policy = b.build();
  }

  private static final List<FeedbackEntry> ENTRIES =
      List.of(
          entry(
              "mallory",
              "WINNER you won a free car call 08001234 now to claim",
              "ham",
              "spam",
              0.6),
          entry("alice", "see you at the gym at 5 pm with mum", "ham", "ham", 0.9));

  /** Writes the export attestation of the spec's feedback file, signed by {@code signer}. */
  private static void attest(Path dir, List<FeedbackEntry> entries, SigningKey signer)
      throws Exception {
    byte[] file = Files.readAllBytes(dir.resolve("feedback.jsonl"));
    Sha256 prev = FeedbackRecord.GENESIS;
    Map<FeedbackStatus, Long> statuses = new EnumMap<>(FeedbackStatus.class);
    statuses.put(FeedbackStatus.ACCEPTED, 0L);
    statuses.put(FeedbackStatus.QUARANTINED, 0L);
    Map<String, FeedbackExportPredicate.ClientCounts> clients = new TreeMap<>();
    long seq = 0;
    for (FeedbackEntry e : entries) {
      prev = FeedbackJson.record(++seq, "journal", e, prev).hash();
      statuses.merge(e.status(), 1L, Long::sum);
      clients.merge(
          e.client(),
          new FeedbackExportPredicate.ClientCounts(1, 0),
          (a, b) -> new FeedbackExportPredicate.ClientCounts(a.accepted() + 1, 0));
    }
    FeedbackExportPredicate p =
        new FeedbackExportPredicate(
            "journal test",
            Optional.empty(),
            List.of(new FeedbackExportPredicate.Head("journal", seq, prev)),
            seq,
            statuses,
            clients,
            Map.of(SmsFeedback.MODEL, seq),
            Instant.parse("2026-12-07T15:00:00Z"));
    Files.write(
        dir.resolve(FeedbackExportAttestation.BUNDLE_FILE),
        BundleSigner.create(signer).signStatement(p.statement(Sha256.of(file))));
  }

  private PipelineSpec spec() throws Exception {
    return SmsFeedback.mini(
        dir,
        ENTRIES,
        "  attestation: "
            + FeedbackExportAttestation.BUNDLE_FILE
            + "\n"
            + "  defences:\n    impact: {maxGroups: 2}\n");
  }

  @Test
  void run_attestedFeedback_trainsWithTheContestedCanaryGate() throws Exception {
    PipelineSpec spec = spec();
    attest(dir, ENTRIES, key);

    TrainedModel m =
        Pipeline.create()
            .run(spec, policy, StageSigners.of(BundleSigner.create(key)), dir.resolve("model"));

    assertThat(m.gates())
        .filteredOn(g -> g.name().equals("canary-contested"))
        .singleElement()
        .satisfies(g -> assertThat(g.passed()).isTrue())
        .extracting(GateResult::sampleSize)
        .isEqualTo(1L);
  }

  @Test
  void run_exportSignedByAnUntrustedKey_refusedBeforeTraining() throws Exception {
    PipelineSpec spec = spec();
    attest(dir, ENTRIES, SigningKey.generate());

    VerificationException e =
        catchThrowableOfType(
            VerificationException.class,
            () ->
                Pipeline.create()
                    .run(
                        spec,
                        policy,
                        StageSigners.of(BundleSigner.create(key)),
                        dir.resolve("model")));

    assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_SIGNER);
    assertThat(dir.resolve("model")).doesNotExist();
  }
}
