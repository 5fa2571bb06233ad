package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bundle-verify case of the Sigstore client conformance suite, read the way the suite reads
 * it (see {@code ../shared/fixtures/ORIGIN.md}), each run by artifact path and by digest.
 */
class SigstoreConformanceTest {
  static final Path SHARED = Path.of(System.getProperty("custody.shared", "../../shared"));
  static final Path CASES = SHARED.resolve("fixtures/sigstore-conformance/bundle-verify");
  static final Path PUBLIC_GOOD = SHARED.resolve("fixtures/trust/public-good-trusted_root.json");
  static final String BEACON_IDENTITY =
      "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/"
          + "workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
  static final String BEACON_ISSUER = "https://token.actions.githubusercontent.com";

  enum By {
    PATH,
    DIGEST
  }

  /** A case-run that sigstore-java 2.0.0 cannot get right, and how it fails today. */
  record Unsupported(Reason reason, String messageFragment, String why) {}

  /**
   * Case-runs that sigstore-java 2.0.0 cannot verify as the suite expects, keyed by "case/BY". Each
   * is asserted to fail exactly this way: when a fix makes one pass, its entry must go.
   */
  static final Map<String, Unsupported> UNSUPPORTED =
      Map.of(
          "intoto-with-custom-trust-root/PATH", intotoOnLocalLog(),
          "intoto-with-custom-trust-root/DIGEST", intotoOnLocalLog(),
          "rekor2-dsse-happy-path/PATH", rekorV2Dsse(),
          "rekor2-dsse-happy-path/DIGEST", rekorV2Dsse());

  private static Unsupported intotoOnLocalLog() {
    return new Unsupported(
        Reason.TLOG_INVALID,
        "No matching checkpoint signature found for transparency log: localhost",
        "RekorVerifier matches the checkpoint signer against the log URL's host without its port"
            + " (localhost vs localhost:8000), and KeylessVerifier reads no intoto 0.0.2 entries");
  }

  private static Unsupported rekorV2Dsse() {
    return new Unsupported(
        Reason.TLOG_INVALID,
        "Could not parse DSSE from log entry body",
        "KeylessVerifier expects a dsse 0.0.2 entry for a DSSE bundle on Rekor v2, not the"
            + " hashedrekord 0.0.2 entry over the DSSE PAE that Rekor v2 writes");
  }

