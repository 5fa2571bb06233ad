package dev.custody.core;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;

/** Reads X.509 certificates from PEM files and DER bytes into the JDK's certificate type. */
final class PemCertificates {
  /** Largest certificate file read: a CA bundle such as certifi's is about 300 KiB. */
  static final long MAX_PEM_BYTES = 4L << 20;

  private PemCertificates() {}

  /**
   * Every certificate in a PEM file, in order. Text between PEM blocks (certtool and openssl print
   * a description) is skipped; any other PEM block is refused.
   *
   * @throws PipelineException {@link Reason#CERTIFICATE_INVALID} for a file holding no certificate,
   *     another PEM block or an unreadable certificate
   */
  static List<X509Certificate> read(Path file) throws IOException, PipelineException {
    String pem =
        new String(
            InputFiles.read(
                file,
                "a PEM certificate file",
                MAX_PEM_BYTES,
                Reason.CERTIFICATE_INVALID,
                InputFiles.Links.FOLLOW),
            StandardCharsets.US_ASCII);
    List<X509Certificate> out = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object o; (o = parser.readObject()) != null; ) {
        if (!(o instanceof X509CertificateHolder holder)) {
          throw new PipelineException(
              Reason.CERTIFICATE_INVALID,
              InputFiles.shown(file)
                  + ": expected only CERTIFICATE PEM blocks, found "
                  + o.getClass().getSimpleName());
        }
        out.add(fromDer(holder.getEncoded(), InputFiles.shown(file)));
      }
    } catch (IOException e) {
      throw new PipelineException(
          Reason.CERTIFICATE_INVALID, InputFiles.shown(file) + ": not a readable PEM certificate");
    }
    if (out.isEmpty()) {
      throw new PipelineException(
          Reason.CERTIFICATE_INVALID,
          InputFiles.shown(file) + ": expected a PEM certificate (BEGIN CERTIFICATE), found none");
    }
    return out;
  }

  /** One DER certificate. */
  static X509Certificate fromDer(byte[] der, String where) throws PipelineException {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | RuntimeException e) {
      throw new PipelineException(
          Reason.CERTIFICATE_INVALID, where + ": not a readable X.509 certificate");
    }
  }

  /** {@code CN=leaf (issuer CN=ca)}, for messages. */
  static String describe(X509Certificate c) {
    return c.getSubjectX500Principal().getName()
        + " (issuer "
        + c.getIssuerX500Principal().getName()
        + ")";
  }
}
