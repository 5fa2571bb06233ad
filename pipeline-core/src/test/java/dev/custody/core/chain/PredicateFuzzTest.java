package dev.custody.core.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;

/**
 * Fuzzes the readers of the chain's signed records: the model card and the five predicates. Each
 * input is accepted, or refused with a {@link VerificationException} whose reason is {@link
 * Reason#MALFORMED} or {@link Reason#UNSUPPORTED}; any other throwable is a finding. A record that
 * is read, written and read again is equal. Without {@code JAZZER_FUZZ} this runs the committed
 * inputs in {@code PredicateFuzzTestInputs/} (CONTRIBUTING.md, "Fuzzing").
 */
class PredicateFuzzTest {

  /** Model card JSON. */
  @FuzzTest
  void modelCardParse_fuzzedBytes_parsesOrRefuses(FuzzedDataProvider data) throws Exception {
    ModelCard card;
    try {
      card = ModelCard.parse(data.consumeRemainingAsBytes());
    } catch (VerificationException e) {
      assertRefusal(e);
      return;
    }
    assertThat(ModelCard.parse(card.toJson())).isEqualTo(card);
  }

  /** Training provenance statements. */
  @FuzzTest
  void provenanceRead_fuzzedBytes_readsOrRefuses(FuzzedDataProvider data) throws Exception {
    Statement st = statementOrNull(data.consumeRemainingAsBytes());
    if (st == null) {
      return;
    }
    Provenance p;
    try {
      p = Provenance.read(st);
    } catch (VerificationException e) {
      assertRefusal(e);
      return;
    }
    assertThat(Provenance.read(reparsed(p.statement()))).isEqualTo(p);
  }

  /** Dataset attestation statements. */
  @FuzzTest
  void datasetPredicateRead_fuzzedBytes_readsOrRefuses(FuzzedDataProvider data) throws Exception {
    Statement st = statementOrNull(data.consumeRemainingAsBytes());
    if (st == null) {
      return;
    }
    DatasetPredicate p;
    try {
      p = DatasetPredicate.read(st);
    } catch (VerificationException e) {
      assertRefusal(e);
      return;
    }
    assertThat(DatasetPredicate.read(reparsed(p.statement()))).isEqualTo(p);
  }

  /** Gate attestation statements. */
  @FuzzTest
  void gatePredicateRead_fuzzedBytes_readsOrRefuses(FuzzedDataProvider data) throws Exception {
    Statement st = statementOrNull(data.consumeRemainingAsBytes());
    if (st == null) {
      return;
    }
    GatePredicate p;
    try {
      p = GatePredicate.read(st);
    } catch (VerificationException e) {
      assertRefusal(e);
      return;
    }
    assertThat(GatePredicate.read(reparsed(p.statement()))).isEqualTo(p);
  }

  /** Reproduction summary statements. */
  @FuzzTest
  void reproductionSummaryRead_fuzzedBytes_readsOrRefuses(FuzzedDataProvider data)
      throws Exception {
    Statement st = statementOrNull(data.consumeRemainingAsBytes());
    if (st == null) {
      return;
    }
    ReproductionSummary p;
    try {
      p = ReproductionSummary.read(st);
    } catch (VerificationException e) {
      assertRefusal(e);
      return;
    }
    assertThat(ReproductionSummary.read(reparsed(p.statement()))).isEqualTo(p);
  }

  /** Feedback export statements. */
  @FuzzTest
  void feedbackPredicateRead_fuzzedBytes_readsOrRefuses(FuzzedDataProvider data) throws Exception {
    Statement st = statementOrNull(data.consumeRemainingAsBytes());
    if (st == null) {
      return;
    }
    FeedbackExportPredicate p;
    try {
      p = FeedbackExportPredicate.read(st);
    } catch (VerificationException e) {
      assertRefusal(e);
      return;
    }
    Statement again = reparsed(p.statement(st.subjects().get(0).sha256()));
    assertThat(FeedbackExportPredicate.read(again)).isEqualTo(p);
  }

  private static Statement statementOrNull(byte[] json) {
    try {
      return Statement.parse(json);
    } catch (PipelineException e) {
      assertRefusal(e);
      return null;
    }
  }

  /** The statement as the chain stores it: written to JSON and read back. */
  private static Statement reparsed(Statement st) throws PipelineException {
    return Statement.parse(st.toJson());
  }

  private static void assertRefusal(PipelineException e) {
    assertThat(e.reason()).isIn(Reason.MALFORMED, Reason.UNSUPPORTED);
  }
}