  /**
   * How each {@code _fail} case is rejected. Where the suite's intended defect is hidden behind a
   * sigstore-java 2.0.0 limitation the comment says so: the case is still rejected, with a reason
   * of the same family.
   */
  static final Map<String, Reason> EXPECTED_FAILURE =
      Map.ofEntries(
          Map.entry("bundle-empty-certificate-chain_fail", Reason.MALFORMED),
          Map.entry("bundle-from-wrong-instance_fail", Reason.CERTIFICATE_INVALID),
          Map.entry("bundle-invalid-base64-signature_fail", Reason.MALFORMED),
          Map.entry("bundle-malformed-json_fail", Reason.MALFORMED),
          // v0.1 bundle with no inclusion proof: rejected for that before the negative index.
          Map.entry("bundle-negative-log-index_fail", Reason.TLOG_INVALID),
          // One bundle reader on every path: a version it does not read is UNSUPPORTED.
          Map.entry("bundle-unknown-version_fail", Reason.UNSUPPORTED),
          Map.entry("bundle-with-root-cert_fail", Reason.CERTIFICATE_INVALID),
          Map.entry("checkpoint-bad-keyhint_fail", Reason.TLOG_INVALID),
          Map.entry("checkpoint-wrong-roothash_fail", Reason.TLOG_INVALID),
          Map.entry("dsse-invalid-sig_fail", Reason.SIGNATURE_INVALID),
          Map.entry("dsse-mismatch-envelope_fail", Reason.TLOG_INVALID),
          Map.entry("dsse-mismatch-sig_fail", Reason.TLOG_INVALID),
          Map.entry("inclusion-proof-corrupted-hash_fail", Reason.TLOG_INVALID),
          Map.entry("incorrect-public-key_fail", Reason.TLOG_INVALID),
          Map.entry("integrated-time-in-future_fail", Reason.CERTIFICATE_INVALID),
          Map.entry("intoto-expired-certificate_fail", Reason.CERTIFICATE_INVALID),
          // Also hits the localhost:8000 checkpoint limitation (see UNSUPPORTED).
          Map.entry("intoto-log-entry-mismatch_fail", Reason.TLOG_INVALID),
          Map.entry("intoto-missing-inclusion-proof_fail", Reason.TLOG_INVALID),
          Map.entry("intoto-set-outside-signing-cert-validity_fail", Reason.CERTIFICATE_INVALID),
          Map.entry("intoto-tsa-timestamp-outside-cert-validity_fail", Reason.CERTIFICATE_INVALID),
          Map.entry("invalid-checkpoint-signature_fail", Reason.TLOG_INVALID),
          Map.entry("invalid-ct-key_fail", Reason.CERTIFICATE_INVALID),
          Map.entry("invalid-inclusion-proof_fail", Reason.TLOG_INVALID),
          // A public-key bundle given to the keyless verifier.
          Map.entry("managed-key-no-key_fail", Reason.UNSUPPORTED),
          Map.entry("managed-key-wrong-key_fail", Reason.SIGNATURE_INVALID),
          Map.entry("message-digest-mismatch_fail", Reason.DIGEST_MISMATCH),
          Map.entry("rekor2-checkpoint-missing-log-signature_fail", Reason.TLOG_INVALID),
          Map.entry("rekor2-checkpoint-missing-origin_fail", Reason.TLOG_INVALID),
          Map.entry("rekor2-checkpoint-missing-root-hash_fail", Reason.TLOG_INVALID),
          Map.entry("rekor2-checkpoint-missing-size_fail", Reason.TLOG_INVALID),
          Map.entry("rekor2-checkpoint-no-matching-signature_fail", Reason.TLOG_INVALID),
          Map.entry("rekor2-dsse-invalid-sig_fail", Reason.SIGNATURE_INVALID),
          // These two are rejected by the Rekor v2 DSSE limitation (see UNSUPPORTED).
          Map.entry("rekor2-dsse-mismatch-envelope_fail", Reason.TLOG_INVALID),
          Map.entry("rekor2-dsse-mismatch-sig_fail", Reason.TLOG_INVALID),
          Map.entry("rekor2-no-inclusion-proof_fail", Reason.TLOG_INVALID),
          Map.entry("rekor2-no-timestamp_fail", Reason.TLOG_INVALID),
          Map.entry("rekor2-timestamp-outside-trust-root-tsa-validity_fail", Reason.TLOG_INVALID),
          Map.entry("rekor2-timestamp-outside-tsa-cert-validity_fail", Reason.TLOG_INVALID),
          Map.entry("rekor2-timestamp-payload-mismatch_fail", Reason.TLOG_INVALID),
          Map.entry("rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail", Reason.TLOG_INVALID),
          Map.entry(
              "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail", Reason.TLOG_INVALID),
          // Its RFC 3161 timestamp is base64 with line breaks, which protobuf's JSON parser
          // refuses: rejected as unreadable before the time check.
          Map.entry("rekor2-timestamp-with-incorrect-time_fail", Reason.MALFORMED),
          Map.entry("set-invalid-signature_fail", Reason.TLOG_INVALID),
          Map.entry("signature-mismatch_fail", Reason.SIGNATURE_INVALID),
          Map.entry("trust-root-tlog-missing-validity-start_fail", Reason.TLOG_INVALID),
          Map.entry("wrong-hashedrekord-artifact_fail", Reason.TLOG_INVALID),
          Map.entry("wrong-hashedrekord-cert-and-sig_fail", Reason.TLOG_INVALID),
          Map.entry("wrong-hashedrekord-entry_fail", Reason.TLOG_INVALID),
          Map.entry("wrong-material_fail", Reason.DIGEST_MISMATCH));

  /**
   * For fail cases where another check would fail with the same {@link Reason} if the intended one
   * were skipped: a fragment of the intended check's message.
   */
  static final Map<String, String> FAILURE_MESSAGE =
      Map.of(
          "message-digest-mismatch_fail", "digest mismatch: bundle sha256:",
          "signature-mismatch_fail", "signature over the artifact digest does not verify",
          "dsse-invalid-sig_fail", "DSSE signature does not verify",
          "rekor2-timestamp-payload-mismatch_fail", "RFC 3161 timestamp does not verify",
          "trust-root-tlog-missing-validity-start_fail", "expected publicKey.validFor.start");

  static List<String> caseNames() throws IOException {
    try (Stream<Path> dirs = Files.list(CASES)) {
      return dirs.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .sorted()
          .collect(Collectors.toList());
    }
  }

  static Stream<Arguments> cases() throws IOException {
    if (!Files.isDirectory(CASES)) {
      return Stream.of(arguments("(fixtures absent)", By.PATH));
    }
    return caseNames().stream()
        .flatMap(n -> Stream.of(arguments(n, By.PATH), arguments(n, By.DIGEST)));
  }

