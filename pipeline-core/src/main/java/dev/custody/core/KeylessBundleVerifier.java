package dev.custody.core;

import dev.sigstore.KeylessVerificationException;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.encryption.certificates.Certificates;
import dev.sigstore.encryption.signers.Verifiers;
import dev.sigstore.fulcio.client.FulcioVerificationException;
import dev.sigstore.fulcio.client.FulcioVerifier;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.rekor.client.RekorVerifier;
import dev.sigstore.strings.StringMatcher;
import dev.sigstore.timestamp.client.TimestampVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPath;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Verifies keyless Sigstore bundles (a Fulcio certificate and a Rekor entry) offline, against a
 * pinned {@code trusted_root.json} and a required signer identity.
 *
 * <pre>{@code
 * KeylessBundleVerifier verifier = KeylessBundleVerifier.builder()
 *     .trustedRoot(Path.of("trusted_root.json"))
 *     .requireSigner("https://github.com/acme/models/.github/workflows/train.yml@refs/heads/main",
 *                    "https://token.actions.githubusercontent.com")
 *     .build();
 * VerifiedSignature verified = verifier.verify(bundleJson, artifactDigest);
 * }</pre>
 *
 * <p>For an OpenSSF Model Signing bundle (DSSE over an in-toto statement), pass the model's root
 * digest as the artifact digest: it is the statement's subject digest.
 *
 * <h3>Security guarantees</h3>
 *
 * A bundle verifies only if all of these hold: the certificate chains to a certificate authority of
 * the trusted root (and carries a valid SCT from one of its CT logs) and contains no root
 * certificate; its subject and OIDC issuer equal one of the required signers exactly; the bundle
 * names the artifact's digest (message digest, or an in-toto subject, compared only once the DSSE
 * signature has verified: nothing of an unverified payload is parsed or reported); the signature
 * over the digest (or over the DSSE pre-authentication encoding) verifies with the certificate's
 * key; the single Rekor entry matches the signature, certificate and artifact, its inclusion proof,
 * checkpoint and signed entry timestamp verify against a log of the trusted root whose key was
 * valid at the entry's time; every RFC 3161 timestamp verifies against a timestamp authority of the
 * trusted root; the certificate was valid at every verified signing time, of which there is at
 * least one; and no verified time lies after the {@link Builder#clock clock}'s present. Then
 * sigstore-java's {@link KeylessVerifier} checks the bundle once more. No signer is ever accepted
 * by default.
 */
public final class KeylessBundleVerifier {
  private final TrustedRootMaterial root;
  private final List<Signer> signers;
  private final Clock clock;
  private final FulcioVerifier fulcio;
  private final RekorVerifier rekor;
  private final TimestampVerifier timestamps;
  private final KeylessVerifier keyless;
  private final VerificationOptions options;

  private record Signer(String identity, String issuer) {
    @Override
    public String toString() {
      return identity + " (" + issuer + ")";
    }
  }

  private KeylessBundleVerifier(Builder b, TrustedRootMaterial root) {
    this.root = root;
    this.signers = List.copyOf(b.signers);
    this.clock = b.clock;
    try {
      this.fulcio = FulcioVerifier.newFulcioVerifier(root.trusted());
      this.rekor = RekorVerifier.newRekorVerifier(root.trusted());
      this.timestamps = TimestampVerifier.newTimestampVerifier(root.trusted());
      this.keyless = KeylessVerifier.builder().trustedRootProvider(root::trusted).build();
    } catch (GeneralSecurityException | dev.sigstore.trustroot.SigstoreConfigurationException e) {
      throw new IllegalArgumentException(
          "trusted root "
              + (b.trustedRoot != null ? b.trustedRoot : b.trustConfigSource())
              + " has unusable keys or certificates: "
              + e.getMessage(),
          e);
    }
    var opts = VerificationOptions.builder();
    for (Signer s : signers) {
      opts.addCertificateMatchers(
          VerificationOptions.CertificateMatcher.fulcio()
              .subjectAlternativeName(StringMatcher.string(s.identity()))
              .issuer(StringMatcher.string(s.issuer()))
              .build());
    }
    this.options = opts.build();
  }

  /**
   * Verifies a keyless DSSE bundle carrying an in-toto statement about {@code subject} and returns
   * the statement parsed from the verified payload bytes.
   *
   * @throws VerificationException as {@link #verify(byte[], Sha256)}, or UNSUPPORTED for a
   *     message-signature bundle or another payload type, MALFORMED for an unreadable statement
   */
  public VerifiedStatement verifyStatement(byte[] bundleJson, Sha256 subject)
      throws VerificationException {
    return statement(verify(bundleJson, subject));
  }

  /**
   * Verifies a keyless DSSE bundle for the first subject its in-toto statement names, and returns
   * the statement parsed from the verified payload bytes. For a caller that learns what to compare
   * only from the signed statement (an OpenSSF Model Signing manifest lists the files whose root
   * digest is its one subject; a dependency lock names one subject per jar).
   *
   * <p>The payload is not read before the certificate, the signer's identity and the DSSE signature
   * have verified; the log entry and timestamps are then checked for the subject's digest exactly
   * as {@link #verify(byte[], Sha256)} checks them.
   *
   * @throws VerificationException as {@link #verify(byte[], Sha256)}, UNSUPPORTED for a
   *     message-signature bundle or another payload type, MALFORMED for a statement that is
   *     unreadable or names no subject
   */
  public VerifiedStatement verifyStatement(byte[] bundleJson) throws VerificationException {
    Objects.requireNonNull(bundleJson, "bundleJson");
    return statement(verify(parse(bundleJson), null));
  }

  private static VerifiedStatement statement(VerifiedSignature kv) throws VerificationException {
    if (!Statement.PAYLOAD_TYPE.equals(kv.dssePayloadType().orElse(""))) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "bundle: expected a DSSE envelope with payload type "
              + Statement.PAYLOAD_TYPE
              + ", found "
              + kv.dssePayloadType().orElse("a message signature"));
    }
    byte[] payload = kv.dssePayload().orElseThrow();
    try {
      return new VerifiedStatement(Statement.parse(payload), payload, kv.signer());
    } catch (VerificationException e) {
      throw e;
    } catch (PipelineException e) {
      throw new VerificationException(e.reason(), e.getMessage(), e);
    }
  }

  /** A builder; a trusted root and at least one signer are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Verifies a bundle for an artifact read from a file (hashed with SHA-256 first).
   *
   * @param bundleJson the bundle's JSON bytes
   * @param artifact the signed file
   * @return what was verified
   * @throws VerificationException if the bundle does not check out; {@link
   *     VerificationException#reason()} says why
   * @throws IOException if the artifact cannot be read
   */
  public VerifiedSignature verify(byte[] bundleJson, Path artifact)
      throws VerificationException, IOException {
    return verify(bundleJson, Digests.sha256(artifact));
  }

  /**
   * Verifies a bundle for an artifact given by its SHA-256 digest.
   *
   * @param bundleJson the bundle's JSON bytes
   * @param artifactDigest the artifact's SHA-256 (for a DSSE bundle: a subject digest of the
   *     statement, such as an OpenSSF Model Signing model's root digest)
   * @return what was verified
   * @throws VerificationException if the bundle does not check out: {@link Reason#MALFORMED} for an
   *     unreadable bundle, {@link Reason#CERTIFICATE_INVALID} for the certificate chain or its
   *     validity at signing time, {@link Reason#UNTRUSTED_SIGNER} for an identity or issuer that is
   *     not required, {@link Reason#DIGEST_MISMATCH} when the bundle is for other content, {@link
   *     Reason#SIGNATURE_INVALID} for a bad signature, {@link Reason#TLOG_INVALID} for the log
   *     entry, inclusion proof, checkpoint, signed entry timestamp or RFC 3161 timestamps, and
   *     {@link Reason#UNSUPPORTED} for well-formed input this verifier does not handle
   */
  public VerifiedSignature verify(byte[] bundleJson, Sha256 artifactDigest)
      throws VerificationException {
    Objects.requireNonNull(bundleJson, "bundleJson");
    Objects.requireNonNull(artifactDigest, "artifactDigest");
    return verify(parse(bundleJson), artifactDigest);
  }

  /**
   * Verifies a parsed bundle for {@code given}, or, when {@code given} is null, for the first
   * subject of its DSSE statement, read only once the DSSE signature has verified.
   */
  private VerifiedSignature verify(Bundle bundle, Sha256 given) throws VerificationException {
    if (given == null && bundle.getMessageSignature().isPresent()) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "bundle: expected a DSSE envelope carrying an in-toto statement, found a message"
              + " signature");
    }

    // The certificate: chain, no root certificate, SCT, then the identity it states.
    CertPath chain = bundle.getCertPath();
    if (chain == null || chain.getCertificates().isEmpty()) {
      throw new VerificationException(
          Reason.MALFORMED, "bundle: expected a signing certificate, found an empty chain");
    }
    for (Certificate c : chain.getCertificates()) {
      if (Certificates.isSelfSigned(c)) {
        throw new VerificationException(
            Reason.CERTIFICATE_INVALID,
            "bundle certificate chain: expected no root certificate, found self-signed "
                + ((X509Certificate) c).getSubjectX500Principal().getName());
      }
    }
    X509Certificate leaf = Certificates.getLeaf(chain);
    try {
      fulcio.verifySigningCertificate(chain);
    } catch (FulcioVerificationException | IOException | RuntimeException e) {
      throw new VerificationException(
          Reason.CERTIFICATE_INVALID,
          "signing certificate does not chain to the trusted root's Fulcio with a valid SCT: "
              + SigstoreChecks.firstLine(e));
    }
    String identity = FulcioIdentity.subject(leaf);
    String issuer = FulcioIdentity.issuer(leaf);
    Signer found = new Signer(identity, issuer);
    if (!signers.contains(found)) {
      throw new VerificationException(
          Reason.UNTRUSTED_SIGNER,
          "signer mismatch: expected " + describe(signers) + ", found " + found);
    }

    // The artifact and the signature over it. Nothing of a DSSE payload is read before its
    // signature has verified.
    Sha256 artifactDigest;
    byte[] signature;
    String payloadType = null;
    byte[] payload = null;
    if (bundle.getMessageSignature().isPresent()) {
      Bundle.MessageSignature ms = bundle.getMessageSignature().get();
      artifactDigest = given;
      if (ms.getMessageDigest().isPresent()) {
        byte[] signed = ms.getMessageDigest().get().getDigest();
        if (!MessageDigest.isEqual(signed, artifactDigest.bytes())) {
          throw new VerificationException(
              Reason.DIGEST_MISMATCH,
              "digest mismatch: bundle "
                  + (signed.length == 32 ? Sha256.ofRaw(signed).toString() : "(not a sha256)")
                  + " != artifact "
                  + artifactDigest);
        }
      }
      signature = ms.getSignature();
      verifySignature(leaf, artifactDigest.bytes(), signature, true);
    } else {
      Bundle.DsseEnvelope env = bundle.getDsseEnvelope().orElseThrow();
      payloadType = env.getPayloadType();
      payload = env.getPayload();
      if (!Statement.PAYLOAD_TYPE.equals(payloadType)) {
        throw new VerificationException(
            Reason.UNSUPPORTED,
            "DSSE payload type: expected " + Statement.PAYLOAD_TYPE + ", found " + payloadType);
      }
      signature = env.getSignature(); // SigstoreBundle.parse admits exactly one
      verifySignature(leaf, Dsse.pae(payloadType, payload), signature, false);
      if (given == null) {
        artifactDigest = firstSubject(payload);
      } else {
        SigstoreChecks.checkInTotoSubject(payload, given);
        artifactDigest = given;
      }
    }

    // The log entry and the times it and any timestamps vouch for.
    RekorEntry entry = bundle.getEntries().get(0);
    List<byte[]> rfc3161 = new ArrayList<>();
    for (Bundle.Timestamp ts : bundle.getTimestamps()) {
      rfc3161.add(ts.getRfc3161Timestamp());
    }
    List<Instant> tsaTimes = SigstoreChecks.verifyTimestamps(timestamps, rfc3161, signature, clock);
    Optional<Instant> integrated = SigstoreChecks.verifyEntryTime(root, entry, tsaTimes, clock);
    List<Instant> signingTimes = new ArrayList<>(tsaTimes);
    integrated.ifPresent(signingTimes::add);
    if (signingTimes.isEmpty()) {
      throw new VerificationException(
          Reason.TLOG_INVALID,
          "bundle: expected a verified signing time (signed entry timestamp or RFC 3161"
              + " timestamp), found none");
    }
    SigstoreChecks.checkValidAt(leaf, signingTimes);
    SigstoreChecks.verifyInclusion(rekor, entry);

    // sigstore-java's own verification, which also checks the log entry's body against the
    // signature, certificate and artifact: every other check above has passed.
    if (payload != null && new String(payload, StandardCharsets.UTF_8).length() != payload.length) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "DSSE payload: expected ASCII (sigstore-java 2.0.0 computes the pre-authentication"
              + " encoding in characters), found multi-byte UTF-8");
    }
    try {
      keyless.verify(artifactDigest.bytes(), bundle, options);
    } catch (KeylessVerificationException | RuntimeException e) {
      throw new VerificationException(
          Reason.TLOG_INVALID,
          "log entry does not match the bundle's signature, certificate or artifact: "
              + SigstoreChecks.firstLine(e));
    }

    Instant when =
        integrated.orElseGet(() -> tsaTimes.stream().min(Comparator.naturalOrder()).get());
    return VerifiedSignature.keyless(identity, issuer, when, artifactDigest, payloadType, payload);
  }

  /** The SHA-256 of the first subject of a verified in-toto statement. */
  private static Sha256 firstSubject(byte[] verifiedPayload) throws VerificationException {
    Statement statement;
    try {
      statement = Statement.parse(verifiedPayload);
    } catch (VerificationException e) {
      throw e;
    } catch (PipelineException e) {
      throw new VerificationException(e.reason(), e.getMessage(), e);
    }
    if (statement.subjects().isEmpty()) {
      throw new VerificationException(
          Reason.MALFORMED, "in-toto statement: expected at least one subject, found none");
    }
    return statement.subjects().get(0).sha256();
  }

  private static Bundle parse(byte[] bundleJson) throws VerificationException {
    SigstoreBundle.Parsed parsed = SigstoreBundle.parse(bundleJson);
    var proto = parsed.bundle();
    if (proto.getVerificationMaterial().hasPublicKey() || parsed.embeddedKey().isPresent()) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "bundle verification material: expected a certificate, found a public key (verify"
              + " public-key bundles with KeyBundleVerifier or KeyBundleTlogVerifier)");
    }
    SigstoreChecks.checkLogMaterial(proto);
    return SigstoreBundle.toSigstoreJava(proto);
  }

  private static void verifySignature(
      X509Certificate leaf, byte[] signed, byte[] signature, boolean prehashed)
      throws VerificationException {
    boolean ok;
    try {
      var verifier = Verifiers.newVerifier(leaf.getPublicKey());
      ok =
          prehashed ? verifier.verifyDigest(signed, signature) : verifier.verify(signed, signature);
    } catch (java.security.SignatureException e) {
      ok = false;
    } catch (GeneralSecurityException e) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "signing certificate key: expected RSA, ECDSA or Ed25519, found "
              + leaf.getPublicKey().getAlgorithm());
    }
    if (!ok) {
      throw new VerificationException(
          Reason.SIGNATURE_INVALID,
          prehashed
              ? "signature over the artifact digest does not verify with the certificate's key"
              : "DSSE signature does not verify with the certificate's key");
    }
  }

  private static String describe(List<Signer> signers) {
    return signers.size() == 1
        ? signers.get(0).toString()
        : signers.stream().map(Signer::toString).collect(Collectors.joining(", ", "one of [", "]"));
  }

  /** Builds a {@link KeylessBundleVerifier}. */
  public static final class Builder {
    private Path trustedRoot;
    private Path trustConfigFile;
    private TrustConfig trustConfig;
    private final List<Signer> signers = new ArrayList<>();
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * The Sigstore trusted root ({@code trusted_root.json}, protobuf JSON) to verify against:
     * Fulcio CAs, Rekor logs, CT logs and timestamp authorities. Required, unless a {@link
     * #trustConfig(Path) trust config} is given.
     */
    public Builder trustedRoot(Path trustedRootJson) {
      this.trustedRoot = Objects.requireNonNull(trustedRootJson, "trustedRootJson");
      return this;
    }

    /**
     * The Sigstore instance to verify against as a ClientTrustConfig file ({@value
     * TrustConfig#MEDIA_TYPE}): its {@code trustedRoot} is used, as {@link #trustedRoot} would use
     * a bare {@code trusted_root.json}. Give this or {@link #trustedRoot}, not both.
     */
    public Builder trustConfig(Path clientTrustConfigJson) {
      this.trustConfigFile = Objects.requireNonNull(clientTrustConfigJson, "clientTrustConfigJson");
      return this;
    }

    /** The instance as already read (or fetched): its trusted root is used. */
    Builder trustConfig(TrustConfig config) {
      this.trustConfig = Objects.requireNonNull(config, "config");
      return this;
    }

    private String trustConfigSource() {
      return trustConfigFile != null ? trustConfigFile.toString() : trustConfig.source();
    }

    /**
     * Accepts bundles whose certificate names exactly this identity (e-mail address or URI) and
     * OIDC issuer. At least one signer is required; several are alternatives.
     */
    public Builder requireSigner(String identity, String oidcIssuer) {
      if (identity == null || identity.isBlank()) {
        throw new IllegalArgumentException("identity must not be blank");
      }
      if (oidcIssuer == null || oidcIssuer.isBlank()) {
        throw new IllegalArgumentException("oidcIssuer must not be blank");
      }
      signers.add(new Signer(identity, oidcIssuer));
      return this;
    }

    /** The clock that says what "now" is (nothing signed in the future verifies). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Reads the trusted root and builds the verifier.
     *
     * @throws IllegalStateException if no trusted root or no signer was given, or both a trusted
     *     root and a trust config
     * @throws IllegalArgumentException if the trusted root (or trust config) is not a usable
     *     Sigstore trusted root (or ClientTrustConfig)
     * @throws IOException if the trusted root cannot be read
     */
    public KeylessBundleVerifier build() throws IOException {
      if (signers.isEmpty()) {
        throw new IllegalStateException("a signer identity is required");
      }
      int roots =
          (trustedRoot != null ? 1 : 0)
              + (trustConfigFile != null ? 1 : 0)
              + (trustConfig != null ? 1 : 0);
      if (roots == 0) {
        throw new IllegalStateException("a trusted root is required");
      }
      if (roots > 1) {
        throw new IllegalStateException("give one trusted root: a trusted root or a trust config");
      }
      TrustedRootMaterial material;
      if (trustedRoot != null) {
        material = TrustedRootMaterial.read(trustedRoot);
      } else if (trustConfigFile != null) {
        material = TrustConfig.read(trustConfigFile).trustedRoot();
      } else {
        material = trustConfig.trustedRoot();
      }
      return new KeylessBundleVerifier(this, material);
    }
  }
}
