package dev.custody.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Signs and verifies models in the OpenSSF Model Signing v1.0 format: a Sigstore bundle holding a
 * DSSE-signed in-toto statement whose predicate lists every file's digest.
 *
 * <h3>Security guarantees</h3>
 *
 * Verification recomputes the model's whole file set and compares it with the signed set: a
 * missing, extra, renamed or changed file fails, and every difference is named. Only paths the
 * signer chose to ignore (recorded in the signed predicate), model_signing's default ignores, the
 * signature file itself and paths the verifier names are left out.
 */
public final class ModelSigning {
  /** The signature's file name when it sits inside the model directory. */
  public static final String DEFAULT_SIGNATURE = "model.sig";

  private ModelSigning() {}

  /**
   * Hashes {@code model}, signs the manifest and writes the bundle to {@code signature} atomically.
   *
   * @param extraIgnores further paths, relative to the model, to leave out and record as ignored
   * @return the manifest that was signed
   */
  public static ModelManifest sign(
      Path model, Path signature, BundleSigner signer, List<String> extraIgnores)
      throws IOException, PipelineException {
    ModelManifest manifest =
        ModelManifest.hash(model, ignores(model, signature, extraIgnores, List.of()), false);
    AtomicFiles.write(signature, signer.signStatement(manifest.toStatement()));
    return manifest;
  }

  /**
   * Verifies {@code model} against a key-signed {@code signature}.
   *
   * @param extraIgnores paths, relative to the model, that the verifier also leaves out
   * @throws VerificationException with the reason of the first check that failed; for {@link
   *     Reason#MANIFEST_MISMATCH} the message names every differing file
   */
  public static VerifiedManifest verify(
      Path model, Path signature, KeyBundleVerifier verifier, List<String> extraIgnores)
      throws IOException, VerificationException {
    VerifiedStatement vs = verifier.verifyStatement(readSignature(signature));
    return checkModel(model, signature, vs, extraIgnores);
  }

  /**
   * Verifies {@code model} against a keyless {@code signature} (Fulcio certificate and Rekor
   * entry), offline, for the identity and issuer the verifier requires.
   *
   * <p>The model is hashed with the ignore paths the signature lists (read before the signature is
   * checked: they only choose which files to hash), and the bundle is verified for that root
   * digest. The manifest is then read from the verified payload and compared file by file.
   */
  public static VerifiedManifest verify(
      Path model, Path signature, KeylessBundleVerifier verifier, List<String> extraIgnores)
      throws IOException, VerificationException {
    byte[] bundle = readSignature(signature);
    ModelManifest claimed = unverifiedManifest(bundle);
    ModelManifest actual = hashFor(model, signature, extraIgnores, claimed);
    VerifiedStatement vs;
    try {
      vs = verifier.verifyStatement(bundle, actual.rootDigest());
    } catch (VerificationException e) {
      List<String> diff = claimed.differencesFrom(actual);
      if (e.reason() == Reason.DIGEST_MISMATCH && !diff.isEmpty()) {
        throw new VerificationException(
            Reason.MANIFEST_MISMATCH,
            "model " + model + " does not match its signature: " + String.join("; ", diff),
            e);
      }
      throw e;
    }
    ModelManifest signed = ModelManifest.fromStatement(vs.statement());
    return compare(model, vs, signed, actual);
  }

  static VerifiedManifest checkModel(
      Path model, Path signature, VerifiedStatement vs, List<String> extraIgnores)
      throws IOException, VerificationException {
    ModelManifest signed = ModelManifest.fromStatement(vs.statement());
    return compare(model, vs, signed, hashFor(model, signature, extraIgnores, signed));
  }

  private static VerifiedManifest compare(
      Path model, VerifiedStatement vs, ModelManifest signed, ModelManifest actual)
      throws VerificationException {
    Sha256 subject = vs.statement().subjects().get(0).sha256();
    if (!subject.matches(signed.rootDigest())) {
      throw new VerificationException(
          Reason.DIGEST_MISMATCH,
          "model signature: subject digest "
              + subject
              + " != root digest of the signed resources "
              + signed.rootDigest());
    }
    List<String> diff = signed.differencesFrom(actual);
    if (!diff.isEmpty()) {
      throw new VerificationException(
          Reason.MANIFEST_MISMATCH,
          "model " + model + " does not match its signature: " + String.join("; ", diff));
    }
    return new VerifiedManifest(signed, vs.signer());
  }

  private static ModelManifest hashFor(
      Path model, Path signature, List<String> extraIgnores, ModelManifest signed)
      throws IOException, VerificationException {
    try {
      return ModelManifest.hash(
          model,
          ignores(model, signature, extraIgnores, signed.ignorePaths()),
          signed.allowSymlinks());
    } catch (PipelineException e) {
      throw new VerificationException(Reason.MANIFEST_MISMATCH, e.getMessage(), e);
    }
  }

  /** The manifest a bundle claims, before its signature is checked: for choosing files only. */
  private static ModelManifest unverifiedManifest(byte[] bundle) throws VerificationException {
    var parsed = SigstoreBundle.parse(bundle).bundle();
    if (!parsed.hasDsseEnvelope()) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "model signature: expected a DSSE envelope, found a message signature");
    }
    try {
      return ModelManifest.fromStatement(
          Statement.parse(parsed.getDsseEnvelope().getPayload().toByteArray()));
    } catch (VerificationException e) {
      throw e;
    } catch (PipelineException e) {
      throw new VerificationException(e.reason(), e.getMessage(), e);
    }
  }

  static byte[] readSignature(Path signature) throws IOException, VerificationException {
    long size = Files.size(signature);
    if (size > SigstoreBundle.MAX_BUNDLE_BYTES) {
      throw new VerificationException(
          Reason.MALFORMED,
          signature
              + ": expected a signature of at most "
              + SigstoreBundle.MAX_BUNDLE_BYTES
              + " bytes, found "
              + size);
    }
    try (InputStream in = Files.newInputStream(signature)) {
      return in.readNBytes((int) SigstoreBundle.MAX_BUNDLE_BYTES + 1);
    }
  }

  private static List<String> ignores(
      Path model, Path signature, List<String> extra, List<String> signed) {
    List<String> out = new ArrayList<>(ModelManifest.DEFAULT_IGNORES);
    out.addAll(extra);
    out.addAll(signed);
    Path m = model.toAbsolutePath().normalize();
    Path s = signature.toAbsolutePath().normalize();
    if (Files.isDirectory(m) && s.startsWith(m)) {
      List<String> parts = new ArrayList<>();
      m.relativize(s).forEach(p -> parts.add(p.toString()));
      out.add(String.join("/", parts));
    }
    return out;
  }
}
