package dev.custody.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * An ECDSA public key (P-256, P-384 or P-521) that signatures are checked against. Read from PEM
 * ({@code -----BEGIN PUBLIC KEY-----}, SubjectPublicKeyInfo); text before the PEM block is ignored,
 * as tools such as certtool write a description first.
 */
public final class VerificationKey {
  private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
  private static final String END = "-----END PUBLIC KEY-----";

  /** Largest public key file read: a PEM key is under 1 KiB, the rest allows a description. */
  public static final long MAX_PEM_BYTES = 64 * 1024;

  private final ECPublicKey key;
  private final Curve curve;

  VerificationKey(ECPublicKey key, Curve curve) {
    this.key = key;
    this.curve = curve;
  }

  /**
   * Reads a PEM public key file (a regular file, or a link to one, of at most {@value
   * #MAX_PEM_BYTES} bytes).
   *
   * @throws PipelineException {@link Reason#KEY_INVALID} if the path is not a regular file (a
   *     directory, a FIFO), is too large or is not a PEM EC public key
   * @throws java.nio.file.NoSuchFileException if there is no such file
   */
  public static VerificationKey fromPem(Path file) throws IOException, PipelineException {
    return fromPem(
        InputFiles.read(
            file, "a PEM public key", MAX_PEM_BYTES, Reason.KEY_INVALID, InputFiles.Links.FOLLOW));
  }

  /** Reads a PEM public key. */
  public static VerificationKey fromPem(byte[] pem) throws PipelineException {
    String text = new String(pem, StandardCharsets.US_ASCII);
    int b = text.indexOf(BEGIN);
    int e = text.indexOf(END);
    if (b < 0 || e < b) {
      throw new PipelineException(
          Reason.KEY_INVALID, "public key: expected a '" + BEGIN + "' PEM block, found none");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(b + BEGIN.length(), e));
    } catch (IllegalArgumentException ex) {
      throw new PipelineException(Reason.KEY_INVALID, "public key: PEM body is not base64");
    }
    return fromDer(der);
  }

  static VerificationKey fromDer(byte[] der) throws PipelineException {
    PublicKey pk;
    try {
      pk = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException ex) {
      throw new PipelineException(
          Reason.KEY_INVALID,
          "public key: expected an EC SubjectPublicKeyInfo, found something else");
    }
    ECPublicKey ec = (ECPublicKey) pk;
    return new VerificationKey(ec, Curve.of(ec));
  }

  /** The curve of this key. */
  public Curve curve() {
    return curve;
  }

  /** The key as canonical PEM (64-column base64, final newline). */
  public String toPem() {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded());
    return BEGIN + "\n" + body + "\n" + END + "\n";
  }

  /**
   * The key hint model_signing writes into a bundle's {@code publicKey.hint}: the lower-case hex
   * SHA-256 of the canonical PEM. A hint selects a key; it proves nothing.
   */
  public String hint() {
    return Sha256.of(toPem().getBytes(StandardCharsets.US_ASCII)).hex();
  }

  /** Checks a DER-encoded ECDSA signature over {@code data} with this curve's hash. */
  boolean verify(byte[] data, byte[] derSignature) {
    try {
      Signature s = Signature.getInstance(curve.signatureAlgorithm());
      s.initVerify(key);
      s.update(data);
      return s.verify(derSignature);
    } catch (GeneralSecurityException e) {
      // A signature that is not valid DER, or not for this curve, is simply not valid.
      return false;
    }
  }

  PublicKey jcaKey() {
    return key;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerificationKey other
        && MessageDigest.isEqual(key.getEncoded(), other.key.getEncoded());
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(key.getEncoded());
  }

  @Override
  public String toString() {
    return "VerificationKey[" + curve + ", hint=" + hint() + "]";
  }
}
