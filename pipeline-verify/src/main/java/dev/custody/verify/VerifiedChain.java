package dev.custody.verify;

import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.VerificationException;
import dev.custody.core.chain.DatasetPredicate;
import dev.custody.core.chain.FeatureSchema;
import dev.custody.core.chain.GatePredicate;
import dev.custody.core.chain.ModelCard;
import dev.custody.core.chain.Provenance;
import dev.custody.core.chain.ReproductionSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * Proof that a model directory's whole chain of custody checked out under a {@link TrustPolicy}:
 * the model signature, the model file and card, the training provenance, the dataset attestation,
 * the dependency lock, the gate and the reproduction summary, each signed by a signer trusted for
 * its stage. Only {@link ChainVerifier} constructs it.
 *
 * <h3>Security guarantees</h3>
 *
 * It holds the exact bytes of {@code model.tribuo} that were verified ({@link #model()}), and
 * {@link #load()} deserializes those bytes, never the file on disk, so nothing can change between
 * the check and the use.
 */
public final class VerifiedChain {
  /**
   * One checked link of the chain, for people and scripts.
   *
   * @param what what the link is ({@code model signature}, {@code training provenance}, …)
   * @param file the file, relative to the model directory (or the policy's lock path)
   * @param digest the SHA-256 that link establishes (the root digest for the model signature, the
   *     file's own SHA-256 otherwise)
   * @param signer who signed it (for the model file and card: the model signature's signer)
   * @param checked what was checked, in words
   */
  public record Link(String what, String file, Sha256 digest, String signer, String checked) {
    public Link {
      Objects.requireNonNull(what, "what");
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(signer, "signer");
      Objects.requireNonNull(checked, "checked");
    }
  }

  /**
   * A verified attestation of the chain: its typed predicate, who signed it and the SHA-256 of the
   * file's bytes (what later links name). Only {@link ChainVerifier} constructs it.
   *
   * @param <T> the predicate's record type
   */
  public static final class Attestation<T> {
    private final T predicate;
    private final String signer;
    private final Sha256 fileDigest;

    Attestation(T predicate, String signer, Sha256 fileDigest) {
      this.predicate = Objects.requireNonNull(predicate, "predicate");
      this.signer = Objects.requireNonNull(signer, "signer");
      this.fileDigest = Objects.requireNonNull(fileDigest, "fileDigest");
    }

    /** The predicate, read strictly from the verified statement. */
    public T predicate() {
      return predicate;
    }

    /** Who signed it (a signer the policy trusts for its stage). */
    public String signer() {
      return signer;
    }

    /** The SHA-256 of the attestation file's bytes. */
    public Sha256 fileDigest() {
      return fileDigest;
    }

    @Override
    public String toString() {
      return "Attestation["
          + predicate.getClass().getSimpleName()
          + ", "
          + fileDigest
          + ", signed by "
          + signer
          + "]";
    }
  }

  private final VerifiedArtifact model;
  private final Sha256 contentDigest;
  private final ModelCard card;
  private final Sha256 rootDigest;
  private final String modelSigner;
  private final Attestation<Provenance> provenance;
  private final Attestation<DatasetPredicate> dataset;
  private final Attestation<GatePredicate> gate;
  private final Attestation<ReproductionSummary> reproduction;
  private final List<Link> links;
  private final ModelAllowList allowList;
  private final ModelLimits limits;

  VerifiedChain(
      VerifiedArtifact model,
      Sha256 contentDigest,
      ModelCard card,
      Sha256 rootDigest,
      String modelSigner,
      Attestation<Provenance> provenance,
      Attestation<DatasetPredicate> dataset,
      Attestation<GatePredicate> gate,
      Attestation<ReproductionSummary> reproduction,
      List<Link> links,
      ModelAllowList allowList,
      ModelLimits limits) {
    this.model = Objects.requireNonNull(model, "model");
    this.contentDigest = Objects.requireNonNull(contentDigest, "contentDigest");
    this.card = Objects.requireNonNull(card, "card");
    this.rootDigest = Objects.requireNonNull(rootDigest, "rootDigest");
    this.modelSigner = Objects.requireNonNull(modelSigner, "modelSigner");
    this.provenance = Objects.requireNonNull(provenance, "provenance");
    this.dataset = Objects.requireNonNull(dataset, "dataset");
    this.gate = gate;
    this.reproduction = reproduction;
    this.links = List.copyOf(links);
    this.allowList = Objects.requireNonNull(allowList, "allowList");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /**
   * The exact verified bytes of {@code model.tribuo}, signed (via the model signature) by {@link
   * #modelSigner()}.
   */
  public VerifiedArtifact model() {
    return model;
  }

  /**
   * The model content digest, recomputed from the verified bytes of {@link #model()} (see {@link
   * ModelContentDigest}); the card, the provenance, the gate and the reproduction all state this
   * digest, or the chain would not have verified.
   */
  public Sha256 contentDigest() {
    return contentDigest;
  }

  /** The signed model card. */
  public ModelCard card() {
    return card;
  }

  /** The model's name, from the card. */
  public String name() {
    return card.name();
  }

  /** The model's version, from the card. */
  public int version() {
    return card.version();
  }

  /** The model root digest {@code R}: the subject of the provenance, gate and reproduction. */
  public Sha256 rootDigest() {
    return rootDigest;
  }

  /** Who signed the model signature (a TRAIN signer). */
  public String modelSigner() {
    return modelSigner;
  }

  /**
   * The training provenance (SLSA v1), verified under the TRAIN signers, with subject {@code R}.
   */
  public Attestation<Provenance> provenance() {
    return provenance;
  }

  /** The dataset attestation, verified under the INGEST signers, with subject {@code D}. */
  public Attestation<DatasetPredicate> dataset() {
    return dataset;
  }

  /** The dataset subject digest {@code D} the model was trained on. */
  public Sha256 datasetDigest() {
    return dataset.predicate().datasetDigest();
  }

  /**
   * The gate attestation, verified under the EVALUATE signers; empty if there is none (only
   * possible when the policy does not require one: a gate that is present is always verified).
   */
  public Optional<Attestation<GatePredicate>> gate() {
    return Optional.ofNullable(gate);
  }

  /**
   * The reproduction summary, verified under the REPRODUCE signers; empty if there is none (only
   * possible when the policy does not require one: a summary that is present is always verified).
   */
  public Optional<Attestation<ReproductionSummary>> reproduction() {
    return Optional.ofNullable(reproduction);
  }

  /** Every checked link, in verification order. */
  public List<Link> links() {
    return links;
  }

  /**
   * Deserializes the verified model bytes: class names checked against the policy's allow-list
   * first, then the label set and feature names checked against the signed card. The one public way
   * to load a model.
   *
   * @return the model, predicting on raw rows through the signed feature schema
   * @throws VerificationException {@link Reason#MODEL_TOO_LARGE}, {@link Reason#MALFORMED}, {@link
   *     Reason#UNSAFE_MODEL}, {@link Reason#UNSUPPORTED} or {@link Reason#MODEL_MISMATCH} when the
   *     bytes are not a model of the allowed classes that matches the card
   * @throws IllegalStateException if {@link DeserializationFilter#install()} has not run
   */
  public VerifiedModel load() throws VerificationException {
    FeatureSchema schema = card.schema();
    requireEncodable(schema, card.features());
    Model<Label> loaded =
        ModelLoader.load(
            model, ModelExpectations.of(card.labels(), card.features()), allowList, limits);
    return new VerifiedModel(loaded, card, schema, model.digest(), model.signer());
  }

  /** Every feature the card names must be one the schema's encoder can produce. */
  private static void requireEncodable(FeatureSchema schema, List<String> features)
      throws VerificationException {
    Set<String> fixed = Set.copyOf(schema.fixedFeatureNames());
    List<String> foreign = new ArrayList<>();
    for (String f : features) {
      boolean token =
          schema.text().stream().anyMatch(t -> f.startsWith(t.column() + FeatureSchema.SEPARATOR));
      if (!fixed.contains(f) && !token && foreign.size() < 10) {
        foreign.add(f);
      }
    }
    if (!foreign.isEmpty()) {
      throw new VerificationException(
          Reason.MODEL_MISMATCH,
          "model card features the signed schema cannot produce: expected numeric columns,"
              + " column@value of a categorical column or column@token of a text column, found "
              + foreign);
    }
  }

  @Override
  public String toString() {
    return "VerifiedChain[" + card.name() + " v" + card.version() + " " + rootDigest + "]";
  }
}
