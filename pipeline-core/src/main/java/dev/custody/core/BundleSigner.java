package dev.custody.core;

import com.google.protobuf.ByteString;
import dev.sigstore.proto.bundle.v1.Bundle;
import dev.sigstore.proto.bundle.v1.VerificationMaterial;
import dev.sigstore.proto.common.v1.HashAlgorithm;
import dev.sigstore.proto.common.v1.HashOutput;
import dev.sigstore.proto.common.v1.MessageSignature;
import dev.sigstore.proto.common.v1.PublicKeyIdentifier;
import io.intoto.EnvelopeOuterClass.Envelope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Signs into Sigstore bundle v0.3 JSON: with a {@link SigningKey}, fully offline (a DSSE bundle for
 * statements and a message-signature bundle for single files; the bundle names its key by {@code
 * publicKey.hint}, as model_signing writes it), or keylessly through {@link KeylessSigning}
 * (statements only; needs the network).
 */
public final class BundleSigner {
  private final SigningKey key; // null when keyless
  private final KeylessSigning keyless; // null when signing with a key

  private BundleSigner(SigningKey key, KeylessSigning keyless) {
    this.key = key;
    this.keyless = keyless;
  }

  /** A signer using {@code key}. */
  public static BundleSigner create(SigningKey key) {
    return new BundleSigner(Objects.requireNonNull(key, "key"), null);
  }

  /**
   * A keyless signer. Its sign methods throw {@link UncheckedPipelineException} when the Sigstore
   * instance refuses to sign or its answer does not verify: callers that report failures unwrap it.
   */
  public static BundleSigner keyless(KeylessSigning keyless) {
    return new BundleSigner(null, Objects.requireNonNull(keyless, "keyless"));
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

  /** Who signs, for people: {@code key HINT} or {@code keyless IDENTITY (ISSUER)}. */
  public String describe() {
    return key != null ? "key " + key.publicKey().hint() : "keyless " + keyless.signer();
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
    return Bundle.newBuilder()
        .setMediaType(SigstoreBundle.MEDIA_TYPE_V03)
        .setVerificationMaterial(
            VerificationMaterial.newBuilder()
                .setPublicKey(PublicKeyIdentifier.newBuilder().setHint(key.publicKey().hint())));
  }
}
