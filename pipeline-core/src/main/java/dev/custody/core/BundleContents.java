package dev.custody.core;

import dev.sigstore.proto.bundle.v1.Bundle;
import io.intoto.EnvelopeOuterClass.Envelope;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * What a Sigstore bundle <em>claims</em>, read without verifying it, for people to look at ({@code
 * custody inspect}): the in-toto statement in its DSSE envelope and who it says signed it. Nothing
 * here is a verdict: the signer is the key hint or certificate identity the bundle names, which a
 * forger can write as easily as anything else. Parsing is {@link SigstoreBundle#parse}'s (same
 * bounds, same strictness) and {@link Statement#parse}'s.
 *
 * @param mediaType the bundle's media type
 * @param statement the in-toto statement the envelope carries
 * @param claimedSigner {@code key <hint>}, {@code identity <subject> issuer <issuer>} or {@code
 *     unnamed key} (a key bundle without a hint)
 */
public record BundleContents(String mediaType, Statement statement, String claimedSigner) {
  /**
   * Reads a bundle's statement and claimed signer.
   *
   * @throws PipelineException {@link Reason#MALFORMED} for anything that is not a bounded, strict
   *     Sigstore bundle with a DSSE envelope carrying an in-toto statement; {@link
   *     Reason#UNSUPPORTED} for another bundle version or payload type
   */
  public static BundleContents read(byte[] json) throws PipelineException {
    SigstoreBundle.Parsed parsed = SigstoreBundle.parse(json);
    Bundle bundle = parsed.bundle();
    if (!bundle.hasDsseEnvelope()) {
      throw new PipelineException(
          Reason.UNSUPPORTED, "bundle: expected a DSSE envelope, found a message signature");
    }
    Envelope env = bundle.getDsseEnvelope();
    if (!Statement.PAYLOAD_TYPE.equals(env.getPayloadType())) {
      throw new PipelineException(
          Reason.UNSUPPORTED,
          "bundle: expected payload type "
              + Statement.PAYLOAD_TYPE
              + ", found "
              + env.getPayloadType());
    }
    Statement st = Statement.parse(env.getPayload().toByteArray());
    return new BundleContents(bundle.getMediaType(), st, signer(parsed));
  }

  private static String signer(SigstoreBundle.Parsed parsed) throws PipelineException {
    var vm = parsed.bundle().getVerificationMaterial();
    Optional<byte[]> cert = Optional.empty();
    if (vm.hasCertificate()) {
      cert = Optional.of(vm.getCertificate().getRawBytes().toByteArray());
    } else if (vm.hasX509CertificateChain()
        && vm.getX509CertificateChain().getCertificatesCount() > 0) {
      cert =
          Optional.of(vm.getX509CertificateChain().getCertificates(0).getRawBytes().toByteArray());
    }
    if (cert.isPresent()) {
      X509Certificate leaf;
      try {
        leaf =
            (X509Certificate)
                CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(cert.get()));
      } catch (CertificateException | ClassCastException e) {
        throw new PipelineException(
            Reason.MALFORMED, "bundle: the signing certificate is not an X.509 certificate");
      }
      return "identity " + FulcioIdentity.subject(leaf) + " issuer " + FulcioIdentity.issuer(leaf);
    }
    if (parsed.embeddedKey().isPresent()) {
      return "key " + parsed.embeddedKey().get().hint();
    }
    String hint = vm.getPublicKey().getHint();
    return hint.isEmpty() ? "unnamed key" : "key " + hint;
  }
}
