package dev.custody.core;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/**
 * The signer identity a Fulcio certificate states: its single subject alternative name (an e-mail
 * address or a URI) and the OIDC issuer extension. Read the same way sigstore-java's {@code
 * FulcioCertificateMatcher} reads them, without Bouncy Castle.
 */
final class FulcioIdentity {
  /** OIDC issuer, a DER-encoded string (Fulcio since 2023). */
  static final String ISSUER_V2_OID = "1.3.6.1.4.1.57264.1.8";

  /** OIDC issuer, raw UTF-8 bytes (deprecated, still in older certificates). */
  static final String ISSUER_V1_OID = "1.3.6.1.4.1.57264.1.1";

  private static final int SAN_RFC822 = 1;
  private static final int SAN_URI = 6;

  private static final int TAG_OCTET_STRING = 0x04;
  private static final int TAG_UTF8_STRING = 0x0c;
  private static final int TAG_PRINTABLE_STRING = 0x13;
  private static final int TAG_IA5_STRING = 0x16;

  private FulcioIdentity() {}

  /** The certificate's only subject alternative name. */
  static String subject(X509Certificate cert) throws VerificationException {
    Collection<List<?>> sans;
    try {
      sans = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new VerificationException(
          Reason.CERTIFICATE_INVALID, "signing certificate: unreadable subject alternative name");
    }
    if (sans == null || sans.size() != 1) {
      throw new VerificationException(
          Reason.CERTIFICATE_INVALID,
          "signing certificate: expected exactly one subject alternative name, found "
              + (sans == null ? 0 : sans.size()));
    }
    List<?> san = sans.iterator().next();
    Object type = san.get(0);
    if (!(type instanceof Integer kind)
        || (kind != SAN_RFC822 && kind != SAN_URI)
        || !(san.get(1) instanceof String)) {
      throw new VerificationException(
          Reason.CERTIFICATE_INVALID,
          "signing certificate: expected an e-mail or URI subject alternative name, found type "
              + type);
    }
    return (String) san.get(1);
  }

  /** The OIDC issuer that vouched for the subject. */
  static String issuer(X509Certificate cert) throws VerificationException {
    byte[] v2 = cert.getExtensionValue(ISSUER_V2_OID);
    if (v2 != null) {
      byte[] inner = unwrap(v2, TAG_OCTET_STRING);
      int tag = inner.length > 0 ? inner[0] & 0xff : -1;
      if (tag != TAG_UTF8_STRING && tag != TAG_PRINTABLE_STRING && tag != TAG_IA5_STRING) {
        throw malformedIssuer();
      }
      return new String(unwrap(inner, tag), StandardCharsets.UTF_8);
    }
    byte[] v1 = cert.getExtensionValue(ISSUER_V1_OID);
    if (v1 != null) {
      return new String(unwrap(v1, TAG_OCTET_STRING), StandardCharsets.UTF_8);
    }
    throw new VerificationException(
        Reason.CERTIFICATE_INVALID,
        "signing certificate: expected an OIDC issuer extension ("
            + ISSUER_V2_OID
            + "), found none");
  }

  /** The content of a single DER TLV with the given tag that spans all of {@code der}. */
  private static byte[] unwrap(byte[] der, int expectedTag) throws VerificationException {
    if (der.length < 2 || (der[0] & 0xff) != expectedTag) {
      throw malformedIssuer();
    }
    int first = der[1] & 0xff;
    int offset = 2;
    long length;
    if (first < 0x80) {
      length = first;
    } else {
      int n = first & 0x7f;
      if (n == 0 || n > 4 || der.length < 2 + n) {
        throw malformedIssuer();
      }
      length = 0;
      for (int i = 0; i < n; i++) {
        length = (length << 8) | (der[2 + i] & 0xff);
      }
      offset += n;
    }
    if (offset + length != der.length) {
      throw malformedIssuer();
    }
    byte[] out = new byte[(int) length];
    System.arraycopy(der, offset, out, 0, out.length);
    return out;
  }

  private static VerificationException malformedIssuer() {
    return new VerificationException(
        Reason.CERTIFICATE_INVALID,
        "signing certificate: expected a DER string in the OIDC issuer extension, found other"
            + " bytes");
  }
}
