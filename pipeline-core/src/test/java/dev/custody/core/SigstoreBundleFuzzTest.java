package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the Sigstore bundle reader. Without {@code JAZZER_FUZZ} this runs the committed inputs in
 * {@code SigstoreBundleFuzzTestInputs/} (CONTRIBUTING.md, "Fuzzing").
 */
class SigstoreBundleFuzzTest {

  /**
   * Any bytes are read or refused as {@link Reason#MALFORMED} or {@link Reason#UNSUPPORTED}; any
   * other throwable is a finding. A bundle that is read, written and read again is the same bundle.
   */
  @FuzzTest
  void parse_fuzzedBytes_parsesOrRefuses(FuzzedDataProvider data) throws Exception {
    byte[] json = data.consumeRemainingAsBytes();
    SigstoreBundle.Parsed parsed;
    try {
      parsed = SigstoreBundle.parse(json);
    } catch (VerificationException e) {
      assertThat(e.reason()).isIn(Reason.MALFORMED, Reason.UNSUPPORTED);
      return;
    }
    SigstoreBundle.Parsed again = SigstoreBundle.parse(SigstoreBundle.write(parsed.bundle()));
    assertThat(again.bundle()).isEqualTo(parsed.bundle());
  }
}
