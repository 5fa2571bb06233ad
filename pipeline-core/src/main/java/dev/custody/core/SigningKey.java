package dev.custody.core;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.crypto.KeyAgreement;

/**
 * A handle on an ECDSA private key. It signs and hands out its public key; no method returns the
 * private key's bytes. Keys are stored as PKCS#8 PEM, optionally passphrase-encrypted (PBES2,
 * AES-256-CBC, HMAC-SHA256), in files only their owner can read.
 *
 * <h3>Security guarantees</h3>
 *
 * The private key file is created with mode 0600 and never overwritten (nor is the public key file
 * written beside it); loading refuses a key file that group or others can read. This class does not
 * override {@code toString}, {@code equals} or {@code hashCode}, so key material cannot leak
 * through logging or collections.
 */
public final class SigningKey {
  private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String PKCS8_END = "-----END PRIVATE KEY-----";
  private static final Set<PosixFilePermission> TOO_OPEN =
      Set.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE);

  private final PrivateKey privateKey;
  private final VerificationKey publicKey;

  private SigningKey(PrivateKey privateKey, VerificationKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /** Generates a new P-256 key pair. */
  public static SigningKey generate() {
    return generate(Curve.P256);
  }

  /** Generates a new key pair on {@code curve}. */
  public static SigningKey generate(Curve curve) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve.jcaName()), new SecureRandom());
      KeyPair kp = g.generateKeyPair();
      return new SigningKey(
          kp.getPrivate(), new VerificationKey((ECPublicKey) kp.getPublic(), curve));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot generate " + curve + " keys", e);
    }
  }

  /**
   * Loads a private key from a PEM file written by {@link #save}.
   *
   * @param passphrase the passphrase of an encrypted key, or {@code null} for an unencrypted one
   * @throws PipelineException {@link Reason#KEY_INVALID} if the file is not a regular file (a
   *     directory, a FIFO) holding a supported key, the passphrase is wrong or missing, or the file
   *     is readable by group or others
   */
  public static SigningKey load(Path file, char[] passphrase)
      throws IOException, PipelineException {
    // A directory or FIFO is named as such, not reported by its permissions.
    InputFiles.requireRegular(
        file, "a PEM private key", Reason.KEY_INVALID, InputFiles.Links.FOLLOW);
    String pem =
        new String(
            InputFiles.read(
                file,
                "a PEM private key",
                VerificationKey.MAX_PEM_BYTES,
                Reason.KEY_INVALID,
                InputFiles.Links.FOLLOW),
            StandardCharsets.US_ASCII);
    // A public key given by mistake is named as such, not refused for its (rightly open) mode.
    refusePublicKey(file, pem);
    refuseOpenPermissions(file);
    Optional<ECPrivateKey> plain = plainPkcs8(pem);
    ECPrivateKey ec = plain.isPresent() ? plain.get() : BouncyCastlePem.read(file, pem, passphrase);
    try {
      Curve curve = Curve.of(ec);
      return new SigningKey(ec, publicKeyOf(ec, curve));
    } catch (GeneralSecurityException e) {
      throw new PipelineException(
          Reason.KEY_INVALID, InputFiles.shown(file) + ": unreadable private key");
    }
  }

  /**
   * An unencrypted PKCS#8 EC key ({@code BEGIN PRIVATE KEY}, what {@link #save} writes without a
   * passphrase) read by the JDK alone, without loading BouncyCastle (see {@link BouncyCastlePem});
   * empty for anything else, which {@link BouncyCastlePem#read} reads or refuses with the reason.
   */
  private static Optional<ECPrivateKey> plainPkcs8(String pem) {
    int begin = pem.indexOf("-----BEGIN ");
    if (begin < 0 || !pem.startsWith(PKCS8_BEGIN, begin)) {
      return Optional.empty();
    }
    int end = pem.indexOf(PKCS8_END, begin);
    if (end < 0) {
      return Optional.empty();
    }
    String body = pem.substring(begin + PKCS8_BEGIN.length(), end).replaceAll("\\r?\\n", "");
    try {
      PrivateKey key =
          KeyFactory.getInstance("EC")
              .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
      return key instanceof ECPrivateKey ec ? Optional.of(ec) : Optional.empty();
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return Optional.empty();
    }
  }

  /**
   * Writes the key pair: the private key to {@code file} as PEM with mode 0600, and the public key
   * beside it, to {@link #publicKeyFile(Path) file.pub} (PEM, world-readable), each atomically.
   * Refuses to replace either file: when one exists, neither is written.
   *
   * @param passphrase encrypts the private key when not {@code null}
   * @throws java.nio.file.FileAlreadyExistsException if {@code file} or {@code file.pub} exists
   */
  public void save(Path file, char[] passphrase) throws IOException {
    Path pub = publicKeyFile(file);
    for (Path p : List.of(file, pub)) {
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(p.toString(), null, "refusing to overwrite");
      }
    }
    AtomicFiles.writeOwnerOnly(
        file, BouncyCastlePem.write(privateKey, passphrase).getBytes(StandardCharsets.US_ASCII));
    // The public key last: a pair whose .pub exists always has its private half.
    AtomicFiles.write(pub, publicKey.toPem().getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Where {@link #save} writes the public key of a private key file: {@code file.pub} beside it.
   */
  public static Path publicKeyFile(Path privateKeyFile) {
    return privateKeyFile.resolveSibling(privateKeyFile.getFileName() + ".pub");
  }

  /** The matching public key. */
  public VerificationKey publicKey() {
    return publicKey;
  }

  /** A DER-encoded ECDSA signature over {@code data} with this curve's hash. */
  byte[] sign(byte[] data) {
    try {
      Signature s = Signature.getInstance(publicKey.curve().signatureAlgorithm());
      s.initSign(privateKey, new SecureRandom());
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA signing failed", e);
    }
  }

  /**
   * The public key {@code d·G}, by the JDK alone: ECDH of the private key with the generator gives
   * the point's x; y is a square root of {@code x³ + ax + b} (P-256 and P-384 have {@code p ≡ 3 mod
   * 4}, so {@code rhs^((p+1)/4)}), the one of the two that verifies a signature by the private key.
   * That signature also proves the pair matches.
   */
  private static VerificationKey publicKeyOf(ECPrivateKey priv, Curve curve)
      throws GeneralSecurityException {
    ECParameterSpec params = priv.getParams();
    KeyFactory keys = KeyFactory.getInstance("EC");
    KeyAgreement ecdh = KeyAgreement.getInstance("ECDH");
    ecdh.init(priv);
    ecdh.doPhase(keys.generatePublic(new ECPublicKeySpec(params.getGenerator(), params)), true);
    BigInteger x = new BigInteger(1, ecdh.generateSecret());
    BigInteger p = ((ECFieldFp) params.getCurve().getField()).getP();
    BigInteger rhs =
        x.pow(3).add(params.getCurve().getA().multiply(x)).add(params.getCurve().getB()).mod(p);
    BigInteger y = rhs.modPow(p.add(BigInteger.ONE).shiftRight(2), p);
    if (p.mod(BigInteger.valueOf(4)).intValue() != 3 || !y.multiply(y).mod(p).equals(rhs)) {
      throw new GeneralSecurityException("no public point for this key");
    }
    byte[] probe = "custody public key derivation".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(curve.signatureAlgorithm());
    signer.initSign(priv, new SecureRandom());
    signer.update(probe);
    byte[] sig = signer.sign();
    for (BigInteger candidate : List.of(y, p.subtract(y))) {
      ECPublicKey pub =
          (ECPublicKey) keys.generatePublic(new ECPublicKeySpec(new ECPoint(x, candidate), params));
      Signature verifier = Signature.getInstance(curve.signatureAlgorithm());
      verifier.initVerify(pub);
      verifier.update(probe);
      if (verifier.verify(sig)) {
        return new VerificationKey(pub, curve);
      }
    }
    throw new GeneralSecurityException("no public point verifies this key's signature");
  }

  private static void refusePublicKey(Path file, String pem) throws PipelineException {
    if (!pem.contains("-----BEGIN PUBLIC KEY-----")) {
      return;
    }
    String name = String.valueOf(file.getFileName());
    String hint =
        name.endsWith(".pub") && name.length() > 4
            ? "; the private key of a pair from keygen is "
                + InputFiles.shown(file.resolveSibling(name.substring(0, name.length() - 4)))
                + ", beside it"
            : "";
    throw new PipelineException(
        Reason.KEY_INVALID,
        InputFiles.shown(file)
            + ": expected a PEM private key, found a public key (BEGIN PUBLIC KEY): signing needs"
            + " the private key"
            + hint);
  }

  private static void refuseOpenPermissions(Path file) throws IOException, PipelineException {
    Optional<Set<PosixFilePermission>> open =
        InputFiles.grantedAnyOf(file, TOO_OPEN, InputFiles.Links.REFUSE);
    if (open.isPresent()) {
      throw new PipelineException(
          Reason.KEY_INVALID,
          file
              + ": private key permissions "
              + java.nio.file.attribute.PosixFilePermissions.toString(open.get())
              + " are too open; expected rw------- (chmod 600)");
    }
  }
}
