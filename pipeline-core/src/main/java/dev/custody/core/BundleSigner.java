package dev.custody.core;

import com.google.protobuf.ByteString;
import dev.sigstore.proto.bundle.v1.Bundle;
import dev.sigstore.proto.bundle.v1.VerificationMaterial;
import dev.sigstore.proto.common.v1.HashAlgorithm;
import dev.sigstore.proto.common.v1.HashOutput;
import dev.sigstore.proto.common.v1.MessageSignature;
import dev.sigstore.proto.common.v1.PublicKeyIdentifier;
import dev.sigstore.proto.common.v1.X509CertificateChain;
import io.intoto.EnvelopeOuterClass.Envelope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Signs into Sigstore bundle v0.3 JSON: with a {@link SigningKey}, fully offline (a DSSE bundle for
 * statements and a message-signature bundle for single files; the bundle names its key by {@code
 * publicKey.hint}, as model_signing writes it, or, for a signer with a certificate, carries the
 * signing certificate and its chain in {@code x509CertificateChain}, signing certificate first, as
 * {@code model_signing sign certificate} writes it), or keylessly through {@link KeylessSigning}
 * (statements only; needs the network).
 */
public final class BundleSigner {
  private final SigningKey key; // null when keyless
  private final KeylessSigning keyless; // null when signing with a key
  private final List<byte[]> certificates;
  private final Optional<String> certificateSubject;

  private BundleSigner(
      SigningKey key,
      KeylessSigning keyless,
      List<byte[]> certificates,
      Optional<String> certificateSubject) {
    this.key = key;
    this.keyless = keyless;
    this.certificates = certificates;
    this.certificateSubject = certificateSubject;
  }

  /** A signer using {@code key}. */
  public static BundleSigner create(SigningKey key) {
    return new BundleSigner(Objects.requireNonNull(key, "key"), null, List.of(), Optional.empty());
  }

  /**
   * A keyless signer. Its sign methods throw {@link UncheckedPipelineException} when the Sigstore
   * instance refuses to sign or its answer does not verify: callers that report failures unwrap it.
   */
  public static BundleSigner keyless(KeylessSigning keyless) {
    return new BundleSigner(
        null, Objects.requireNonNull(keyless, "keyless"), List.of(), Optional.empty());
  }

  /**
   * A signer using {@code key} whose bundles carry a signing certificate and the rest of its chain,
   * verified by {@link CertificateChainVerifier}. As model_signing, the certificates are not
   * checked here beyond the key: the verifier decides whether they are trusted, valid and allowed
   * to sign.
   *
   * @param signingCertificate a PEM file holding the one certificate of {@code key}'s public key
   * @param certificateChain PEM files of further certificates (intermediates, optionally the root),
   *     written after the signing certificate in the order given
   * @throws PipelineException {@link Reason#CERTIFICATE_INVALID} for an unreadable certificate file
   *     or a signing-certificate file holding more than one certificate, {@link Reason#KEY_INVALID}
   *     when the signing certificate's public key is not {@code key}'s
   */
  public static BundleSigner create(
      SigningKey key, Path signingCertificate, List<Path> certificateChain)
      throws IOException, PipelineException {
    Objects.requireNonNull(key, "key");
    List<X509Certificate> leaf = PemCertificates.read(signingCertificate);
    if (leaf.size() != 1) {
      throw new PipelineException(
          Reason.CERTIFICATE_INVALID,
          InputFiles.shown(signingCertificate)
              + ": expected one signing certificate, found "
              + leaf.size()
              + " (give the rest of the chain with --cert-chain)");
    }
    VerificationKey certified;
    try {
      certified = VerificationKey.fromDer(leaf.get(0).getPublicKey().getEncoded());
    } catch (PipelineException e) {
      certified = null; // not an EC key of a supported curve: it cannot be this key's
    }
    if (!key.publicKey().equals(certified)) {
      throw new PipelineException(
          Reason.KEY_INVALID,
          "signing certificate "
              + PemCertificates.describe(leaf.get(0))
              + ": expected the public key of the private key (key "
              + key.publicKey().hint()
              + "), found "
              + (certified == null
                  ? "a " + leaf.get(0).getPublicKey().getAlgorithm() + " key"
                  : "key " + certified.hint()));
    }
    List<byte[]> ders = new ArrayList<>();
    try {
      ders.add(leaf.get(0).getEncoded());
      for (Path p : certificateChain) {
        for (X509Certificate c : PemCertificates.read(p)) {
          ders.add(c.getEncoded());
        }
      }
    } catch (CertificateEncodingException e) {
      throw new PipelineException(Reason.CERTIFICATE_INVALID, "cannot encode a certificate");
    }
    return new BundleSigner(
        key, null, List.copyOf(ders), Optional.of(leaf.get(0).getSubjectX500Principal().getName()));
  }

