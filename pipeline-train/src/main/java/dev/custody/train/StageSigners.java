package dev.custody.train;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import dev.custody.core.BundleSigner;
import dev.custody.core.chain.Stage;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Who signs each stage's evidence: the dataset attestation (INGEST), the model signature and
 * provenance (TRAIN), the gate attestation (EVALUATE) and the verification summary of a re-run
 * (REPRODUCE). Holds signers, which hold keys: it does not print them.
 */
public final class StageSigners {
  private final Map<Stage, BundleSigner> signers;

  private StageSigners(Map<Stage, BundleSigner> signers) {
    this.signers = new EnumMap<>(signers);
  }

  /** One signer for every stage (a single-key setup, as {@code custody run --key} uses). */
  public static StageSigners of(BundleSigner signer) {
    Builder b = builder();
    for (Stage s : Stage.values()) {
      b.sign(s, signer);
    }
    return b.build();
  }

  /** A builder; stages left out cannot be signed (asking for them throws). */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The signer of {@code stage}.
   *
   * @throws IllegalStateException if no signer was given for it
   */
  public BundleSigner forStage(Stage stage) {
    BundleSigner s = signers.get(stage);
    if (s == null) {
      throw new IllegalStateException("no signer was given for stage " + stage);
    }
    return s;
  }

  /** Collects one signer per stage. */
  public static final class Builder {
    private final Map<Stage, BundleSigner> signers = new EnumMap<>(Stage.class);

    private Builder() {}

    /** {@code signer} signs {@code stage}'s evidence. */
    @CanIgnoreReturnValue
    public Builder sign(Stage stage, BundleSigner signer) {
      signers.put(Objects.requireNonNull(stage, "stage"), Objects.requireNonNull(signer, "signer"));
      return this;
    }

    /** The signers. */
    public StageSigners build() {
      return new StageSigners(signers);
    }
  }
}
