package dev.custody.verify;

import dev.custody.core.Sha256;
import dev.custody.core.chain.DatasetPredicate;
import dev.custody.core.chain.GatePredicate;
import dev.custody.core.chain.ModelCard;
import dev.custody.core.chain.Provenance;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Proof that a model directory's chain of custody checked out under a {@link TrustPolicy} in every
 * link but the reproduction summary: what {@code custody reproduce} needs before it re-runs the
 * signed pipeline and writes that summary. Only {@link ChainVerifier#verifyForReproduction}
 * constructs it.
 *
 * <h3>Security guarantees</h3>
 *
 * It cannot load the model and does not hand out the model bytes: a model is only used through a
 * {@link VerifiedChain}, which has checked the reproduction summary wherever the policy requires
 * one.
 */
public final class UnreproducedChain {
  private final VerifiedChain chain;

  UnreproducedChain(VerifiedChain chain) {
    this.chain = Objects.requireNonNull(chain, "chain");
  }

  /**
   * The model content digest, recomputed from the verified {@code model.tribuo} bytes: what a
   * re-run must give. The card states the same digest, or the chain would not have verified.
   */
  public Sha256 contentDigest() {
    return chain.contentDigest();
  }

  /** The signed model card. */
  public ModelCard card() {
    return chain.card();
  }

  /** The model's name, from the card. */
  public String name() {
    return chain.name();
  }

  /** The model's version, from the card. */
  public int version() {
    return chain.version();
  }

  /** The model root digest {@code R}: the subject of the provenance, gate and reproduction. */
  public Sha256 rootDigest() {
    return chain.rootDigest();
  }

  /** Who signed the model signature (a TRAIN signer). */
  public String modelSigner() {
    return chain.modelSigner();
  }

  /** The training provenance (SLSA v1), verified under the TRAIN signers. */
  public VerifiedChain.Attestation<Provenance> provenance() {
    return chain.provenance();
  }

  /** The dataset attestation, verified under the INGEST signers. */
  public VerifiedChain.Attestation<DatasetPredicate> dataset() {
    return chain.dataset();
  }

  /** The dataset subject digest {@code D} the model was trained on. */
  public Sha256 datasetDigest() {
    return chain.datasetDigest();
  }

  /**
   * The gate attestation, verified under the EVALUATE signers; empty if there is none (a gate that
   * is present is always verified).
   */
  public Optional<VerifiedChain.Attestation<GatePredicate>> gate() {
    return chain.gate();
  }

  /** Every checked link, in verification order (no reproduction link). */
  public List<VerifiedChain.Link> links() {
    return chain.links();
  }

  @Override
  public String toString() {
    return "UnreproducedChain["
        + chain.name()
        + " v"
        + chain.version()
        + " "
        + chain.rootDigest()
        + "]";
  }
}
