package dev.custody.core.chain;

import java.util.List;

/**
 * The stages whose evidence is signed, each with its attestation file in {@code attestations/} and
 * the predicate type of that attestation. A trust policy names its signers per stage.
 */
public enum Stage {
  /** Dataset attestations: which bytes were ingested and how they were screened. */
  INGEST("dataset.sigstore.json", DatasetPredicate.TYPE),
  /** Model signatures and training provenance. */
  TRAIN("provenance.sigstore.json", Provenance.TYPE),
  /** Gate (evaluation) attestations. */
  EVALUATE("gate.sigstore.json", GatePredicate.TYPE),
  /** Verification summaries of independent re-runs. */
  REPRODUCE("reproduction.sigstore.json", ReproductionSummary.TYPE);

  static final List<String> ATTESTATION_FILES =
      List.of(INGEST.file, TRAIN.file, EVALUATE.file, REPRODUCE.file);

  private final String file;
  private final String predicateType;

  Stage(String file, String predicateType) {
    this.file = file;
    this.predicateType = predicateType;
  }

  /**
   * The stage's attestation file name inside {@code attestations/}, e.g. {@code
   * gate.sigstore.json}.
   */
  public String file() {
    return file;
  }

  /**
   * The attestation's path relative to the model directory, e.g. {@code
   * attestations/gate.sigstore.json}.
   */
  public String path() {
    return ChainLayout.ATTESTATIONS + "/" + file;
  }

  /** The predicate type of the stage's attestation. */
  public String predicateType() {
    return predicateType;
  }
}
