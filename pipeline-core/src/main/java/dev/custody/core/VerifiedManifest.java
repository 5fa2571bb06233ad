package dev.custody.core;

/**
 * Proof that a model (directory or file) matches a model signature whose signer was trusted: the
 * signed manifest, equal to what is on disk at verification time. Only {@link ModelSigning}
 * constructs it.
 */
public final class VerifiedManifest {
  private final ModelManifest manifest;
  private final String signer;

  VerifiedManifest(ModelManifest manifest, String signer) {
    this.manifest = manifest;
    this.signer = signer;
  }

  /** The signed manifest (equal to the model on disk when it was verified). */
  public ModelManifest manifest() {
    return manifest;
  }

  /** The model's root digest. */
  public Sha256 rootDigest() {
    return manifest.rootDigest();
  }

  /** Who signed: {@code key <hint>} or {@code <identity> (issuer <issuer>)}. */
  public String signer() {
    return signer;
  }

  @Override
  public String toString() {
    return "VerifiedManifest["
        + manifest.modelName()
        + " "
        + rootDigest()
        + " signed by "
        + signer
        + "]";
  }
}
