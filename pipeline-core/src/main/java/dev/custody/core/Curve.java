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
      "39402006196394479212279040100143613805079739270465446667946905279627659399113263569398956308152294913554433653942643"),
  /** NIST P-521 with SHA-512: generated on request ({@code keygen --curve p521}) and verified. */
  P521(
      "secp521r1",
      "SHA512withECDSA",
      "PKIX_ECDSA_P521_SHA_512",
      "6864797660130609714981900799081393217269435300143305409394463459185543183397655394245057746333217197532963996371363321113864768612440380340372808892707005449");

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

  /**
   * The curve named as {@code keygen --curve} takes it: {@code p256}, {@code p384} or {@code p521}.
   *
   * @throws IllegalArgumentException for any other name
   */
  public static Curve named(String name) {
    for (Curve c : values()) {
      if (c.name().equalsIgnoreCase(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("expected p256, p384 or p521, found '" + name + "'");
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
        "unsupported elliptic curve ("
            + n.bitLength()
            + "-bit order): expected P-256, P-384 or P-521");
  }
}
