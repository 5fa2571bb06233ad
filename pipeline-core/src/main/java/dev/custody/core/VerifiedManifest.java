package dev.custody.core;

import java.util.List;
import java.util.Optional;

/**
 * Proof that a model (directory or file) matches a model signature whose signer was trusted: the
 * signed manifest, equal to what is on disk at verification time. Only {@link ModelSigning}
 * constructs it.
 */
public final class VerifiedManifest {
  private final ModelManifest manifest;
  private final ShardManifest shards;
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
    this.shards = null;
    this.signer = signer;
    this.ignoredFiles = List.copyOf(ignoredFiles);
    this.unsignedFiles = List.copyOf(unsignedFiles);
  }

  VerifiedManifest(
      ShardManifest shards, String signer, List<String> ignoredFiles, List<String> unsignedFiles) {
    this.manifest = null;
    this.shards = shards;
    this.signer = signer;
    this.ignoredFiles = List.copyOf(ignoredFiles);
    this.unsignedFiles = List.copyOf(unsignedFiles);
  }

  /**
   * The signed file manifest (equal to the model on disk when it was verified).
   *
   * @throws IllegalStateException for a {@code shards} signature, which records no file digests
   *     (see {@link #shardManifest()})
   */
  public ModelManifest manifest() {
    if (manifest == null) {
      throw new IllegalStateException(
          "a 'shards' model signature records shard digests, not file digests");
    }
    return manifest;
  }

  /** The signed shard manifest, for a signature of the {@code shards} method. */
  public Optional<ShardManifest> shardManifest() {
    return Optional.ofNullable(shards);
  }

  /** The signature's serialization method: {@code files} or {@code shards}. */
  public String method() {
    return shards != null ? ShardManifest.METHOD : "files";
  }

  /** The model's name as signed (informative only). */
  public String modelName() {
    return shards != null ? shards.modelName() : manifest.modelName();
  }

  /** How many files the signature covers (an empty file has no shard, so none with shards). */
  public int fileCount() {
    return shards != null ? shards.fileCount() : manifest.resources().size();
  }

  /** The model's root digest. */
  public Sha256 rootDigest() {
    return shards != null ? shards.rootDigest() : manifest.rootDigest();
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
    return "VerifiedManifest[" + modelName() + " " + rootDigest() + " signed by " + signer + "]";
  }
}
