package dev.custody.core;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Compares a model with a verified model signature of the {@code shards} method. */
final class ShardVerification {
  private ShardVerification() {}

  /**
   * Cheapest check first: the signed subject against the root digest of the signed shards (in the
   * signature's order, as model_signing checks it); then the listing and every file's size against
   * the signed shard names, so a link, a special file, an extra, missing, truncated or extended
   * file is refused before any byte is hashed; then every shard, hashed in parallel.
   *
   * <p>Bounds: time linear in the number of directory entries plus the bytes of the signed files;
   * memory linear in the number of entries and shards (one 64 KiB buffer per hashing thread); the
   * error message names at most {@link ModelManifest#MAX_LISTED} differences.
   */
  static VerifiedManifest check(
      Path model, Path signature, VerifiedStatement vs, List<String> extraIgnores)
      throws IOException, VerificationException {
    ShardManifest signed = ShardManifest.fromStatement(vs.statement());
    Sha256 subject = vs.statement().subjects().get(0).sha256();
    if (!subject.matches(signed.rootDigest())) {
      throw new VerificationException(
          Reason.DIGEST_MISMATCH,
          "model signature: subject digest "
              + subject
              + " != root digest of the signed shards "
              + signed.rootDigest());
    }
    ModelManifest.Listing listing;
    try {
      listing =
          ModelManifest.list(
              model,
              ModelSigning.ignores(model, signature, extraIgnores, signed.ignorePaths()),
              signed.allowSymlinks());
    } catch (PipelineException e) {
      throw new VerificationException(Reason.MANIFEST_MISMATCH, e.getMessage(), e);
    }
    List<String> diff = new ArrayList<>(listing.refused());
    if (diff.isEmpty()) {
      List<ShardManifest.Planned> planned = ShardManifest.plan(listing, signed.shardSize());
      diff.addAll(signed.layoutDifferences(planned));
      if (diff.isEmpty()) {
        diff.addAll(signed.digestDifferences(ShardManifest.hashPlanned(planned)));
      }
    }
    if (!diff.isEmpty()) {
      throw new VerificationException(
          Reason.MANIFEST_MISMATCH,
          "model " + model + " does not match its signature: " + ModelManifest.describe(diff));
    }
    return new VerifiedManifest(
        signed, vs.signer(), ModelSigning.withoutSignature(listing.ignored(), model, signature));
  }
}
