package dev.custody.core.chain;

import dev.custody.core.ModelSigning;
import java.util.List;

/**
 * The file names of an exported model directory ({@code docs/chain-format.md}, "Layout of an
 * exported model"): the only place they are spelled.
 *
 * <pre>
 * MODEL/
 *   model.tribuo  model-card.json  model.sig
 *   attestations/  dataset.sigstore.json  provenance.sigstore.json  gate.sigstore.json  reproduction.sigstore.json
 * </pre>
 *
 * Each attestation file belongs to one {@link Stage}: {@link Stage#file()} and {@link Stage#path()}
 * name it.
 */
public final class ChainLayout {
  /** The model file, Tribuo protobuf bytes. */
  public static final String MODEL_FILE = "model.tribuo";

  /** The model card ({@link ModelCard}), covered by the model signature. */
  public static final String CARD_FILE = "model-card.json";

  /** The OpenSSF Model Signing signature over the model file and card (the OMS default name). */
  public static final String SIGNATURE_FILE = ModelSigning.DEFAULT_SIGNATURE;

  /** The directory of attestations, left out of (ignored by) the model signature. */
  public static final String ATTESTATIONS = "attestations";

  /** The dataset attestation (INGEST), relative to the model directory. */
  public static final String DATASET_ATTESTATION = Stage.INGEST.path();

  /** The SLSA provenance (TRAIN), relative to the model directory. */
  public static final String PROVENANCE = Stage.TRAIN.path();

  /** The gate attestation (EVALUATE), relative to the model directory. */
  public static final String GATE = Stage.EVALUATE.path();

  /** The verification summary of a reproduction (REPRODUCE), relative to the model directory. */
  public static final String REPRODUCTION = Stage.REPRODUCE.path();

  private ChainLayout() {}

  /** The file names {@code attestations/} may hold, in stage order. */
  public static List<String> attestationFiles() {
    return Stage.ATTESTATION_FILES;
  }
}
