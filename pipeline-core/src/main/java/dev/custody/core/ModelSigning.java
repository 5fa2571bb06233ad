package dev.custody.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
 * chose to ignore (recorded in the signed predicate), the signature file itself and paths the
 * verifier names are left out, and they are reported ({@link VerifiedManifest#ignoredFiles()}). A
 * signature that records no {@code ignore_paths} (model_signing before v1.1, which ignored the git
 * paths without saying so) also leaves out the git paths it does not list as signed files. Files
 * the signature does not list fail verification unless the verifier tolerates them ({@link
 * ModelVerifyOptions.Builder#ignoreUnsignedFiles()}), and then they are reported ({@link
 * VerifiedManifest#unsignedFiles()}) and never read. Symbolic links are followed only where both
 * the signature and the verifier allow them, and never out of the model; special files are refused
 * wherever they are, ignored paths included.
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
    return sign(model, signature, signer, ModelSignOptions.builder().ignore(extraIgnores).build());
  }

  /**
   * Hashes {@code model} under {@code options}, signs the manifest and writes the bundle to {@code
   * signature} atomically. The ignore paths (the git paths unless {@link
   * ModelSignOptions.Builder#includeGitPaths()}, the options' paths, and the signature if it lies
   * in the model) and {@code allow_symlinks} are recorded in the signature as model_signing records
   * them.
   *
   * @return the manifest that was signed; its {@link ModelManifest#ignoredFiles()} are the regular
   *     files left out, other than the signature
   * @throws PipelineException {@link Reason#UNSUPPORTED} for a special file, a link that is not
   *     allowed, or a link that leads out of the model or nowhere
   */
  public static ModelManifest sign(
      Path model, Path signature, BundleSigner signer, ModelSignOptions options)
      throws IOException, PipelineException {
    ModelManifest manifest =
        ModelManifest.hash(model, signIgnores(model, signature, options), options.allowSymlinks());
    AtomicFiles.write(signature, signer.signStatement(manifest.toStatement()));
    return manifest.withIgnoredFiles(withoutSignature(manifest.ignoredFiles(), model, signature));
  }

  /**
   * Hashes {@code model} under {@code options} by shards of {@code shardSize} bytes
   * (model_signing's {@code shards} method; the shards are hashed in parallel), signs the manifest
   * and writes the bundle to {@code signature} atomically. Ignores and links as {@link #sign(Path,
   * Path, BundleSigner, ModelSignOptions)}.
   *
   * @param shardSize bytes per shard, positive
   * @return the manifest that was signed
   * @throws PipelineException {@link Reason#UNSUPPORTED} as {@link ShardManifest#hash(Path, List,
   *     boolean, long)}
   */
  public static ShardManifest signShards(
      Path model, Path signature, BundleSigner signer, ModelSignOptions options, long shardSize)
      throws IOException, PipelineException {
    ShardManifest manifest =
        ShardManifest.hash(
            model, signIgnores(model, signature, options), options.allowSymlinks(), shardSize);
    AtomicFiles.write(signature, signer.signStatement(manifest.toStatement()));
    return manifest.withIgnoredFiles(withoutSignature(manifest.ignoredFiles(), model, signature));
  }

  /**
   * What signing leaves out and records: git paths (unless included), the options', the signature.
   */
  private static List<String> signIgnores(Path model, Path signature, ModelSignOptions options) {
    List<String> ignores =
        new ArrayList<>(options.ignoreGitPaths() ? ModelManifest.DEFAULT_IGNORES : List.of());
    ignores.addAll(options.ignore());
    String inModel = signatureInModel(model, signature);
    if (inModel != null) {
      ignores.add(inModel);
    }
    return ignores;
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
    return verify(model, signature, verifier, compatible(extraIgnores));
  }

  /**
   * Verifies {@code model} against a key-signed {@code signature}, with the verifier's {@code
   * options} on top of the rules the signature records.
   *
   * @throws VerificationException as {@link #verify(Path, Path, KeyBundleVerifier, List)}
   */
  public static VerifiedManifest verify(
      Path model, Path signature, KeyBundleVerifier verifier, ModelVerifyOptions options)
      throws IOException, VerificationException {
    VerifiedStatement vs = verifier.verifyStatement(readSignature(model, signature));
    return checkModel(model, signature, vs, options);
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
    return verify(model, signature, verifier, compatible(extraIgnores));
  }

  /**
   * Verifies {@code model} against a keyless {@code signature}, with the verifier's {@code options}
   * on top of the rules the signature records.
   *
   * @throws VerificationException as {@link #verify(Path, Path, KeylessBundleVerifier, List)}
   */
  public static VerifiedManifest verify(
      Path model, Path signature, KeylessBundleVerifier verifier, ModelVerifyOptions options)
      throws IOException, VerificationException {
    VerifiedStatement vs = verifier.verifyStatement(readSignature(model, signature));
    return checkModel(model, signature, vs, options);
  }

  /**
   * The options of the verify methods that take a list of ignores: those paths, and links followed
   * wherever the signature allows them, as these methods always did.
   */
  private static ModelVerifyOptions compatible(List<String> extraIgnores) {
    return ModelVerifyOptions.builder().ignore(extraIgnores).allowSymlinks().build();
  }

  /**
   * Verifies {@code model} against a {@code signature} made with a certificate chain and no
   * transparency log ({@code model_signing sign certificate}, or {@link #sign} with {@link
   * BundleSigner#create(SigningKey, Path, List)}), for the CA certificates the verifier trusts.
   *
   * <p>The certificate chain, the signing certificate's usage and the signature are checked before
   * anything of the payload is read; the model is then compared with the verified manifest exactly
   * as for a key-signed signature. A model_signing v0.2 signature ({@link
   * ModelManifest#LEGACY_PREDICATE_TYPE}, one subject per file) is read too.
   *
   * @param extraIgnores paths, relative to the model, that the verifier also leaves out
   * @throws VerificationException as {@link CertificateChainVerifier#verifyStatement(byte[])}, or
   *     as {@link #verify(Path, Path, KeyBundleVerifier, List)} for the model's files
   */
  public static VerifiedManifest verify(
      Path model, Path signature, CertificateChainVerifier verifier, List<String> extraIgnores)
      throws IOException, VerificationException {
    return verify(model, signature, verifier, compatible(extraIgnores));
  }

  /**
   * Verifies {@code model} against a certificate-chain {@code signature}, with the verifier's
   * {@code options} on top of the rules the signature records.
   *
   * @throws VerificationException as {@link #verify(Path, Path, CertificateChainVerifier, List)}
   */
  public static VerifiedManifest verify(
      Path model, Path signature, CertificateChainVerifier verifier, ModelVerifyOptions options)
      throws IOException, VerificationException {
    VerifiedStatement vs = verifier.verifyStatement(readSignature(model, signature));
    return checkModel(model, signature, vs, options);
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
      Path model, Path signature, VerifiedStatement vs, ModelVerifyOptions options)
      throws IOException, VerificationException {
    if (ShardManifest.isShards(vs.statement())) {
      return ShardVerification.check(model, signature, vs, options);
    }
    ModelManifest signed = ModelManifest.fromStatement(vs.statement());
    Sha256 subject = vs.statement().subjects().get(0).sha256();
    if (signed.legacy()) {
      // v0.2 signatures name each file as a subject and no root digest.
      Path name = model.toAbsolutePath().normalize().getFileName();
      signed = signed.withModelName(name == null ? "/" : name.toString());
    } else if (!subject.matches(signed.rootDigest())) {
      throw new VerificationException(
          Reason.DIGEST_MISMATCH,
          "model signature: subject digest "
              + subject
              + " != root digest of the signed resources "
              + signed.rootDigest());
    }
    boolean followLinks = signed.allowSymlinks() && options.allowSymlinks();
    ModelManifest.Listing listing;
    try {
      listing =
          ModelManifest.list(
              model, ignores(model, signature, options.ignore(), signed), followLinks);
    } catch (FileNameException e) {
      // The locale or a name's bytes, not the model's content: say so, not "does not match".
      throw new VerificationException(e.reason(), e.getMessage(), e);
    } catch (PipelineException e) {
      throw new VerificationException(Reason.MANIFEST_MISMATCH, e.getMessage(), e);
    }
    List<String> unsigned = new ArrayList<>();
    if (options.ignoreUnsignedFiles()) {
      // Files the signature does not list are set aside by name: never read, only reported.
      Set<String> signedNames = new HashSet<>();
      signed.resources().forEach(r -> signedNames.add(r.name()));
      List<String> signedFiles = new ArrayList<>();
      for (String f : listing.files()) {
        (signedNames.contains(f) ? signedFiles : unsigned).add(f);
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
    diff.addAll(signed.fileSetDifferences(listing.files()));
    if (diff.isEmpty()) {
      diff = signed.differencesFrom(ModelManifest.hash(listing));
    }
    if (!diff.isEmpty()) {
      String links =
          signed.allowSymlinks() && !options.allowSymlinks() && !listing.refused().isEmpty()
              ? " (the signature allows symbolic links; this verifier does not follow them)"
              : "";
      throw new VerificationException(
          Reason.MANIFEST_MISMATCH,
          "model "
              + model
              + " does not match its signature: "
              + ModelManifest.describe(diff)
              + links);
    }
    return new VerifiedManifest(
        signed, vs.signer(), withoutSignature(listing.ignored(), model, signature), unsigned);
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

  /**
   * What verification leaves out: the signature's recorded ignore paths, the verifier's, and the
   * signature file. A signature that records none is read as model_signing's older signers meant
   * it: the git paths were ignored, except any it lists as signed files.
   */
  private static List<String> ignores(
      Path model, Path signature, List<String> extra, ModelManifest signed) {
    List<String> out = new ArrayList<>(signed.ignorePaths());
    if (!signed.ignorePathsRecorded()) {
      for (String git : ModelManifest.DEFAULT_IGNORES) {
        boolean signedThere =
            signed.resources().stream()
                .anyMatch(r -> r.name().equals(git) || r.name().startsWith(git + "/"));
        if (!signedThere) {
          out.add(git);
        }
      }
    }
    out.addAll(extra);
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
  static String signatureInModel(Path model, Path signature) {
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