  @Test
  void cases_sharedFixtures_areTheSeventyOfTheSuite() throws IOException {
    assumeTrue(Files.isDirectory(CASES), "shared fixtures absent: " + CASES);
    List<String> names = caseNames();
    assertThat(names).hasSize(70);
    assertThat(EXPECTED_FAILURE.keySet())
        .containsExactlyInAnyOrderElementsOf(
            names.stream().filter(n -> n.endsWith("_fail")).collect(Collectors.toList()));
    assertThat(UNSUPPORTED).hasSizeLessThanOrEqualTo(4);
  }

  @ParameterizedTest(name = "{0} by {1}")
  @MethodSource("cases")
  void verify_conformanceCase_matchesSuiteExpectation(String name, By by) throws Exception {
    assumeTrue(Files.isDirectory(CASES), "shared fixtures absent: " + CASES);
    Path dir = CASES.resolve(name);
    String key = name + "/" + by;
    Outcome outcome = run(dir, by);
    Unsupported known = UNSUPPORTED.get(key);
    if (known != null) {
      assertThat(outcome.failure)
          .as("%s is listed as unsupported (%s): it must still fail that way", key, known.why())
          .isNotNull();
      assertThat(outcome.failure.reason()).as(key).isEqualTo(known.reason());
      assertThat(outcome.failure.getMessage()).as(key).contains(known.messageFragment());
      return;
    }
    if (name.endsWith("_fail")) {
      assertThat(outcome.failure).as("%s must be rejected", key).isNotNull();
      assertThat(outcome.failure.reason())
          .as("%s rejected with: %s", key, outcome.failure.getMessage())
          .isEqualTo(EXPECTED_FAILURE.get(name));
      if (FAILURE_MESSAGE.containsKey(name)) {
        assertThat(outcome.failure.getMessage()).as(key).contains(FAILURE_MESSAGE.get(name));
      }
      return;
    }
    assertThat(outcome.failure)
        .as(
            "%s must verify, failed with %s",
            key,
            outcome.failure == null
                ? ""
                : outcome.failure.reason() + ": " + outcome.failure.getMessage())
        .isNull();
    assertThat(outcome.time).as(key).isNotNull();
    assertThat(outcome.digest).as(key).isEqualTo(Digests.sha256(artifactOf(dir)));
    if (outcome.keyless != null) {
      assertThat(outcome.keyless.identity()).contains(read(dir, "identity", BEACON_IDENTITY));
      assertThat(outcome.keyless.issuer()).contains(read(dir, "issuer", BEACON_ISSUER));
      boolean dsse = Files.readString(dir.resolve("bundle.sigstore.json")).contains("dsseEnvelope");
      assertThat(outcome.keyless.dssePayload().isPresent()).as(key).isEqualTo(dsse);
      assertThat(outcome.keyless.dssePayloadType().isPresent()).as(key).isEqualTo(dsse);
    }
  }

  private static final class Outcome {
    VerificationException failure;
    VerifiedSignature keyless;
    Instant time;
    Sha256 digest;
  }

  private static Path artifactOf(Path dir) {
    return Files.exists(dir.resolve("artifact")) ? dir.resolve("artifact") : CASES.resolve("a.txt");
  }

  private static Outcome run(Path dir, By by) throws IOException {
    byte[] bundle = Files.readAllBytes(dir.resolve("bundle.sigstore.json"));
    Path root =
        Files.exists(dir.resolve("trusted_root.json"))
            ? dir.resolve("trusted_root.json")
            : PUBLIC_GOOD;
    Path artifact = artifactOf(dir);
    Outcome out = new Outcome();
    try {
      if (Files.exists(dir.resolve("key.pub"))) {
        KeyBundleTlogVerifier v =
            KeyBundleTlogVerifier.builder()
                .trustedRoot(root)
                .publicKey(dir.resolve("key.pub"))
                .build();
        VerifiedSignature r =
            by == By.PATH ? v.verify(bundle, artifact) : v.verify(bundle, Digests.sha256(artifact));
        out.time = r.integratedTime();
        out.digest = r.artifactDigest();
      } else {
        KeylessBundleVerifier v =
            KeylessBundleVerifier.builder()
                .trustedRoot(root)
                .requireSigner(
                    read(dir, "identity", BEACON_IDENTITY), read(dir, "issuer", BEACON_ISSUER))
                .build();
        VerifiedSignature r =
            by == By.PATH ? v.verify(bundle, artifact) : v.verify(bundle, Digests.sha256(artifact));
        out.keyless = r;
        out.time = r.integratedTime();
        out.digest = r.artifactDigest();
      }
    } catch (VerificationException e) {
      out.failure = e;
    }
    return out;
  }

  private static String read(Path dir, String file, String otherwise) throws IOException {
    Path p = dir.resolve(file);
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8).strip() : otherwise;
  }
}
