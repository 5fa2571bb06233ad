package dev.custody.core;

import java.util.List;

/**
 * Proof that a model (directory or file) matches a model signature whose signer was trusted: the
 * signed manifest, equal to what is on disk at verification time. Only {@link ModelSigning}
 * constructs it.
 */
public final class VerifiedManifest {
  private final ModelManifest manifest;
  private final String signer;
  private final List<String> ignoredFiles;
  private final List<String> unsignedFiles;

  VerifiedManifest(ModelManifest manifest, String signer, List<String> ignoredFiles) {
    this(manifest, signer, ignoredFiles, List.of());
  }

  VerifiedManifest(
      ModelManifest manifest,
      String signer,
      List<String> ignoredFiles,
      List<String> unsignedFiles) {
    this.manifest = manifest;
    this.signer = signer;
    this.ignoredFiles = List.copyOf(ignoredFiles);
    this.unsignedFiles = List.copyOf(unsignedFiles);
  }

  /** The signed manifest (equal to the model on disk when it was verified). */
  public ModelManifest manifest() {
    return manifest;
  }

  /** The model's root digest. */
  public Sha256 rootDigest() {
    return manifest.rootDigest();
  }

  /**
   * Regular files that were present under an ignore path at verification time (the signature itself
   * excepted), sorted: left out as model_signing leaves them out, so <em>not</em> verified. Tools
   * should show them, so a user sees what the signature does not cover.
   */
  public List<String> ignoredFiles() {
    return ignoredFiles;
  }

  /**
   * Files present but not listed by the signature, sorted as resources are: tolerated only when the
   * verifier asked for it ({@link ModelVerifyOptions.Builder#ignoreUnsignedFiles()}), never read
   * and <em>not</em> verified. Empty otherwise.
   */
  public List<String> unsignedFiles() {
    return unsignedFiles;
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
