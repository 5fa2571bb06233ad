package dev.custody.core;

import dev.sigstore.AlgorithmRegistry;
import dev.sigstore.KeylessSigner;
import dev.sigstore.KeylessSignerException;
import dev.sigstore.oidc.client.OidcClients;
import dev.sigstore.oidc.client.TokenStringOidcClient;
import dev.sigstore.trustroot.SigstoreConfigurationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * Keyless signing through sigstore-java's {@link KeylessSigner}: an ephemeral key, a Fulcio
 * certificate for the identity of an OIDC token, a Rekor entry and a timestamp. Needs the network.
 *
 * <h3>Security guarantees</h3>
 *
 * Every bundle is verified, before it is returned, with {@link KeylessBundleVerifier} against the
 * instance's trusted root, for exactly the identity and issuer the token names: a certificate for
 * anyone else, a log entry or timestamp that does not verify, or a payload other than the one given
 * fails closed ({@link Reason#SIGNING_FAILED}) and nothing is returned. The token is never logged,
 * printed or put in a message.
 */
public final class KeylessSigning {
  private final IdentityToken token;
  private final TrustConfig instance;
  private final KeylessSigner signer;
  private final KeylessBundleVerifier verifier;

  private KeylessSigning(
      IdentityToken token,
      TrustConfig instance,
      KeylessSigner signer,
      KeylessBundleVerifier verifier) {
    this.token = token;
    this.instance = instance;
    this.signer = signer;
    this.verifier = verifier;
  }

  /**
   * A signer for {@code token}'s identity on {@code instance} (its signing config names the
   * services, its trusted root verifies what they return). Contacts nothing yet.
   *
   * @throws PipelineException {@link Reason#MALFORMED} if the instance has no signing config,
   *     {@link Reason#UNSUPPORTED} if it offers no Rekor v2 log and timestamp authority (see {@link
   *     TrustConfig}), {@link Reason#SIGNING_FAILED} if sigstore-java refuses its configuration
   */
  public static KeylessSigning create(IdentityToken token, TrustConfig instance)
      throws PipelineException {
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(instance, "instance");
    instance.requireDsseSigning();
    KeylessSigner signer;
    KeylessBundleVerifier verifier;
    try {
      signer =
          KeylessSigner.builder()
              .trustedRootProvider(() -> instance.trustedRoot().trusted())
              .signingConfigProvider(instance::signingConfigOrThrow)
              .forceCredentialProviders(OidcClients.of(TokenStringOidcClient.from(token.jwt())))
              .enableRekorV2(true)
              .signingAlgorithm(AlgorithmRegistry.SigningAlgorithm.PKIX_ECDSA_P256_SHA_256)
              .build();
      verifier =
          KeylessBundleVerifier.builder()
              .trustConfig(instance)
              .requireSigner(token.identity(), token.issuer())
              .build();
    } catch (GeneralSecurityException
        | IOException
        | SigstoreConfigurationException
        | RuntimeException e) {
      throw new PipelineException(
          Reason.SIGNING_FAILED,
          instance.source()
              + ": expected a usable Sigstore instance for keyless signing, found: "
              + SigstoreChecks.firstLine(e));
    }
    return new KeylessSigning(token, instance, signer, verifier);
  }

  /**
   * Signs an in-toto statement (DSSE, payload type {@value Statement#PAYLOAD_TYPE}) and returns the
   * Sigstore bundle v0.3 JSON, verified for the token's identity.
   *
   * @throws PipelineException {@link Reason#UNSUPPORTED} for another payload type or a payload that
   *     is not ASCII (which {@link KeylessBundleVerifier} refuses), {@link Reason#SIGNING_FAILED}
   *     if the instance refuses or its answer does not verify
   */
  public byte[] signDsse(String payloadType, byte[] payload) throws PipelineException {
    if (!Statement.PAYLOAD_TYPE.equals(payloadType)) {
      throw new PipelineException(
          Reason.UNSUPPORTED,
          "keyless signing: expected payload type "
              + Statement.PAYLOAD_TYPE
              + " (sigstore-java signs in-toto statements only), found "
              + Printable.of(payloadType, 200));
    }
    String text = new String(payload, StandardCharsets.UTF_8);
    if (text.length() != payload.length) {
      throw new PipelineException(
          Reason.UNSUPPORTED,
          "keyless signing: expected an ASCII statement (sigstore-java 2.0.0 computes the DSSE"
              + " pre-authentication encoding in characters), found multi-byte UTF-8");
    }
    dev.sigstore.bundle.Bundle signed;
    try {
      signed = signer.attest(text);
    } catch (KeylessSignerException | RuntimeException e) {
      throw new PipelineException(
          Reason.SIGNING_FAILED,
          instance.source()
              + ": keyless signing as "
              + signer()
              + " failed: "
              + SigstoreChecks.firstLine(e)
              + (e.getCause() != null ? ": " + SigstoreChecks.firstLine(e.getCause()) : ""));
    }
    return checked(signed.toJson().getBytes(StandardCharsets.UTF_8), payload);
  }

  /**
   * Normalizes sigstore-java's bundle to the v0.3 media type and verifies it: certificate for the
   * token's identity, signature, log entry and timestamp, and the payload that was given.
   */
  byte[] checked(byte[] sigstoreJavaJson, byte[] payload) throws PipelineException {
    byte[] bundle;
    try {
      var parsed = SigstoreBundle.parse(sigstoreJavaJson).bundle();
      bundle =
          SigstoreBundle.write(
              parsed.toBuilder().setMediaType(SigstoreBundle.MEDIA_TYPE_V03).build());
      VerifiedStatement v = verifier.verifyStatement(bundle);
      if (!MessageDigest.isEqual(v.payload(), payload)) {
        throw new VerificationException(
            Reason.DIGEST_MISMATCH, "the signed payload differs from the statement given");
      }
    } catch (VerificationException e) {
      throw new PipelineException(
          Reason.SIGNING_FAILED,
          "keyless bundle from "
              + instance.source()
              + " does not verify for "
              + signer()
              + ", nothing written: "
              + e.reason()
              + ": "
              + e.getMessage(),
          e);
    }
    return bundle;
  }

  /** The signer as its certificate will name it: {@code identity (issuer)}. */
  public String signer() {
    return token.identity() + " (" + token.issuer() + ")";
  }

  /** The token's identity. */
  public String identity() {
    return token.identity();
  }

  /** The token's issuer. */
  public String issuer() {
    return token.issuer();
  }

  /** A verifier for this signer's bundles, against the instance's trusted root. */
  public KeylessBundleVerifier verifier() {
    return verifier;
  }
}
