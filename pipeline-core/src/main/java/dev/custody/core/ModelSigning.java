package dev.custody.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Signs and verifies models in the OpenSSF Model Signing v1.0 format: a Sigstore bundle holding a
 * DSSE-signed in-toto statement whose predicate lists every file's digest.
 *
 * <h3>Security guarantees</h3>
 *
 * Verification checks the signature (and, keyless, the certificate and identity) before it reads
 * anything the signature covers, then recomputes the model's whole file set and compares it with
 * the signed set: a missing, extra, renamed or changed file fails, and the differences are counted
 * and the first {@link ModelManifest#MAX_LISTED} named. Only regular files under paths the signer
 * chose to ignore (recorded in the signed predicate), model_signing's default ignores ({@code
 * .git}, {@code .gitattributes}, {@code .github}, {@code .gitignore}), the signature file itself
 * and paths the verifier names are left out, and they are reported ({@link
 * VerifiedManifest#ignoredFiles()}). Symbolic links (unless the signature allows them outside the
 * ignored paths) and special files are refused wherever they are, ignored paths included.
 */
public final class ModelSigning {
  /** The signature's file name when it sits inside the model directory. */
  public static final String DEFAULT_SIGNATURE = "model.sig";

  private ModelSigning() {}

  /**
   * Hashes {@code model}, signs the manifest and writes the bundle to {@code signature} atomically.
   * Symbolic links and special files are refused anywhere in the model, ignored paths included.
   *
   * @param extraIgnores further paths, relative to the model, to leave out and record as ignored
   * @return the manifest that was signed; its {@link ModelManifest#ignoredFiles()} are the regular
   *     files left out, other than the signature
   */
  public static ModelManifest sign(
      Path model, Path signature, BundleSigner signer, List<String> extraIgnores)
      throws IOException, PipelineException {
    ModelManifest manifest =
        ModelManifest.hash(model, ignores(model, signature, extraIgnores, List.of()), false);
    AtomicFiles.write(signature, signer.signStatement(manifest.toStatement()));
    return manifest.withIgnoredFiles(withoutSignature(manifest.ignoredFiles(), model, signature));
  }

  /**
   * Hashes {@code model} by shards of {@code shardSize} bytes (model_signing's {@code shards}
   * method; the shards are hashed in parallel), signs the manifest and writes the bundle to {@code
   * signature} atomically. Links, special files and ignores as {@link #sign(Path, Path,
   * BundleSigner, List)}.
   *
   * @param shardSize bytes per shard, positive
   * @return the manifest that was signed
   * @throws PipelineException {@link Reason#UNSUPPORTED} as {@link ShardManifest#hash(Path, List,
   *     boolean, long)}
   */
  public static ShardManifest signShards(
      Path model, Path signature, BundleSigner signer, List<String> extraIgnores, long shardSize)
      throws IOException, PipelineException {
    ShardManifest manifest =
        ShardManifest.hash(
            model, ignores(model, signature, extraIgnores, List.of()), false, shardSize);
    AtomicFiles.write(signature, signer.signStatement(manifest.toStatement()));
    return manifest.withIgnoredFiles(withoutSignature(manifest.ignoredFiles(), model, signature));
  }

  /**
   * Verifies {@code model} against a key-signed {@code signature}.
   *
   * @param extraIgnores paths, relative to the model, that the verifier also leaves out
   * @throws VerificationException with the reason of the first check that failed; for {@link
   *     Reason#MANIFEST_MISMATCH} the message counts the differing files and names the first {@link
   *     ModelManifest#MAX_LISTED}
   */
  public static VerifiedManifest verify(
      Path model, Path signature, KeyBundleVerifier verifier, List<String> extraIgnores)
      throws IOException, VerificationException {
    VerifiedStatement vs = verifier.verifyStatement(readSignature(model, signature));
    return checkModel(model, signature, vs, extraIgnores);
  }

  /**
   * Verifies {@code model} against a keyless {@code signature} (Fulcio certificate and Rekor
   * entry), offline, for the identity and issuer the verifier requires.
   *
   * <p>The bundle is verified first, for the digest its own signed statement names: nothing of its
   * payload is read, or reported in an error, before the certificate, the signer's identity and the
   * signature have checked out. The model is then compared with the verified manifest exactly as
   * for a key-signed signature.
   *
   * @param extraIgnores paths, relative to the model, that the verifier also leaves out
   * @throws VerificationException as {@link KeylessBundleVerifier#verifyStatement(byte[])}, or as
   *     {@link #verify(Path, Path, KeyBundleVerifier, List)} for the model's files
   */
  public static VerifiedManifest verify(
      Path model, Path signature, KeylessBundleVerifier verifier, List<String> extraIgnores)
      throws IOException, VerificationException {
    VerifiedStatement vs = verifier.verifyStatement(readSignature(model, signature));
    return checkModel(model, signature, vs, extraIgnores);
  }

  /**
   * Compares a model with a verified model signature, cheapest check first: the signed subject
   * against the signed resources; then the listing (names and types, no file opened) against the
   * signed names, so a link, a special file (under an ignored path too), an extra or a missing file
   * is refused before any byte is hashed; then the digest of each signed file, read once.
   *
   * <p>Bounds: time linear in the number of directory entries plus the bytes of the signed files
   * (never an unsigned file's); memory linear in the number of entries and signed resources; the
   * error message names at most {@link ModelManifest#MAX_LISTED} files.
   */
  static VerifiedManifest checkModel(
      Path model, Path signature, VerifiedStatement vs, List<String> extraIgnores)
      throws IOException, VerificationException {
    if (ShardManifest.isShards(vs.statement())) {
      return ShardVerification.check(model, signature, vs, extraIgnores);
    }
    ModelManifest signed = ModelManifest.fromStatement(vs.statement());
    Sha256 subject = vs.statement().subjects().get(0).sha256();
    if (!subject.matches(signed.rootDigest())) {
      throw new VerificationException(
          Reason.DIGEST_MISMATCH,
          "model signature: subject digest "
              + subject
              + " != root digest of the signed resources "
              + signed.rootDigest());
    }
    ModelManifest.Listing listing;
    try {
      listing =
          ModelManifest.list(
              model,
              ignores(model, signature, extraIgnores, signed.ignorePaths()),
              signed.allowSymlinks());
    } catch (PipelineException e) {
      throw new VerificationException(Reason.MANIFEST_MISMATCH, e.getMessage(), e);
    }
    List<String> diff = new ArrayList<>(listing.refused());
    diff.addAll(signed.fileSetDifferences(listing.files()));
    if (diff.isEmpty()) {
      diff = signed.differencesFrom(ModelManifest.hash(listing));
    }
    if (!diff.isEmpty()) {
      throw new VerificationException(
          Reason.MANIFEST_MISMATCH,
          "model " + model + " does not match its signature: " + ModelManifest.describe(diff));
    }
    return new VerifiedManifest(
        signed, vs.signer(), withoutSignature(listing.ignored(), model, signature));
  }

  /**
   * Reads a signature bundle only when it is a regular file of at most the bundle limit, so a FIFO
   * is never opened; a signature inside the model directory (the usual {@code model.sig}) must not
   * be a symbolic link either, since whoever writes the directory would choose what it points to.
   */
  static byte[] readSignature(Path model, Path signature)
      throws IOException, VerificationException {
    InputFiles.Links links =
        signatureInModel(model, signature) != null
            ? InputFiles.Links.REFUSE
            : InputFiles.Links.FOLLOW;
    try {
      return InputFiles.read(
          signature,
          "a model signature (Sigstore bundle)",
          SigstoreBundle.MAX_BUNDLE_BYTES,
          Reason.MALFORMED,
          links);
    } catch (VerificationException e) {
      throw e;
    } catch (PipelineException e) {
      throw new VerificationException(e.reason(), e.getMessage(), e);
    }
  }

  static List<String> ignores(Path model, Path signature, List<String> extra, List<String> signed) {
    List<String> out = new ArrayList<>(ModelManifest.DEFAULT_IGNORES);
    out.addAll(extra);
    out.addAll(signed);
    String inModel = signatureInModel(model, signature);
    if (inModel != null) {
      out.add(inModel);
    }
    return out;
  }

  /** Ignored files other than the signature itself, sorted as resources are. */
  static List<String> withoutSignature(List<String> ignored, Path model, Path signature) {
    String inModel = signatureInModel(model, signature);
    List<String> out = new ArrayList<>();
    for (String name : ignored) {
      if (!name.equals(inModel)) {
        out.add(name);
      }
    }
    out.sort(ModelManifest.PATH_ORDER);
    return out;
  }

  /** The signature's path relative to a model directory it lies in, else {@code null}. */
  private static String signatureInModel(Path model, Path signature) {
    Path m = model.toAbsolutePath().normalize();
    Path s = signature.toAbsolutePath().normalize();
    if (!Files.isDirectory(m, LinkOption.NOFOLLOW_LINKS) || !s.startsWith(m)) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    m.relativize(s).forEach(p -> parts.add(p.toString()));
    return String.join("/", parts);
  }
}
