package dev.custody.train.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The spec's {@code feedback} section: strict keys, defaults, ranges named at their key. */
class FeedbackSpecTest {
  private static final String SHA = "ab".repeat(32);
  private static final Path DATA = Path.of("/data/mini.tsv");

  private static PipelineSpec parse(String feedbackYaml) throws Exception {
    return Fixtures.spec(
        DATA, SHA, "feedback:\n  path: fb.jsonl\n  sha256: " + SHA + "\n" + feedbackYaml);
  }

  private static PipelineException invalid(String feedbackYaml) {
    PipelineException e = catchThrowableOfType(PipelineException.class, () -> parse(feedbackYaml));
    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.SPEC_INVALID);
    return e;
  }

  @Test
  void parse_noDefences_everyDefenceRunsWithItsDefaults() throws Exception {
    FeedbackSpec f = parse("").feedback().orElseThrow();

    assertThat(f.data().display()).isEqualTo("fb.jsonl");
    assertThat(f.attestationPath()).isEmpty();
    assertThat(f.influenceCap()).isEqualTo(FeedbackSpec.InfluenceCap.defaults());
    assertThat(f.trust()).isEqualTo(FeedbackSpec.Trust.defaults());
    assertThat(f.quarantine().above()).isEqualTo(0.9);
    assertThat(f.quarantine().labels()).containsExactly("ham");
    assertThat(f.impact()).isEqualTo(FeedbackSpec.Impact.defaults());
    assertThat(f.canary().contested()).isTrue();
  }

  @Test
  void parse_everyKey_readsEachParameter() throws Exception {
    FeedbackSpec f =
        parse(
                String.join(
                    "\n",
                    "  attestation: fb.jsonl.attestation.sigstore.json",
                    "  defences:",
                    "    influenceCap: {normalise: exact, similarity: 1}",
                    "    trust: {initial: 0.01, perAgreement: 0.02, max: 0.5}",
                    "    quarantine: {above: 0.8, labels: [ham, spam]}",
                    "    impact: {maxChange: 0.05, maxGroups: 0}",
                    "    canary: {contested: false}",
                    ""))
            .feedback()
            .orElseThrow();

    assertThat(f.attestationPath()).contains("fb.jsonl.attestation.sigstore.json");
    assertThat(f.influenceCap())
        .isEqualTo(new FeedbackSpec.InfluenceCap(FeedbackSpec.Normalise.EXACT, 1));
    assertThat(f.trust()).isEqualTo(new FeedbackSpec.Trust(0.01, 0.02, 0.5));
    assertThat(f.quarantine().labels()).containsExactly("ham", "spam");
    assertThat(f.impact()).isEqualTo(new FeedbackSpec.Impact(0.05, 0));
    assertThat(f.canary().contested()).isFalse();
  }

  @Test
  void parse_unknownDefence_refusedWithLineColumn() {
    PipelineException e = invalid("  defences:\n    ignoreAll: {}\n");

    assertThat(e.getMessage()).contains("ignoreAll").containsPattern(":\\d+:\\d+:");
  }

  @Test
  void parse_trustInitialAboveMax_refusedAtItsKey() {
    PipelineException e = invalid("  defences:\n    trust: {initial: 0.5, max: 0.2}\n");

    assertThat(e.getMessage()).contains("initial").contains("expected at most max");
  }

  @Test
  void parse_quarantineLabelNotAllowed_refused() {
    PipelineException e = invalid("  defences:\n    quarantine: {labels: [eggs]}\n");

    assertThat(e.getMessage()).contains("expected one of the allowed labels [ham, spam]");
  }

  @Test
  void parse_quarantineBelowHalf_refused() {
    PipelineException e = invalid("  defences:\n    quarantine: {above: 0.3}\n");

    assertThat(e.getMessage()).contains("above").contains("found 0.3");
  }

  @Test
  void parse_missingPin_refused() {
    PipelineException e =
        catchThrowableOfType(
            PipelineException.class,
            () -> Fixtures.spec(DATA, SHA, "feedback:\n  path: fb.jsonl\n"));

    assertThat(e.reason()).isEqualTo(Reason.SPEC_INVALID);
    assertThat(e.getMessage()).contains("sha256");
  }
}
