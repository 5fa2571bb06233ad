package dev.custody.verify;

import dev.custody.core.ModelManifest;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.VerificationException;
import dev.custody.core.VerifiedManifest;
import dev.custody.core.chain.ChainLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads one file of a verified model directory into a {@link VerifiedArtifact}: the bytes are read
 * <em>once</em>, and their SHA-256 must equal the signed manifest's entry for that file.
 *
 * <h3>Security guarantees</h3>
 *
 * <p>{@link dev.custody.core.ModelSigning#verify} hashed the directory when it verified it; the
 * file may have changed since. The bytes returned here are hashed again as they are read and
 * compared with the signed digest, and they are the bytes the caller then uses (for example {@link
 * ModelLoader#load}): there is no second read of the path to swap.
 *
 * @see dev.custody.core.ModelSigning
 */
public final class ModelArtifacts {
  /**
   * Largest file read by default: {@link ChainLimits#DEFAULT_MAX_MODEL_BYTES}, as everywhere a
   * model is read.
   */
  public static final long DEFAULT_MAX_BYTES = ChainLimits.DEFAULT_MAX_MODEL_BYTES;

  private ModelArtifacts() {}

  /**
   * Reads {@code file} of {@code modelDir} with the {@linkplain #DEFAULT_MAX_BYTES default limit}.
   *
   * @throws VerificationException as {@link #readVerified(VerifiedManifest, Path, String, long)}
   * @throws IOException if the file cannot be read
   */
  public static VerifiedArtifact readVerified(VerifiedManifest model, Path modelDir, String file)
      throws VerificationException, IOException {
    return readVerified(model, modelDir, file, DEFAULT_MAX_BYTES);
  }

  /**
   * Reads {@code file} (a path relative to the model directory, as the signed manifest names it)
   * once and checks its digest against the signed manifest.
   *
   * @param model the verified model signature of {@code modelDir}
   * @param modelDir the model directory that was verified
   * @param file the file's relative POSIX path, e.g. {@code model.tribuo}
   * @param maxBytes the largest file accepted
   * @return the verified bytes, signed by {@link VerifiedManifest#signer()}
   * @throws VerificationException {@link Reason#MANIFEST_MISMATCH} if the signature does not list
   *     the file, or the file is not a regular file (a link, a directory) or its bytes differ from
   *     the signed digest; {@link Reason#UNSUPPORTED} for a {@code shards} signature (no file
   *     digests); {@link Reason#MODEL_TOO_LARGE} if it is larger than {@code maxBytes}
   * @throws IOException if the file cannot be read
   */
  public static VerifiedArtifact readVerified(
      VerifiedManifest model, Path modelDir, String file, long maxBytes)
      throws VerificationException, IOException {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(modelDir, "modelDir");
    Objects.requireNonNull(file, "file");
    if (model.shardManifest().isPresent()) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "the model signature uses the 'shards' method: it records no digest of " + file);
    }
    Sha256 signed = null;
    for (ModelManifest.Resource r : model.manifest().resources()) {
      if (r.name().equals(file)) {
        signed = r.digest();
      }
    }
    if (signed == null) {
      throw new VerificationException(
          Reason.MANIFEST_MISMATCH, "the model signature does not list " + file);
    }
    Path path = modelDir.resolve(file);
    if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new VerificationException(
          Reason.MANIFEST_MISMATCH, file + " is not a regular file in " + modelDir);
    }
    byte[] content;
    try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
      content = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8L));
    }
    if (content.length > maxBytes) {
      throw new VerificationException(
          Reason.MODEL_TOO_LARGE, file + " is larger than the limit of " + maxBytes + " bytes");
    }
    Sha256 found = Sha256.of(content);
    if (!found.matches(signed)) {
      throw new VerificationException(
          Reason.MANIFEST_MISMATCH,
          "changed: " + file + " (signed " + signed + ", found " + found + ")");
    }
    return new VerifiedArtifact(content, signed, model.signer());
  }
}
