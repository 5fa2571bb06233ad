package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Shared;
import dev.custody.core.TrustConfigs;
import dev.custody.core.VerificationException;
import dev.custody.core.VerifiedStatement;
import dev.custody.core.chain.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trust policy for a CI identity (a GitHub Actions workflow on main, issuer
 * token.actions.githubusercontent.com), given its instance as a {@code trustConfig:}, checked
 * against real bundles: the Sigstore conformance suite's DSSE happy path, signed on the public-good
 * instance by the conformance beacon's workflow.
 */
class TrustPolicyCiIdentityTest {
  static final String BEACON =
      "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/"
          + "workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
  static final String GITHUB = "https://token.actions.githubusercontent.com";
  static final String CASE =
      "fixtures/sigstore-conformance/bundle-verify/happy-path-intoto-in-dsse-v3";

  @TempDir Path dir;

  private Path policy(String identity, String issuer, String rootKey) throws Exception {
    TrustConfigs.write(
        dir.resolve("trust-config.json"),
        Shared.require("fixtures/trust/public-good-trusted_root.json"),
        TrustConfigs.SIGNING_REKOR_V2);
    Files.copy(
        Shared.require("fixtures/trust/public-good-trusted_root.json"),
        dir.resolve("trusted_root.json"));
    String ci =
        "{identities: [{identity: \""
            + identity
            + "\", issuer: \""
            + issuer
            + "\"}], "
            + rootKey
            + "}";
    Path file = dir.resolve("policy.yaml");
    Files.writeString(
        file,
        "version: 1\nstages:\n  ingest: " + ci + "\n  train: " + ci + "\n  evaluate: " + ci + "\n");
    return file;
  }

  private static byte[] bundle() throws Exception {
    return Files.readAllBytes(Shared.require(CASE + "/bundle.sigstore.json"));
  }

  private static Sha256 subject() throws Exception {
    return Sha256.of(
        Files.readAllBytes(Shared.require("fixtures/sigstore-conformance/bundle-verify/a.txt")));
  }

  @Test
  void verifyStatement_workflowIdentityViaTrustConfig_accepts() throws Exception {
    TrustPolicy p = TrustPolicy.load(policy(BEACON, GITHUB, "trustConfig: trust-config.json"));

    VerifiedStatement v = p.verifyStatement(Stage.TRAIN, bundle(), subject());

    assertThat(v.signer()).contains(BEACON).contains(GITHUB);
  }

  @Test
  void verifyStatement_workflowIdentityViaTrustedRoot_acceptsTheSame() throws Exception {
    TrustPolicy p = TrustPolicy.load(policy(BEACON, GITHUB, "trustedRoot: trusted_root.json"));

    assertThat(p.verifyStatement(Stage.INGEST, bundle(), subject()).signer()).contains(BEACON);
  }

  @Test
  void verifyStatement_sameWorkflowOnAnotherBranch_refusesAsUntrustedSigner() throws Exception {
    TrustPolicy p =
        TrustPolicy.load(
            policy(
                BEACON.replace("@refs/heads/main", "@refs/heads/release"),
                GITHUB,
                "trustConfig: trust-config.json"));

    VerificationException e =
        assertThrows(
            VerificationException.class, () -> p.verifyStatement(Stage.TRAIN, bundle(), subject()));

    assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_SIGNER);
    assertThat(e.getMessage()).contains("@refs/heads/release").contains("@refs/heads/main");
  }

  @Test
  void verifyStatement_workflowOfAnotherRepository_refusesAsUntrustedSigner() throws Exception {
    TrustPolicy p =
        TrustPolicy.load(
            policy(
                "https://github.com/acme/models/.github/workflows/train.yml@refs/heads/main",
                GITHUB,
                "trustConfig: trust-config.json"));

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> p.verifyStatement(Stage.EVALUATE, bundle(), subject()));

    assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_SIGNER);
  }

  @Test
  void verifyStatement_rightIdentityOtherIssuer_refusesAsUntrustedSigner() throws Exception {
    TrustPolicy p =
        TrustPolicy.load(policy(BEACON, "https://gitlab.com", "trustConfig: trust-config.json"));

    VerificationException e =
        assertThrows(
            VerificationException.class, () -> p.verifyStatement(Stage.TRAIN, bundle(), subject()));

    assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_SIGNER);
  }

  @Test
  void verifyStatement_otherSubject_refusesAsDigestMismatch() throws Exception {
    TrustPolicy p = TrustPolicy.load(policy(BEACON, GITHUB, "trustConfig: trust-config.json"));

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () ->
                p.verifyStatement(
                    Stage.TRAIN,
                    bundle(),
                    Sha256.of("other".getBytes(java.nio.charset.StandardCharsets.UTF_8))));

    assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH);
  }

  @Test
  void load_trustConfigOfAnotherInstance_refusesTheBundle() throws Exception {
    TrustConfigs.write(
        dir.resolve("staging.json"),
        Shared.require(
            "fixtures/sigstore-conformance/bundle-verify/rekor2-happy-path/trusted_root.json"),
        TrustConfigs.SIGNING_REKOR_V2);
    TrustPolicy p = TrustPolicy.load(policy(BEACON, GITHUB, "trustConfig: staging.json"));

    VerificationException e =
        assertThrows(
            VerificationException.class, () -> p.verifyStatement(Stage.TRAIN, bundle(), subject()));

    assertThat(e.reason()).isEqualTo(Reason.CERTIFICATE_INVALID);
  }

  @Test
  void load_trustedRootAndTrustConfigBoth_policyInvalid() throws Exception {
    Path file =
        policy(BEACON, GITHUB, "trustedRoot: trusted_root.json, trustConfig: trust-config.json");

    PipelineException e = assertThrows(PipelineException.class, () -> TrustPolicy.load(file));

    assertThat(e.reason()).isEqualTo(Reason.POLICY_INVALID);
    assertThat(e.getMessage()).contains("found both");
  }

  @Test
  void load_trustConfigThatIsABareTrustedRoot_policyInvalidSayingWhatWasExpected()
      throws Exception {
    Path file = policy(BEACON, GITHUB, "trustConfig: trusted_root.json");

    PipelineException e = assertThrows(PipelineException.class, () -> TrustPolicy.load(file));

    assertThat(e.reason()).isEqualTo(Reason.POLICY_INVALID);
    assertThat(e.getMessage())
        .contains("stages.ingest.trustConfig")
        .contains("expected only mediaType, trustedRoot and signingConfig");
  }
}
