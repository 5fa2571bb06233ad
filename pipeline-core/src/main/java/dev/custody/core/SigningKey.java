package dev.custody.core;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemObject;

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
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();
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
    Object parsed;
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      parsed = parser.readObject();
    } catch (IOException e) {
      throw new PipelineException(
          Reason.KEY_INVALID, InputFiles.shown(file) + ": not a PEM private key");
    }
    PrivateKeyInfo info;
    try {
      if (parsed instanceof PKCS8EncryptedPrivateKeyInfo enc) {
        if (passphrase == null) {
          throw new PipelineException(
              Reason.KEY_INVALID,
              InputFiles.shown(file) + ": the key is encrypted; a passphrase is required");
        }
        info =
            enc.decryptPrivateKeyInfo(
                new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(passphrase));
      } else if (parsed instanceof PrivateKeyInfo plain) {
        info = plain;
      } else if (parsed instanceof PEMKeyPair pair) {
        info = pair.getPrivateKeyInfo();
      } else {
        throw new PipelineException(
            Reason.KEY_INVALID,
            file
                + ": expected a PKCS#8 'PRIVATE KEY' PEM block, found "
                + (parsed == null ? "none" : parsed.getClass().getSimpleName()));
      }
      PrivateKey pk = new JcaPEMKeyConverter().setProvider(BC).getPrivateKey(info);
      if (!(pk instanceof ECPrivateKey ec)) {
        throw new PipelineException(
            Reason.KEY_INVALID,
            InputFiles.shown(file) + ": expected an EC private key, found " + pk.getAlgorithm());
      }
      // Re-encode through the JDK provider so signing does not depend on BouncyCastle.
      PrivateKey jdk =
          java.security.KeyFactory.getInstance("EC")
              .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(pk.getEncoded()));
      Curve curve = Curve.of(ec);
      return new SigningKey(jdk, publicKeyOf(ec, curve));
    } catch (PKCSException | OperatorCreationException e) {
      // The cause could echo key material; say only what went wrong.
      throw new PipelineException(
          Reason.KEY_INVALID,
          InputFiles.shown(file) + ": cannot decrypt the key (wrong passphrase?)");
    } catch (PEMException | GeneralSecurityException e) {
      throw new PipelineException(
          Reason.KEY_INVALID, InputFiles.shown(file) + ": unreadable private key");
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
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      if (passphrase == null) {
        w.writeObject(new PemObject("PRIVATE KEY", privateKey.getEncoded()));
      } else {
        var encryptor =
            new JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
                .setProvider(BC)
                .setPRF(org.bouncycastle.openssl.PKCS8Generator.PRF_HMACSHA256)
                .setIterationCount(600_000)
                .setPassword(passphrase)
                .build();
        w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(privateKey, encryptor));
      }
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot set up key encryption", e);
    }
    AtomicFiles.writeOwnerOnly(file, sw.toString().getBytes(StandardCharsets.US_ASCII));
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

  private static VerificationKey publicKeyOf(ECPrivateKey priv, Curve curve)
      throws GeneralSecurityException {
    var spec = org.bouncycastle.jce.ECNamedCurveTable.getParameterSpec(curve.jcaName());
    var q = spec.getG().multiply(priv.getS()).normalize();
    var point =
        new java.security.spec.ECPoint(
            q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
    ECPublicKey pub =
        (ECPublicKey)
            java.security.KeyFactory.getInstance("EC")
                .generatePublic(new java.security.spec.ECPublicKeySpec(point, priv.getParams()));
    return new VerificationKey(pub, curve);
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
