package dev.custody.core;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
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
 * {@link SigningKey}'s PEM reading and writing through BouncyCastle, in a class of its own so that
 * loading, verifying and signing with an unencrypted key never loads a BouncyCastle class: its jars
 * are signed, and the first class loaded from them has the JVM check the jar signatures, which with
 * the provider's set-up cost about 0.4 s of CPU in every signing command.
 */
final class BouncyCastlePem {
  private static final BouncyCastleProvider PROVIDER = new BouncyCastleProvider();

  private BouncyCastlePem() {}

  /**
   * Reads what {@link SigningKey#load} does not read by the JDK alone: an encrypted PKCS#8 key, an
   * OpenSSL {@code EC PRIVATE KEY}, or a file to refuse with the reason.
   */
  static ECPrivateKey read(Path file, String pem, char[] passphrase) throws PipelineException {
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
                new JceOpenSSLPKCS8DecryptorProviderBuilder()
                    .setProvider(PROVIDER)
                    .build(passphrase));
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
      PrivateKey pk = new JcaPEMKeyConverter().setProvider(PROVIDER).getPrivateKey(info);
      if (!(pk instanceof ECPrivateKey)) {
        throw new PipelineException(
            Reason.KEY_INVALID,
            InputFiles.shown(file) + ": expected an EC private key, found " + pk.getAlgorithm());
      }
      // Re-encode through the JDK provider so signing does not depend on BouncyCastle.
      return (ECPrivateKey)
          KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pk.getEncoded()));
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

  /** The PEM text of {@code key}: PKCS#8, encrypted when {@code passphrase} is not null. */
  static String write(PrivateKey key, char[] passphrase) throws IOException {
    StringWriter sw = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
      if (passphrase == null) {
        w.writeObject(new PemObject("PRIVATE KEY", key.getEncoded()));
      } else {
        var encryptor =
            new JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
                .setProvider(PROVIDER)
                .setPRF(org.bouncycastle.openssl.PKCS8Generator.PRF_HMACSHA256)
                .setIterationCount(600_000)
                .setPassword(passphrase)
                .build();
        w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, encryptor));
      }
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot set up key encryption", e);
    }
    return sw.toString();
  }
}
