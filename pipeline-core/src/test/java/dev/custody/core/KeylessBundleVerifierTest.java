package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builder rules and result hygiene of {@link KeylessBundleVerifier}. */
class KeylessBundleVerifierTest {
  static final Path CASES = SigstoreConformanceTest.CASES;

  @Test
  void build_noSigner_throwsIllegalState() {
    assertThatThrownBy(
            () ->
                KeylessBundleVerifier.builder()
                    .trustedRoot(SigstoreConformanceTest.PUBLIC_GOOD)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a signer identity is required");
  }

  @Test
  void build_noTrustedRoot_throwsIllegalState() {
    assertThatThrownBy(
            () ->
                KeylessBundleVerifier.builder().requireSigner("a@example.com", "https://i").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a trusted root is required");
  }

  @Test
  void requireSigner_blankIssuer_throwsIllegalArgument() {
    assertThatThrownBy(() -> KeylessBundleVerifier.builder().requireSigner("a@example.com", " "))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void build_notATrustedRoot_throwsIllegalArgument() {
    Path bundle = CASES.resolve("happy-path-v0.3/bundle.sigstore.json");
    assumeTrue(Files.exists(bundle), "shared fixtures absent: " + CASES);

    assertThatThrownBy(
            () ->
                KeylessBundleVerifier.builder()
                    .trustedRoot(CASES.resolve("a.txt"))
                    .requireSigner("a@example.com", "https://issuer.example")
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void verify_secondOfTwoRequiredSigners_verifies() throws Exception {
    Path dir = CASES.resolve("happy-path-v0.3");
    assumeTrue(Files.isDirectory(dir), "shared fixtures absent: " + CASES);
    KeylessBundleVerifier v =
        KeylessBundleVerifier.builder()
            .trustedRoot(SigstoreConformanceTest.PUBLIC_GOOD)
            .requireSigner("someone@example.com", SigstoreConformanceTest.BEACON_ISSUER)
            .requireSigner(
                SigstoreConformanceTest.BEACON_IDENTITY, SigstoreConformanceTest.BEACON_ISSUER)
            .build();

    VerifiedSignature r =
        v.verify(Files.readAllBytes(dir.resolve("bundle.sigstore.json")), CASES.resolve("a.txt"));

    assertThat(r.identity()).contains(SigstoreConformanceTest.BEACON_IDENTITY);
    assertThat(r.dssePayload()).isEmpty();
    assertThat(r.dssePayloadType()).isEmpty();
  }

  @Test
  void dssePayload_returnedArrayMutated_resultUnchanged() throws Exception {
    Path dir = CASES.resolve("happy-path-intoto-in-dsse-v3");
    assumeTrue(Files.isDirectory(dir), "shared fixtures absent: " + CASES);
    VerifiedSignature r =
        KeylessBundleVerifier.builder()
            .trustedRoot(SigstoreConformanceTest.PUBLIC_GOOD)
            .requireSigner(
                SigstoreConformanceTest.BEACON_IDENTITY, SigstoreConformanceTest.BEACON_ISSUER)
            .build()
            .verify(
                Files.readAllBytes(dir.resolve("bundle.sigstore.json")), CASES.resolve("a.txt"));
    byte[] before = r.dssePayload().orElseThrow();

    Arrays.fill(r.dssePayload().orElseThrow(), (byte) 0);
    byte[] copy = r.dssePayload().orElseThrow();
    copy[0] ^= 1;

    assertThat(r.dssePayload().orElseThrow()).isEqualTo(before);
    assertThat(new String(before, StandardCharsets.UTF_8)).contains("\"subject\"");
  }

  @Test
  void verify_otherSigner_throwsUntrustedSignerNamingExpectedAndFound() throws Exception {
    Path dir = CASES.resolve("happy-path-v0.3");
    assumeTrue(Files.isDirectory(dir), "shared fixtures absent: " + CASES);
    KeylessBundleVerifier v =
        KeylessBundleVerifier.builder()
            .trustedRoot(SigstoreConformanceTest.PUBLIC_GOOD)
            .requireSigner("someone@example.com", SigstoreConformanceTest.BEACON_ISSUER)
            .build();
    byte[] bundle = Files.readAllBytes(dir.resolve("bundle.sigstore.json"));

    VerificationException e =
        assertThrows(VerificationException.class, () -> v.verify(bundle, CASES.resolve("a.txt")));

    assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_SIGNER);
    assertThat(e.getMessage())
        .startsWith(
            "signer mismatch: expected someone@example.com ("
                + SigstoreConformanceTest.BEACON_ISSUER
                + "), found ");
  }

  @Test
  void verify_rekorV2LogNotYetValidAtTimestamp_throwsTlogInvalid(@TempDir Path tmp)
      throws Exception {
    Path dir = CASES.resolve("rekor2-happy-path");
    assumeTrue(Files.isDirectory(dir), "shared fixtures absent: " + CASES);
    // The entry has no signed entry timestamp: its log must be valid at the RFC 3161 time.
    ObjectNode root =
        (ObjectNode) Json.parse(Files.readAllBytes(dir.resolve("trusted_root.json")), "root");
    for (JsonNode log : root.get("tlogs")) {
      ((ObjectNode) log.at("/publicKey/validFor")).put("start", "2030-01-01T00:00:00Z");
    }
    Path trustedRoot = tmp.resolve("trusted_root.json");
    Files.write(trustedRoot, Json.write(root));
    KeylessBundleVerifier v =
        KeylessBundleVerifier.builder()
            .trustedRoot(trustedRoot)
            .requireSigner(
                SigstoreConformanceTest.BEACON_IDENTITY, SigstoreConformanceTest.BEACON_ISSUER)
            .build();
    byte[] bundle = Files.readAllBytes(dir.resolve("bundle.sigstore.json"));

    VerificationException e =
        assertThrows(VerificationException.class, () -> v.verify(bundle, CASES.resolve("a.txt")));

    assertThat(e.reason()).isEqualTo(Reason.TLOG_INVALID);
    assertThat(e.getMessage()).contains("key validity: expected to contain the entry time");
  }
}
