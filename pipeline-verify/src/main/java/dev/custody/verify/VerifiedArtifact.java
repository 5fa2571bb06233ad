package dev.custody.verify;

import dev.custody.core.Sha256;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Objects;

/**
 * Proof that some exact bytes were verified: they match a signed digest and the signer is one the
 * trust policy accepts. Only the verifier in this package constructs it, and it holds the verified
 * bytes themselves, so nothing can change between the check and the use.
 *
 * <h3>Security guarantees</h3>
 *
 * <p>The content is copied on construction and never handed out: {@link #open()} returns a fresh
 * stream over a private copy. This class does not override {@code equals}, {@code hashCode} or
 * {@code toString}, so the content is never compared by reference or printed.
 */
public final class VerifiedArtifact {
  private final byte[] content;
  private final Sha256 digest;
  private final String signer;

  /**
   * Package-private: only verification in {@code dev.custody.verify} may vouch for bytes.
   *
   * @param content the verified bytes (copied)
   * @param digest their SHA-256, as signed
   * @param signer the identity that signed them, as the trust policy names it
   * @throws IllegalArgumentException if {@code digest} is not the digest of {@code content}
   */
  VerifiedArtifact(byte[] content, Sha256 digest, String signer) {
    this.content = Objects.requireNonNull(content, "content").clone();
    this.digest = Objects.requireNonNull(digest, "digest");
    this.signer = Objects.requireNonNull(signer, "signer");
    Sha256 actual = Sha256.of(this.content);
    if (!actual.matches(digest)) {
      throw new IllegalArgumentException(
          "digest mismatch: expected " + digest + ", content is " + actual);
    }
  }

  /** A new stream over the verified bytes; each call starts at the first byte. */
  public InputStream open() {
    return new ByteArrayInputStream(content);
  }

  /** The SHA-256 of the verified bytes. */
  public Sha256 digest() {
    return digest;
  }

  /** The identity that signed the bytes. */
  public String signer() {
    return signer;
  }

  /** The number of verified bytes. */
  public int size() {
    return content.length;
  }
}
