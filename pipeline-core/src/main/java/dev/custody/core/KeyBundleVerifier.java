package dev.custody.core;

import dev.sigstore.proto.bundle.v1.Bundle;
import dev.sigstore.proto.common.v1.HashAlgorithm;
import io.intoto.EnvelopeOuterClass.Envelope;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Verifies Sigstore bundles signed with a public key (no certificate, no transparency log),
 * offline, against a fixed set of trusted keys.
 *
 * <h3>Security guarantees</h3>
 *
 * A bundle verifies only if one of its signatures checks out with one of the trusted keys. The key
 * hint and any key embedded in the bundle only narrow which trusted key is tried; they are never
 * trusted themselves. DSSE signatures are checked over the pre-authentication encoding of the exact
 * payload bytes, and the statement is parsed from those same bytes. A DSSE envelope carries exactly
 * one signature ({@link SigstoreBundle#MAX_SIGNATURES}), so verifying a bundle costs at most one
 * ECDSA verification per trusted key, and one when the bundle names its key.
 *
 * <p>ECDSA signatures are accepted with S in either form (low or high, {@code s} or {@code n - s}),
 * as the JCA, Go's {@code crypto/ecdsa} and Python's {@code cryptography} all do: none of them
 * normalises S when signing, so about half the valid signatures {@code model_signing} and other
 * Sigstore clients make are high-S, and refusing them would break interoperability. Malleability
 * matters only where signature bytes identify something, and nothing in Custody is keyed on them: a
 * verified result (statement, payload, signer) is the same for both forms. Where exact bytes are
 * bound (an attestation's file digest named by a later record, a transparency-log entry recording
 * the signature), the other form is a changed file and is refused like any other changed byte.
 */
public final class KeyBundleVerifier {
  private final List<VerificationKey> trusted;

  private KeyBundleVerifier(List<VerificationKey> trusted) {
    this.trusted = trusted;
  }

  /** A builder; at least one trusted key is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link KeyBundleVerifier}. */
  public static final class Builder {
    private final List<VerificationKey> keys = new ArrayList<>();

    private Builder() {}

    /** Trusts signatures made by {@code key}. */
    public Builder trust(VerificationKey key) {
      keys.add(java.util.Objects.requireNonNull(key, "key"));
      return this;
    }

    /** Trusts signatures made by any of {@code keys}. */
    public Builder trust(Collection<VerificationKey> keys) {
      keys.forEach(this::trust);
      return this;
    }

    /**
     * Builds the verifier.
     *
     * @throws IllegalStateException if no key is trusted: a verifier that trusts nobody is a
     *     mistake
     */
    public KeyBundleVerifier build() {
      if (keys.isEmpty()) {
        throw new IllegalStateException("at least one trusted public key is required");
      }
      return new KeyBundleVerifier(List.copyOf(keys));
    }
  }

  /**
   * Verifies a DSSE bundle carrying an in-toto statement.
   *
   * @throws VerificationException MALFORMED or UNSUPPORTED for a bundle of another shape (see
   *     {@link SigstoreBundle}), UNTRUSTED_SIGNER when it names a key that is not trusted,
   *     SIGNATURE_INVALID when no signature checks out with a trusted key
   */
  public VerifiedStatement verifyStatement(byte[] bundleJson) throws VerificationException {
    SigstoreBundle.Parsed parsed = SigstoreBundle.parse(bundleJson);
    Bundle bundle = parsed.bundle();
    if (!bundle.hasDsseEnvelope()) {
      throw new VerificationException(
          Reason.UNSUPPORTED, "bundle: expected a DSSE envelope, found a message signature");
    }
    List<VerificationKey> candidates = candidates(parsed);
    Envelope env = bundle.getDsseEnvelope();
    byte[] payload = env.getPayload().toByteArray();
    byte[] pae = Dsse.pae(env.getPayloadType(), payload);
    // SigstoreBundle.parse admits exactly one signature; each candidate key is tried once: at most
    // candidates.size() ECDSA verifications, one when the bundle names its key.
    byte[] s = env.getSignatures(0).getSig().toByteArray();
    for (VerificationKey k : candidates) {
      if (k.verify(pae, s)) {
        Statement st = signedStatement(env.getPayloadType(), payload);
        return new VerifiedStatement(st, payload, "key " + k.hint(), k);
      }
    }
    throw new VerificationException(
        Reason.SIGNATURE_INVALID,
        "bundle: no DSSE signature verifies with trusted key(s) " + hints(candidates));
  }

  /**
   * Verifies a message-signature bundle over {@code artifact}: the signed digest must equal the
   * file's SHA-256 and the signature must check out over the file's bytes.
   *
   * @return the verified digest of the artifact
   */
  public Sha256 verifyArtifact(byte[] bundleJson, Path artifact)
      throws VerificationException, IOException {
    SigstoreBundle.Parsed parsed = SigstoreBundle.parse(bundleJson);
    Bundle bundle = parsed.bundle();
    if (!bundle.hasMessageSignature()) {
      throw new VerificationException(
          Reason.UNSUPPORTED, "bundle: expected a message signature, found a DSSE envelope");
    }
    var ms = bundle.getMessageSignature();
    if (ms.getMessageDigest().getAlgorithm() != HashAlgorithm.SHA2_256) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "bundle: expected a SHA2_256 message digest, found "
              + ms.getMessageDigest().getAlgorithm());
    }
    List<VerificationKey> candidates = candidates(parsed);
    byte[] signedDigest = ms.getMessageDigest().getDigest().toByteArray();
    byte[] sig = ms.getSignature().toByteArray();
    MessageDigest md = org.apache.commons.codec.digest.DigestUtils.getSha256Digest();
    List<Signature> verifiers = new ArrayList<>();
    try {
      for (VerificationKey k : candidates) {
        Signature s = Signature.getInstance(k.curve().signatureAlgorithm());
        s.initVerify(k.jcaKey());
        verifiers.add(s);
      }
      try (InputStream in = Files.newInputStream(artifact)) {
        byte[] buf = new byte[Digests.CHUNK];
        for (int n; (n = in.read(buf)) != -1; ) {
          md.update(buf, 0, n);
          for (Signature s : verifiers) {
            s.update(buf, 0, n);
          }
        }
      }
      byte[] actual = md.digest();
      if (!MessageDigest.isEqual(actual, signedDigest)) {
        throw new VerificationException(
            Reason.DIGEST_MISMATCH,
            "digest mismatch: bundle "
                + describe(signedDigest)
                + " != artifact "
                + Sha256.ofRaw(actual));
      }
      for (Signature s : verifiers) {
        if (verifySafely(s, sig)) {
          return Sha256.ofRaw(actual);
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks ECDSA", e);
    }
    throw new VerificationException(
        Reason.SIGNATURE_INVALID,
        "bundle: the signature does not verify with trusted key(s) " + hints(candidates));
  }

  private List<VerificationKey> candidates(SigstoreBundle.Parsed parsed)
      throws VerificationException {
    Bundle bundle = parsed.bundle();
    var vm = bundle.getVerificationMaterial();
    if (vm.hasX509CertificateChain() && vm.getTlogEntriesCount() == 0) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "bundle: signed with a certificate chain and no transparency-log entry (model_signing"
              + " sign certificate); verify it with the CA certificates to trust"
              + " (--certificate-chain), not a key");
    }
    if (vm.hasCertificate() || vm.hasX509CertificateChain()) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "bundle: signed with a certificate (keyless); verify it with an identity and issuer, not a key");
    }
    if (parsed.embeddedKey().isPresent()) {
      VerificationKey embedded = parsed.embeddedKey().get();
      if (!trusted.contains(embedded)) {
        throw new VerificationException(
            Reason.UNTRUSTED_SIGNER,
            "bundle: signed by key " + embedded.hint() + ", expected one of " + hints(trusted));
      }
      return List.of(embedded);
    }
    String hint = vm.getPublicKey().getHint();
    if (hint.isEmpty()) {
      return trusted;
    }
    List<VerificationKey> matching =
        trusted.stream().filter(k -> k.hint().equals(hint)).collect(Collectors.toList());
    if (matching.isEmpty()) {
      throw new VerificationException(
          Reason.UNTRUSTED_SIGNER,
          "bundle: signed by key " + hint + ", expected one of " + hints(trusted));
    }
    return matching;
  }

  private static boolean verifySafely(Signature s, byte[] sig) {
    try {
      return s.verify(sig);
    } catch (java.security.SignatureException e) {
      return false; // not valid DER: not a valid signature
    }
  }

  private static String describe(byte[] digest) {
    return digest.length == 32 ? Sha256.ofRaw(digest).toString() : digest.length + " bytes";
  }

  private static String hints(List<VerificationKey> keys) {
    return keys.stream().map(VerificationKey::hint).collect(Collectors.joining(", ", "[", "]"));
  }

  /**
   * The in-toto statement of a DSSE payload whose signature has verified: an other payload type is
   * {@link Reason#UNSUPPORTED}, a statement that does not parse keeps its reason.
   */
  static Statement signedStatement(String payloadType, byte[] payload)
      throws VerificationException {
    if (!Statement.PAYLOAD_TYPE.equals(payloadType)) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "bundle: expected payload type " + Statement.PAYLOAD_TYPE + ", found " + payloadType);
    }
    try {
      return Statement.parse(payload);
    } catch (VerificationException e) {
      throw e;
    } catch (PipelineException e) {
      throw new VerificationException(e.reason(), e.getMessage(), e);
    }
  }
}
