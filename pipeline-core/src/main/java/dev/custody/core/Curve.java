package dev.custody.core;

import java.math.BigInteger;
import java.security.interfaces.ECKey;

/** The elliptic curves Custody signs and verifies with, and how Sigstore names each. */
public enum Curve {
  /** NIST P-256 with SHA-256: what Custody generates. */
  P256(
      "secp256r1",
      "SHA256withECDSA",
      "PKIX_ECDSA_P256_SHA_256",
      "115792089210356248762697446949407573529996955224135760342422259061068512044369"),
  /** NIST P-384 with SHA-384: verified, as model_signing's test keys use it. */
  P384(
      "secp384r1",
      "SHA384withECDSA",
      "PKIX_ECDSA_P384_SHA_384",
      "39402006196394479212279040100143613805079739270465446667946905279627659399113263569398956308152294913554433653942643");

  private final String jcaName;
  private final String signatureAlgorithm;
  private final String keyDetails;
  private final BigInteger order;

  Curve(String jcaName, String signatureAlgorithm, String keyDetails, String order) {
    this.jcaName = jcaName;
    this.signatureAlgorithm = signatureAlgorithm;
    this.keyDetails = keyDetails;
    this.order = new BigInteger(order);
  }

  String jcaName() {
    return jcaName;
  }

  /** The JCA signature algorithm (DER-encoded ECDSA with this curve's hash). */
  String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  /** The Sigstore {@code PublicKeyDetails} name. */
  public String keyDetails() {
    return keyDetails;
  }

  /** The curve of an EC key, identified by its group order; other curves are refused. */
  static Curve of(ECKey key) throws PipelineException {
    BigInteger n = key.getParams().getOrder();
    for (Curve c : values()) {
      if (c.order.equals(n)) {
        return c;
      }
    }
    throw new PipelineException(
        Reason.UNSUPPORTED,
        "unsupported elliptic curve (" + n.bitLength() + "-bit order): expected P-256 or P-384");
  }
}
