package dev.custody.core.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChainLayoutTest {
  @Test
  void stages_nameTheirAttestationFilesAndPredicateTypes() {
    assertThat(ChainLayout.attestationFiles())
        .containsExactly(
            "dataset.sigstore.json",
            "provenance.sigstore.json",
            "gate.sigstore.json",
            "reproduction.sigstore.json");
    assertThat(ChainLayout.PROVENANCE)
        .isEqualTo("attestations/provenance.sigstore.json")
        .isEqualTo(Stage.TRAIN.path());
    assertThat(ChainLayout.SIGNATURE_FILE).isEqualTo("model.sig");
    assertThat(Stage.INGEST.predicateType()).isEqualTo(DatasetPredicate.TYPE);
    assertThat(Stage.REPRODUCE.predicateType())
        .isEqualTo("https://slsa.dev/verification_summary/v1");
  }

  @Test
  void defaults_modelAndEvidenceLimits() {
    ChainLimits d = ChainLimits.defaults();

    assertThat(d.maxModelBytes()).isEqualTo(256L << 20);
    assertThat(d.maxCardBytes()).isEqualTo(16L << 20);
    assertThat(d.maxAttestationBytes()).isEqualTo(16L << 20);
    assertThat(d.maxSignatureBytes()).isEqualTo(16L << 20);
    assertThat(d.withMaxModelBytes(1L << 30).maxModelBytes()).isEqualTo(1L << 30);
  }

  @Test
  void new_limitBeyondAnArray_isRefused() {
    assertThatThrownBy(() -> ChainLimits.defaults().withMaxModelBytes(Integer.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "maxModelBytes must be in 1.."
                + (Integer.MAX_VALUE - 8L)
                + ", got "
                + Integer.MAX_VALUE);
    assertThatThrownBy(() -> ChainLimits.defaults().withMaxAttestationBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttestationBytes");
  }
}
