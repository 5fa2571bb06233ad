package dev.custody.train.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import java.nio.file.Path;

/**
 * Fuzzes the pipeline spec YAML reader ({@link SpecParser}, through {@link PipelineSpec#parse}).
 * Without {@code JAZZER_FUZZ} this runs the committed inputs in {@code SpecParserFuzzTestInputs/}
 * (CONTRIBUTING.md, "Fuzzing").
 */
class SpecParserFuzzTest {
  private static final Path BASE = Path.of("/nonexistent/custody-fuzz");

  /**
   * Any bytes as a spec are parsed or refused as {@link Reason#SPEC_INVALID}; any other throwable
   * is a finding. A parsed spec holds and digests exactly the bytes it was parsed from.
   */
  @FuzzTest
  void parse_fuzzedYaml_parsesOrRefuses(FuzzedDataProvider data) throws Exception {
    byte[] yaml = data.consumeRemainingAsBytes();
    PipelineSpec spec;
    try {
      spec = PipelineSpec.parse(yaml, BASE, "fuzz.yaml");
    } catch (PipelineException e) {
      assertThat(e.reason()).isEqualTo(Reason.SPEC_INVALID);
      return;
    }
    assertThat(spec.digest()).isEqualTo(Sha256.of(yaml));
    try (var in = spec.open()) {
      assertThat(in.readAllBytes()).isEqualTo(yaml);
    }
  }
}
