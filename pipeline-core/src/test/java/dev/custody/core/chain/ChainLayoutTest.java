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

  @Test
  void stageFile_isTheNameInsideAttestations() {
    for (Stage stage : Stage.values()) {
      assertThat(stage.path()).isEqualTo("attestations/" + stage.file());
    }
    assertThat(Stage.EVALUATE.file()).isEqualTo("gate.sigstore.json");
  }

  @Test
  void new_eachLimitOutsideItsRange_isRefusedNamingIt() {
    long ok = 1;
    long max = ChainLimits.MAX_ARRAY_BYTES;
    assertThat(new ChainLimits(max, max, max, max).maxSignatureBytes()).isEqualTo(max);
    assertThat(new ChainLimits(ok, ok, ok, ok).maxCardBytes()).isEqualTo(ok);
    assertThatThrownBy(() -> new ChainLimits(0, ok, ok, ok))
        .hasMessage("maxModelBytes must be in 1.." + max + ", got 0");
    assertThatThrownBy(() -> new ChainLimits(ok, max + 1, ok, ok))
        .hasMessage("maxCardBytes must be in 1.." + max + ", got " + (max + 1));
    assertThatThrownBy(() -> new ChainLimits(ok, ok, -1, ok))
        .hasMessage("maxAttestationBytes must be in 1.." + max + ", got -1");
    assertThatThrownBy(() -> new ChainLimits(ok, ok, ok, 0))
        .hasMessage("maxSignatureBytes must be in 1.." + max + ", got 0");
  }

  @Test
  void withMaxAttestationBytes_changesOnlyThatLimit() {
    ChainLimits d = ChainLimits.defaults();

    assertThat(d.withMaxAttestationBytes(1024))
        .isEqualTo(
            new ChainLimits(d.maxModelBytes(), d.maxCardBytes(), 1024, d.maxSignatureBytes()));
  }
}
