package dev.custody.core;

import dev.sigstore.proto.bundle.v1.Bundle;
import dev.sigstore.proto.common.v1.X509Certificate;
import io.intoto.EnvelopeOuterClass.Envelope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies Sigstore bundles signed with a certificate chain and no transparency log, as {@code
 * model_signing sign certificate} writes them: a DSSE envelope and {@code
 * verificationMaterial.x509CertificateChain} holding the signing certificate first and the rest of
 * its chain after it. Offline, against CA certificates the caller trusts.
 *
 * <pre>{@code
 * CertificateChainVerifier verifier = CertificateChainVerifier.builder()
 *     .trust(Path.of("ca-cert.pem"))
 *     .build();
 * VerifiedManifest v = ModelSigning.verify(model, signature, verifier, List.of());
 * }</pre>
 *
 * <h3>Security guarantees</h3>
 *
 * A bundle verifies only if all of these hold, checked in this order (model_signing's order):
 *
 * <ul>
 *   <li>the signing certificate is within its validity at the {@link Builder#clock clock}'s
 *       present, and a PKIX path (RFC 5280: signatures, validity, CA basic constraints, {@code
 *       keyCertSign} on issuers, path length, no unknown critical extension; no revocation check,
 *       as model_signing makes none) leads from it, through intermediates from the bundle or the
 *       trusted files, to a self-signed CA certificate of the trusted files. Only self-signed
 *       certificates are anchors, as OpenSSL's store (model_signing's) requires by default: a
 *       trusted intermediate helps build the path but does not end it;
 *   <li>the signing certificate may sign: key usage {@code digitalSignature} <em>or</em> extended
 *       key usage {@code codeSigning}, exactly model_signing's rule (either one suffices);
 *   <li>the DSSE signature verifies with the signing certificate's key over the pre-authentication
 *       encoding of the exact payload bytes, with the hash that matches the curve; failing that,
 *       over model_signing v0.2's encoding with SHA-256, as model_signing accepts for signatures
 *       that version made;
 *   <li>the payload is an in-toto statement ({@link Statement#PAYLOAD_TYPE}).
 * </ul>
 *
 * <p>One deliberate difference: model_signing checks the chain at the signing certificate's {@code
 * notBefore}, so it accepts an expired certificate. Without a transparency log or a timestamp
 * nothing says when the bundle was signed, so Custody checks the chain at the present: a signature
 * stops verifying when its certificate expires.
 *
 * <p>What this does not prove: there is no log, so nobody can see that a signature was made, and a
 * stolen key signs until its certificate expires (no revocation is checked). Trusting a CA means
 * trusting every certificate it issues that may sign; the signer reported is the signing
 * certificate's subject, which a policy compares at its own risk.
 */
public final class CertificateChainVerifier {
  private static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";

  private final Set<TrustAnchor> anchors;
  private final List<java.security.cert.X509Certificate> intermediates;
  private final Clock clock;

  private CertificateChainVerifier(
      Set<TrustAnchor> anchors,
      List<java.security.cert.X509Certificate> intermediates,
      Clock clock) {
    this.anchors = anchors;
    this.intermediates = intermediates;
    this.clock = clock;
  }

  /** A builder; at least one self-signed CA certificate is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link CertificateChainVerifier}. */
  public static final class Builder {
    private final List<java.security.cert.X509Certificate> certificates = new ArrayList<>();
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Trusts the certificates of a PEM file (one or more {@code CERTIFICATE} blocks): the
     * self-signed ones as trust anchors, the others as intermediates for building a path.
     *
     * @throws PipelineException {@link Reason#CERTIFICATE_INVALID} for a file holding no
     *     certificate, another PEM block or an unreadable certificate
     */
    public Builder trust(Path pemFile) throws IOException, PipelineException {
      certificates.addAll(PemCertificates.read(Objects.requireNonNull(pemFile, "pemFile")));
      return this;
    }

    /** The clock that says what "now" is: certificates are checked at its present. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the verifier.
     *
     * @throws IllegalStateException if no trusted file holds a self-signed CA certificate: a
     *     verifier that trusts nobody is a mistake
     */
    public CertificateChainVerifier build() {
      Set<TrustAnchor> anchors = new HashSet<>();
      List<java.security.cert.X509Certificate> others = new ArrayList<>();
      for (java.security.cert.X509Certificate c : certificates) {
        if (selfSigned(c)) {
          anchors.add(new TrustAnchor(c, null));
        } else {
          others.add(c);
        }
      }
      if (anchors.isEmpty()) {
        throw new IllegalStateException(
            "expected at least one self-signed CA certificate to trust, found "
                + (certificates.isEmpty()
                    ? "none"
                    : certificates.size() + " certificate(s) none of which is self-signed"));
      }
      return new CertificateChainVerifier(Set.copyOf(anchors), List.copyOf(others), clock);
    }
  }

  /**
   * Verifies a certificate-chain DSSE bundle carrying an in-toto statement.
   *
   * @throws VerificationException MALFORMED or UNSUPPORTED for a bundle of another shape (see
   *     {@link SigstoreBundle}) or without a certificate chain, CERTIFICATE_INVALID for a signing
   *     certificate that is expired or not yet valid, does not chain to a trusted CA or may not
   *     sign, SIGNATURE_INVALID when the signature does not verify with the certificate's key
   */
  public VerifiedStatement verifyStatement(byte[] bundleJson) throws VerificationException {
    Bundle bundle = SigstoreBundle.parse(Objects.requireNonNull(bundleJson, "bundleJson")).bundle();
    if (!bundle.hasDsseEnvelope()) {
      throw new VerificationException(
          Reason.UNSUPPORTED, "bundle: expected a DSSE envelope, found a message signature");
    }
    var vm = bundle.getVerificationMaterial();
    if (!vm.hasX509CertificateChain() || vm.getX509CertificateChain().getCertificatesCount() == 0) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "bundle: expected a certificate chain (x509CertificateChain, as model_signing sign"
              + " certificate writes), found "
              + (vm.hasCertificate()
                  ? "a single certificate (keyless: verify with an identity and issuer)"
                  : "a public key (verify with --key)"));
    }
    List<java.security.cert.X509Certificate> chain = new ArrayList<>();
    int i = 0;
    for (X509Certificate c : vm.getX509CertificateChain().getCertificatesList()) {
      try {
        chain.add(
            PemCertificates.fromDer(
                c.getRawBytes().toByteArray(), "bundle x509CertificateChain[" + i++ + "]"));
      } catch (PipelineException e) {
        throw new VerificationException(Reason.MALFORMED, e.getMessage(), e);
      }
    }
    java.security.cert.X509Certificate leaf = chain.get(0);
    TrustAnchor anchor = checkChain(leaf, chain.subList(1, chain.size()));
    checkMaySign(leaf);

    VerificationKey key;
    try {
      key = VerificationKey.fromDer(leaf.getPublicKey().getEncoded());
    } catch (PipelineException e) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "signing certificate key: expected an EC P-256 or P-384 key, found "
              + leaf.getPublicKey().getAlgorithm());
    }
    Envelope env = bundle.getDsseEnvelope();
    byte[] payload = env.getPayload().toByteArray();
    byte[] sig = env.getSignatures(0).getSig().toByteArray(); // SigstoreBundle admits exactly one
    if (!key.verify(Dsse.pae(env.getPayloadType(), payload), sig)
        && !verifyV02(key, env.getPayloadType(), payload, sig)) {
      throw new VerificationException(
          Reason.SIGNATURE_INVALID,
          "bundle: the DSSE signature does not verify with the key of signing certificate "
              + PemCertificates.describe(leaf));
    }
    Statement st = KeyBundleVerifier.signedStatement(env.getPayloadType(), payload);
    String signer =
        "certificate "
            + leaf.getSubjectX500Principal().getName()
            + " (CA "
            + anchor.getTrustedCert().getSubjectX500Principal().getName()
            + ")";
    return new VerifiedStatement(st, payload, signer);
  }

  /** The trust anchor a PKIX path from {@code leaf} ends at, checked at the clock's present. */
  private TrustAnchor checkChain(
      java.security.cert.X509Certificate leaf, List<java.security.cert.X509Certificate> given)
      throws VerificationException {
    Instant now = clock.instant();
    try {
      leaf.checkValidity(Date.from(now));
    } catch (CertificateExpiredException e) {
      throw new VerificationException(
          Reason.CERTIFICATE_INVALID,
          "signing certificate "
              + PemCertificates.describe(leaf)
              + ": expired on "
              + leaf.getNotAfter().toInstant()
              + " (checked at "
              + now
              + ")");
    } catch (CertificateNotYetValidException e) {
      throw new VerificationException(
          Reason.CERTIFICATE_INVALID,
          "signing certificate "
              + PemCertificates.describe(leaf)
              + ": not valid before "
              + leaf.getNotBefore().toInstant()
              + " (checked at "
              + now
              + ")");
    }
    List<java.security.cert.X509Certificate> pool = new ArrayList<>(given);
    pool.addAll(intermediates);
    pool.add(leaf);
    try {
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(leaf);
      PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
      params.addCertStore(
          CertStore.getInstance("Collection", new CollectionCertStoreParameters(pool)));
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      PKIXCertPathBuilderResult result =
          (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
      return result.getTrustAnchor();
    } catch (CertPathBuilderException e) {
      throw new VerificationException(
          Reason.CERTIFICATE_INVALID,
          "signing certificate "
              + PemCertificates.describe(leaf)
              + " does not chain to a trusted CA "
              + anchors.stream()
                  .map(a -> a.getTrustedCert().getSubjectX500Principal().getName())
                  .sorted()
                  .collect(Collectors.joining(", ", "[", "]"))
              + " at "
              + now
              + ": "
              + SigstoreChecks.firstLine(e));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks PKIX path building", e);
    }
  }

  /** model_signing's rule: key usage digitalSignature, or else extended key usage codeSigning. */
  private static void checkMaySign(java.security.cert.X509Certificate leaf)
      throws VerificationException {
    boolean[] usage = leaf.getKeyUsage();
    if (usage != null && usage.length > 0 && usage[0]) {
      return;
    }
    List<String> extended;
    try {
      extended = leaf.getExtendedKeyUsage();
    } catch (java.security.cert.CertificateParsingException e) {
      throw new VerificationException(
          Reason.CERTIFICATE_INVALID,
          "signing certificate "
              + PemCertificates.describe(leaf)
              + ": unreadable extended key usage");
    }
    if (extended != null && extended.contains(CODE_SIGNING)) {
      return;
    }
    throw new VerificationException(
        Reason.CERTIFICATE_INVALID,
        "signing certificate "
            + PemCertificates.describe(leaf)
            + ": expected key usage digitalSignature or extended key usage codeSigning, found "
            + (usage == null ? "no key usage" : "key usage without digitalSignature")
            + " and "
            + (extended == null ? "no extended key usage" : "extended key usage " + extended));
  }

  /**
   * model_signing v0.2's signature: SHA-256 whatever the curve, over {@code "DSSEV1 <type length>
   * <type> <payload length> <Python repr of the payload bytes>"} (a bug it shipped with, and which
   * model_signing still accepts).
   */
  private static boolean verifyV02(
      VerificationKey key, String payloadType, byte[] payload, byte[] sig) {
    String message =
        "DSSEV1 "
            + payloadType.getBytes(StandardCharsets.UTF_8).length
            + " "
            + payloadType
            + " "
            + payload.length
            + " "
            + pythonBytesRepr(payload);
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initVerify(key.jcaKey());
      s.update(message.getBytes(StandardCharsets.UTF_8));
      return s.verify(sig);
    } catch (GeneralSecurityException e) {
      return false; // not valid DER: not a valid signature
    }
  }

  /** Python's {@code repr(bytes)}: {@code b'...'} with Python's escapes. */
  static String pythonBytesRepr(byte[] bytes) {
    boolean hasSingle = false;
    boolean hasDouble = false;
    for (byte b : bytes) {
      hasSingle |= b == '\'';
      hasDouble |= b == '"';
    }
    char quote = hasSingle && !hasDouble ? '"' : '\'';
    StringBuilder out = new StringBuilder(bytes.length + 3).append('b').append(quote);
    for (byte x : bytes) {
      int b = x & 0xFF;
      if (b == quote || b == '\\') {
        out.append('\\').append((char) b);
      } else if (b == '\t') {
        out.append("\\t");
      } else if (b == '\n') {
        out.append("\\n");
      } else if (b == '\r') {
        out.append("\\r");
      } else if (b < 0x20 || b >= 0x7F) {
        out.append(String.format(java.util.Locale.ROOT, "\\x%02x", b));
      } else {
        out.append((char) b);
      }
    }
    return out.append(quote).toString();
  }

  private static boolean selfSigned(java.security.cert.X509Certificate c) {
    if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
      return false;
    }
    try {
      c.verify(c.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
