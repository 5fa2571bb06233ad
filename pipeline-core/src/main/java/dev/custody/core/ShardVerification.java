package dev.custody.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Compares a model with a verified model signature of the {@code shards} method. */
final class ShardVerification {
  private ShardVerification() {}

  /**
   * Cheapest check first: the signed subject against the root digest of the signed shards (in the
   * signature's order, as model_signing checks it); then the listing and every file's size against
   * the signed shard names, so a link, a special file, an extra, missing, truncated or extended
   * file is refused before any byte is hashed; then every shard, hashed in parallel. Ignore paths,
   * links and unsigned files follow the same rules as the files method ({@link
   * ModelSigning#checkModel}).
   *
   * <p>Bounds: time linear in the number of directory entries plus the bytes of the signed files
   * (never an unsigned file's); memory linear in the number of entries and shards (one 64 KiB
   * buffer per hashing thread); the error message names at most {@link ModelManifest#MAX_LISTED}
   * differences.
   */
  static VerifiedManifest check(
      Path model, Path signature, VerifiedStatement vs, ModelVerifyOptions options)
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
    Set<String> signedPaths = new HashSet<>();
    signed.shards().forEach(s -> signedPaths.add(s.path()));
    boolean followLinks = signed.allowSymlinks() && options.allowSymlinks();
    ModelManifest.Listing listing;
    try {
      listing =
          ModelManifest.list(
              model, ignores(model, signature, options, signed, signedPaths), followLinks);
    } catch (PipelineException e) {
      throw new VerificationException(Reason.MANIFEST_MISMATCH, e.getMessage(), e);
    }
    List<String> unsigned = new ArrayList<>();
    if (options.ignoreUnsignedFiles()) {
      // Files no shard names are set aside, never read, only reported; an empty file has no shard
      // to sign, so it stays (and plans none).
      List<String> signedFiles = new ArrayList<>();
      for (String f : listing.files()) {
        Path file = listing.single() ? listing.root() : listing.root().resolve(f);
        boolean signedOrEmpty = signedPaths.contains(f) || Files.size(file) == 0;
        (signedOrEmpty ? signedFiles : unsigned).add(f);
      }
      unsigned.sort(ModelManifest.PATH_ORDER);
      listing =
          new ModelManifest.Listing(
              listing.root(),
              listing.single(),
              listing.ignores(),
              listing.allowSymlinks(),
              signedFiles,
              listing.ignored(),
              listing.refused());
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
        signed,
        vs.signer(),
        ModelSigning.withoutSignature(listing.ignored(), model, signature),
        unsigned);
  }

  /**
   * What verification leaves out, as for the files method: the signature's recorded ignore paths
   * (or, when it records none, the git paths no shard names), the verifier's, and the signature.
   */
  private static List<String> ignores(
      Path model,
      Path signature,
      ModelVerifyOptions options,
      ShardManifest signed,
      Set<String> signedPaths) {
    List<String> out = new ArrayList<>(signed.ignorePaths());
    if (!signed.ignorePathsRecorded()) {
      for (String git : ModelManifest.DEFAULT_IGNORES) {
        boolean signedThere =
            signedPaths.stream().anyMatch(p -> p.equals(git) || p.startsWith(git + "/"));
        if (!signedThere) {
          out.add(git);
        }
      }
    }
    out.addAll(options.ignore());
    String inModel = ModelSigning.signatureInModel(model, signature);
    if (inModel != null) {
      out.add(inModel);
    }
    return out;
  }
}
