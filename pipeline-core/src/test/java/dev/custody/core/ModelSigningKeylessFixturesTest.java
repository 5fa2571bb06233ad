package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keyless signatures made by {@code model_signing} (sigstore/model-transparency) on the Sigstore
 * public-good instance, verified offline with the model's root digest as the artifact digest.
 */
class ModelSigningKeylessFixturesTest {
  static final Path SHARED = Path.of(System.getProperty("custody.shared", "../../shared"));
  static final Path MODELS = SHARED.resolve("fixtures/model-signing");
  static final Path PUBLIC_GOOD = SHARED.resolve("fixtures/trust/public-good-trusted_root.json");
  static final String IDENTITY = "stefanb@us.ibm.com";
  static final String ISSUER = "https://sigstore.verify.ibm.com/oauth2";

  /** The model files; model.sig is the signature, ignore-me is ignored by the signer. */
  static final List<String> MODEL_FILES = List.of("signme-1", "signme-2");

  /** A fixed "now" after every fixture was signed (Fulcio certificates live ten minutes). */
  static final Clock NOW = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  private static Path model(String version) {
    Path dir = MODELS.resolve(version);
    assumeTrue(Files.isDirectory(dir), "shared fixtures absent: " + dir);
    return dir;
  }

  private static KeylessBundleVerifier verifier(String identity, String issuer, Clock clock)
      throws IOException {
    return KeylessBundleVerifier.builder()
        .trustedRoot(PUBLIC_GOOD)
        .requireSigner(identity, issuer)
        .clock(clock)
        .build();
  }

  /** Contents of the model's files by relative path (sorted, as model_signing orders them). */
  private static Map<String, byte[]> files(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    for (String name : MODEL_FILES) {
      out.put(name, Files.readAllBytes(dir.resolve(name)));
    }
    return out;
  }

  /** SHA-256 over the concatenated raw SHA-256 digests of the files in sorted path order. */
  private static Sha256 rootDigest(Map<String, byte[]> files) {
    ByteArrayOutputStream concatenated = new ByteArrayOutputStream();
    for (byte[] content : new TreeMap<>(files).values()) {
      concatenated.writeBytes(Sha256.of(content).bytes());
    }
    return Sha256.of(concatenated.toByteArray());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"v0.3.1-sigstore", "v1.0.0-sigstore", "v1.0.1-sigstore", "v1.1.0-sigstore"})
  void verify_modelSignedByIbmIdentity_returnsVerifiedStatement(String version) throws Exception {
    Path dir = model(version);
    Sha256 root = rootDigest(files(dir));

    VerifiedSignature v =
        verifier(IDENTITY, ISSUER, NOW).verify(Files.readAllBytes(dir.resolve("model.sig")), root);

    assertThat(v.identity()).contains(IDENTITY);
    assertThat(v.issuer()).contains(ISSUER);
    assertThat(v.artifactDigest()).isEqualTo(root);
    assertThat(v.integratedTime())
        .isBefore(NOW.instant())
        .isAfter(Instant.parse("2025-01-01T00:00:00Z"));
    assertThat(v.dssePayloadType()).contains("application/vnd.in-toto+json");
    JsonNode statement = new ObjectMapper().readTree(v.dssePayload().orElseThrow());
    assertThat(statement.path("predicateType").asText())
        .isEqualTo("https://model_signing/signature/v1.0");
    assertThat(statement.path("subject").get(0).path("digest").path("sha256").asText())
        .isEqualTo(root.hex());
    JsonNode resources = statement.path("predicate").path("resources");
    assertThat(resources).hasSize(2);
    for (JsonNode r : resources) {
      assertThat(r.path("digest").asText())
          .isEqualTo(Sha256.of(files(dir).get(r.path("name").asText())).hex());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"v0.3.1-sigstore", "v1.0.0-sigstore", "v1.0.1-sigstore", "v1.1.0-sigstore"})
  void verify_otherIdentity_throwsUntrustedSigner(String version) throws Exception {
    Path dir = model(version);
    KeylessBundleVerifier other = verifier("mallory@us.ibm.com", ISSUER, NOW);

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () ->
                other.verify(Files.readAllBytes(dir.resolve("model.sig")), rootDigest(files(dir))));

    assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_SIGNER);
    assertThat(e.getMessage()).contains("mallory@us.ibm.com").contains(IDENTITY);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"v0.3.1-sigstore", "v1.0.0-sigstore", "v1.0.1-sigstore", "v1.1.0-sigstore"})
  void verify_otherIssuer_throwsUntrustedSigner(String version) throws Exception {
    Path dir = model(version);
    KeylessBundleVerifier other =
        verifier(IDENTITY, "https://token.actions.githubusercontent.com", NOW);

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () ->
                other.verify(Files.readAllBytes(dir.resolve("model.sig")), rootDigest(files(dir))));

    assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_SIGNER);
    assertThat(e.getMessage()).contains(ISSUER);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"v0.3.1-sigstore", "v1.0.0-sigstore", "v1.0.1-sigstore", "v1.1.0-sigstore"})
  void verify_oneByteChangedInSignme1_throwsDigestMismatch(String version) throws Exception {
    Path dir = model(version);
    Map<String, byte[]> tampered = files(dir);
    tampered.get("signme-1")[0] ^= 0x01;

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () ->
                verifier(IDENTITY, ISSUER, NOW)
                    .verify(Files.readAllBytes(dir.resolve("model.sig")), rootDigest(tampered)));

    assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"v1.1.0-sigstore"})
  void verify_clockBeforeIntegratedTime_throwsTlogInvalid(String version) throws Exception {
    Path dir = model(version);
    Clock past = Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC);

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () ->
                verifier(IDENTITY, ISSUER, past)
                    .verify(Files.readAllBytes(dir.resolve("model.sig")), rootDigest(files(dir))));

    assertThat(e.reason()).isEqualTo(Reason.TLOG_INVALID);
  }
}
