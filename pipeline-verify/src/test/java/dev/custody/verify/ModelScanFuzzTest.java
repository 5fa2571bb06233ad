package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.Reason;
import dev.custody.core.VerificationException;

/**
 * Fuzzes the safe loader's protobuf parse and class scan ({@link ModelScan}), and Tribuo's
 * deserialization of what the scan lets through, with the default allow-list. Without {@code
 * JAZZER_FUZZ} this runs the committed inputs in {@code ModelScanFuzzTestInputs/} (CONTRIBUTING.md,
 * "Fuzzing").
 */
class ModelScanFuzzTest {

  /**
   * Any bytes as a signed model file are loaded or refused with one of the loader's documented
   * reasons; any other throwable is a finding, and so is a class initializer run by the load.
   */
  @FuzzTest
  void load_fuzzedModel_loadsOrRefuses(FuzzedDataProvider data) {
    byte[] model = data.consumeRemainingAsBytes();
    try {
      assertThat(
              ModelLoader.load(
                  TestModels.verified(model), TestModels.expectations(), ModelAllowList.defaults()))
          .isNotNull();
    } catch (VerificationException e) {
      assertThat(e.reason())
          .isIn(
              Reason.MODEL_TOO_LARGE,
              Reason.MALFORMED,
              Reason.UNSAFE_MODEL,
              Reason.UNSUPPORTED,
              Reason.MODEL_MISMATCH);
    }
    assertThat(CanaryWitness.ran).as("Canary's static initializer ran").isFalse();
  }
}
