package dev.custody.serve.security;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test CA, a server certificate for 127.0.0.1 and a client certificate, made fresh (EC P-256,
 * valid from a day ago to a day ahead), with the keystores and PEM files a server and its clients
 * are configured from. BouncyCastle builds the certificates: the JDK has no certificate builder.
 */
public final class TestPki {
  public static final String PASSWORD = "test-keystore-password";

  public final KeyPair caKey;
  public final X509Certificate ca;
  final KeyPair serverKey;
  final X509Certificate server;
  final KeyPair clientKey;
  final X509Certificate client;

  private TestPki() throws GeneralSecurityException, IOException {
    Instant now = Instant.now();
    caKey = ecKey();
    ca = certificate("CN=custody test CA", caKey, "CN=custody test CA", caKey, now, true);
    serverKey = ecKey();
    server = certificate("CN=127.0.0.1", serverKey, "CN=custody test CA", caKey, now, false);
    clientKey = ecKey();
    client = certificate("CN=test client", clientKey, "CN=custody test CA", caKey, now, false);
  }

  public static TestPki create() throws GeneralSecurityException, IOException {
    return new TestPki();
  }

  static KeyPair ecKey() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    return g.generateKeyPair();
  }

  /** A certificate for {@code subject} signed by {@code issuerKey}, valid a day either side. */
  static X509Certificate certificate(
      String subject,
      KeyPair subjectKey,
      String issuer,
      KeyPair issuerKey,
      Instant now,
      boolean isCa)
      throws GeneralSecurityException, IOException {
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            new X500Name(issuer),
            new BigInteger(64, new SecureRandom()),
            Date.from(now.minus(Duration.ofDays(1))),
            Date.from(now.plus(Duration.ofDays(1))),
            new X500Name(subject),
            subjectKey.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (!isCa) {
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName(
                  GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress())));
    }
    try {
      var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /** A PKCS#12 file holding one key entry per alias given (alias, key, chain...). */
  static Path keystore(Path file, String password, Object... aliasKeyCert)
      throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    for (int i = 0; i < aliasKeyCert.length; i += 3) {
      ks.setKeyEntry(
          (String) aliasKeyCert[i],
          ((KeyPair) aliasKeyCert[i + 1]).getPrivate(),
          password.toCharArray(),
          (Certificate[]) aliasKeyCert[i + 2]);
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      ks.store(out, password.toCharArray());
    }
    return file;
  }

  /** The server's keystore (key and chain up to the CA) under {@link #PASSWORD}. */
  public Path serverKeystore(Path file) throws GeneralSecurityException, IOException {
    return keystore(file, PASSWORD, "server", serverKey, new Certificate[] {server, ca});
  }

  /** The CA certificate as PEM. */
  public Path caPem(Path file) throws IOException {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      w.writeObject(ca);
    }
    return Files.writeString(file, s.toString(), StandardCharsets.US_ASCII);
  }

  /** A client context trusting the CA, presenting the client certificate if {@code withCert}. */
  public SSLContext clientContext(boolean withCert) throws GeneralSecurityException, IOException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    if (withCert) {
      keys.setKeyEntry(
          "client", clientKey.getPrivate(), PASSWORD.toCharArray(), new Certificate[] {client, ca});
    }
    kmf.init(keys, PASSWORD.toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
    return ctx;
  }
}