  /**
   * The public key that verifies this signer's bundles.
   *
   * @throws IllegalStateException for a keyless signer, which has none (see {@link #describe})
   */
  public VerificationKey publicKey() {
    if (key == null) {
      throw new IllegalStateException("a keyless signer has no public key: " + keyless.signer());
    }
    return key.publicKey();
  }

  /**
   * Who signs, for people: {@code key HINT}, {@code certificate SUBJECT} or {@code keyless IDENTITY
   * (ISSUER)}.
   */
  public String describe() {
    if (key == null) {
      return "keyless " + keyless.signer();
    }
    return certificateSubject.map(s -> "certificate " + s).orElse("key " + key.publicKey().hint());
  }

  /**
   * The subject of the signing certificate the bundles carry ({@code CN=...}), or empty for a
   * signer that names its key by hint.
   */
  public Optional<String> certificateSubject() {
    return certificateSubject;
  }

  /** A DSSE bundle over an in-toto statement. */
  public byte[] signStatement(Statement statement) {
    return signDsse(Statement.PAYLOAD_TYPE, statement.toJson());
  }

  /**
   * A DSSE bundle over any payload: the signature covers the PAE of type and payload bytes. A
   * keyless signer signs in-toto statements only.
   */
  public byte[] signDsse(String payloadType, byte[] payload) {
    if (keyless != null) {
      try {
        return keyless.signDsse(payloadType, payload);
      } catch (PipelineException e) {
        throw new UncheckedPipelineException(e);
      }
    }
    byte[] sig = key.sign(Dsse.pae(payloadType, payload));
    Envelope env =
        Envelope.newBuilder()
            .setPayloadType(payloadType)
            .setPayload(ByteString.copyFrom(payload))
            .addSignatures(
                io.intoto.EnvelopeOuterClass.Signature.newBuilder()
                    .setSig(ByteString.copyFrom(sig))
                    .setKeyid(""))
            .build();
    return SigstoreBundle.write(base().setDsseEnvelope(env).build());
  }

  /**
   * A message-signature bundle over a file's bytes (P-256 keys: ECDSA with SHA-256).
   *
   * @throws IllegalStateException for a keyless signer or a key other than P-256
   */
  public byte[] signArtifact(Path file) throws IOException {
    if (key == null) {
      throw new IllegalStateException("keyless signers sign DSSE statements only");
    }
    if (key.publicKey().curve() != Curve.P256) {
      throw new IllegalStateException("message signatures are made with P-256 keys only");
    }
    byte[] content = Files.readAllBytes(file);
    byte[] sig = key.sign(content);
    MessageSignature ms =
        MessageSignature.newBuilder()
            .setMessageDigest(
                HashOutput.newBuilder()
                    .setAlgorithm(HashAlgorithm.SHA2_256)
                    .setDigest(ByteString.copyFrom(Sha256.of(content).bytes())))
            .setSignature(ByteString.copyFrom(sig))
            .build();
    return SigstoreBundle.write(base().setMessageSignature(ms).build());
  }

  private Bundle.Builder base() {
    VerificationMaterial.Builder vm = VerificationMaterial.newBuilder();
    if (certificates.isEmpty()) {
      vm.setPublicKey(PublicKeyIdentifier.newBuilder().setHint(key.publicKey().hint()));
    } else {
      X509CertificateChain.Builder chain = X509CertificateChain.newBuilder();
      for (byte[] der : certificates) {
        chain.addCertificates(
            dev.sigstore.proto.common.v1.X509Certificate.newBuilder()
                .setRawBytes(ByteString.copyFrom(der)));
      }
      vm.setX509CertificateChain(chain);
    }
    return Bundle.newBuilder()
        .setMediaType(SigstoreBundle.MEDIA_TYPE_V03)
        .setVerificationMaterial(vm);
  }
}
