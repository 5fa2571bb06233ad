package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the in-toto statement reader and the model-signing manifest read from a statement. Without
 * {@code JAZZER_FUZZ} this runs the committed inputs in {@code StatementFuzzTestInputs/}
 * (CONTRIBUTING.md, "Fuzzing").
 */
class StatementFuzzTest {

  /**
   * Any bytes are read or refused as {@link Reason#MALFORMED} or {@link Reason#UNSUPPORTED}; any
   * other throwable is a finding. A statement that is read, written and read again is equal.
   */
  @FuzzTest
  void parse_fuzzedBytes_parsesOrRefuses(FuzzedDataProvider data) throws Exception {
    Statement st = parseOrNull(data.consumeRemainingAsBytes());
    if (st == null) {
      return;
    }
    assertThat(Statement.parse(st.toJson())).isEqualTo(st);
  }

  /**
   * A statement that parses is read as a model-signing manifest or refused with a reason; a
   * manifest that is read, written as a statement and read again has the same content.
   */
  @FuzzTest
  void manifestFromStatement_fuzzedBytes_readsOrRefuses(FuzzedDataProvider data) throws Exception {
    Statement st = parseOrNull(data.consumeRemainingAsBytes());
    if (st == null) {
      return;
    }
    ModelManifest m;
    try {
      m = ModelManifest.fromStatement(st);
    } catch (VerificationException e) {
      assertThat(e.reason()).isIn(Reason.MALFORMED, Reason.UNSUPPORTED);
      return;
    }
    ModelManifest again = ModelManifest.fromStatement(Statement.parse(m.toStatement().toJson()));
    assertThat(again.differencesFrom(m)).isEmpty();
    assertThat(again.rootDigest()).isEqualTo(m.rootDigest());
    assertThat(again.modelName()).isEqualTo(m.modelName());
    assertThat(again.ignorePaths()).isEqualTo(m.ignorePaths());
    assertThat(again.allowSymlinks()).isEqualTo(m.allowSymlinks());
  }

  /** The statement, or null if it was refused with a reason (any other throwable propagates). */
  static Statement parseOrNull(byte[] json) {
    try {
      return Statement.parse(json);
    } catch (PipelineException e) {
      assertThat(e.reason()).isIn(Reason.MALFORMED, Reason.UNSUPPORTED);
      return null;
    }
  }
}
