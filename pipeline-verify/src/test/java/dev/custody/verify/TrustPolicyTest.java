package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.custody.core.BundleSigner;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.SigningKey;
import dev.custody.core.Statement;
import dev.custody.core.VerifiedStatement;
import dev.custody.core.chain.Stage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustPolicyTest {
  static final SigningKey INGEST = SigningKey.generate();
  static final SigningKey TRAIN = SigningKey.generate();
  static final SigningKey EVALUATE = SigningKey.generate();
  static final Sha256 SUBJECT = Sha256.of("model".getBytes(StandardCharsets.UTF_8));

  @TempDir static Path keys;
  @TempDir Path dir;

  @BeforeAll
  static void writeKeys() throws Exception {
    Files.writeString(keys.resolve("ingest.pub"), INGEST.publicKey().toPem());
    Files.writeString(keys.resolve("train.pub"), TRAIN.publicKey().toPem());
    Files.writeString(keys.resolve("evaluate.pub"), EVALUATE.publicKey().toPem());
  }

  /** A policy directory holding {@code keys/} and {@code policy.yaml}; returns the policy file. */
  Path policy(String yaml) throws Exception {
    Path k = Files.createDirectories(dir.resolve("keys"));
    for (String name : List.of("ingest.pub", "train.pub", "evaluate.pub")) {
      Files.copy(
          keys.resolve(name), k.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  static final String STAGES =
      """
      version: 1
      stages:
        ingest: {keys: [keys/ingest.pub]}
        train: {keys: [keys/train.pub]}
        evaluate: {keys: [keys/evaluate.pub]}
      """;

  static byte[] signed(SigningKey key, Sha256 subject) {
    Statement st =
        new Statement(
            List.of(Statement.Subject.of("credit-rf", subject)),
            "https://custody.dev/test/v1",
            JsonNodeFactory.instance.objectNode().put("n", 1));
    return BundleSigner.create(key).signStatement(st);
  }

  static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Reason reason) {
    return assertThatThrownBy(call)
        .isInstanceOf(PipelineException.class)
        .satisfies(e -> assertThat(((PipelineException) e).reason()).isEqualTo(reason));
  }

  @Test
  void load_completePolicy_keysResolvedRelativeToThePolicyFile() throws Exception {
    Path file =
        policy(
            STAGES
                + """
                require: {gatePassed: true, reproduced: false}
                model:
                  minVersion: 3
                  allowClasses: [com.example.ExtraModel]
                dependencies: {lock: locks/deps.lock.json}
                """);
    // The working directory is the module, not the policy's directory: paths must not resolve
    // against it.
    assertThat(Path.of("").toAbsolutePath()).isNotEqualTo(dir);

    TrustPolicy p = TrustPolicy.load(file);

    assertThat(p.minModelVersion()).isEqualTo(3);
    assertThat(p.requireGate()).isTrue();
    assertThat(p.requireReproduction()).isFalse();
    assertThat(p.allowList().allowsClass("com.example.ExtraModel")).isTrue();
    assertThat(p.allowList().allowsClass("org.tribuo.classification.sgd.linear.LinearSGDModel"))
        .isTrue();
    assertThat(p.dependencyLock()).contains(dir.toAbsolutePath().resolve("locks/deps.lock.json"));
    VerifiedStatement vs = p.verifyStatement(Stage.TRAIN, signed(TRAIN, SUBJECT), SUBJECT);
    assertThat(vs.signer()).isEqualTo("key " + TRAIN.publicKey().hint());
  }

  @Test
  void load_defaults_requireGateOnlyAndVersionOne() throws Exception {
    TrustPolicy p = TrustPolicy.load(policy(STAGES));
    assertThat(p.requireGate()).isTrue();
    assertThat(p.requireReproduction()).isFalse();
    assertThat(p.minModelVersion()).isEqualTo(1);
    assertThat(p.dependencyLock()).isEmpty();
    assertThat(p.allowList()).isEqualTo(ModelAllowList.defaults());
  }

  @Test
  void verifyStatement_ingestKeyAsTrainEvidence_untrustedSignerNamingTheStage() throws Exception {
    TrustPolicy p = TrustPolicy.load(policy(STAGES));
    byte[] ingestSigned = signed(INGEST, SUBJECT);

    assertThat(p.verifyStatement(Stage.INGEST, ingestSigned, SUBJECT).signer())
        .contains(INGEST.publicKey().hint());
    assertRefused(
            () -> p.verifyStatement(Stage.TRAIN, ingestSigned, SUBJECT), Reason.UNTRUSTED_SIGNER)
        .hasMessageContaining("trusts for stage ingest, not train");
    assertRefused(
            () -> p.verifyStatement(Stage.EVALUATE, signed(TRAIN, SUBJECT), SUBJECT),
            Reason.UNTRUSTED_SIGNER)
        .hasMessageContaining("trusts for stage train, not evaluate");
  }

  @Test
  void verifyStatement_keyTrustedNowhere_untrustedSigner() throws Exception {
    TrustPolicy p = TrustPolicy.load(policy(STAGES));
    assertRefused(
            () -> p.verifyStatement(Stage.TRAIN, signed(SigningKey.generate(), SUBJECT), SUBJECT),
            Reason.UNTRUSTED_SIGNER)
        .hasMessageContaining(TRAIN.publicKey().hint());
  }

  @Test
  void verifyStatement_otherSubject_digestMismatch() throws Exception {
    TrustPolicy p = TrustPolicy.load(policy(STAGES));
    Sha256 other = Sha256.of(new byte[] {1});
    assertRefused(
            () -> p.verifyStatement(Stage.TRAIN, signed(TRAIN, other), SUBJECT),
            Reason.DIGEST_MISMATCH)
        .hasMessageContaining("expected a statement about " + SUBJECT);
  }

  @Test
  void verifyStatement_stageWithoutSigners_untrustedSigner() throws Exception {
    TrustPolicy p = TrustPolicy.load(policy(STAGES));
    assertRefused(
            () -> p.verifyStatement(Stage.REPRODUCE, signed(TRAIN, SUBJECT), SUBJECT),
            Reason.UNTRUSTED_SIGNER)
        .hasMessageContaining("no signer for stage reproduce");
  }

  @Test
  void load_unknownKey_policyInvalidWithLineAndColumn() throws Exception {
    Path file = policy(STAGES + "require:\n  gatePased: true\n");
    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining(file + ":7:")
        .hasMessageContaining(
            "require.gatePased: unknown key (expected one of: gatePassed, reproduced)");
  }

  @Test
  void load_unknownStage_policyInvalidWithLineAndColumn() throws Exception {
    Path file = policy(STAGES + "  deploy: {keys: [keys/train.pub]}\n");
    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining(file + ":6:")
        .hasMessageContaining(
            "stages.deploy: unknown key (expected one of: ingest, train, evaluate, reproduce)");
  }

  @Test
  void load_wrongType_policyInvalidWithLineAndColumn() throws Exception {
    Path file = policy(STAGES + "model:\n  minVersion: two\n");
    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining(file + ":7:")
        .hasMessageContaining("minVersion")
        .hasMessageContaining("expected an integer");
  }

  @Test
  void load_keysNotAList_policyInvalidWithLineAndColumn() throws Exception {
    Path file =
        policy(
            """
            version: 1
            stages:
              ingest: {keys: [keys/ingest.pub]}
              train: {keys: {file: keys/train.pub}}
            """);
    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining(file + ":4:")
        .hasMessageContaining("stages.train.keys");
  }

  @Test
  void load_duplicateKey_policyInvalid() throws Exception {
    Path file = policy(STAGES + "model: {minVersion: 2}\nmodel: {minVersion: 1}\n");
    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining(file + ":7:")
        .hasMessageContaining("model: duplicate key (first at 6:1)");
  }

  @Test
  void load_stageWithEmptyKeyList_rejectedAtLoad() throws Exception {
    Path file = policy(STAGES + "  reproduce: {keys: []}\n");
    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining(file + ":6:")
        .hasMessageContaining("stages.reproduce")
        .hasMessageContaining("a stage must trust at least one signer");
  }

  @Test
  void load_stageWithNothing_rejectedAtLoad() throws Exception {
    Path file =
        policy(
            """
            version: 1
            stages:
              ingest: {keys: [keys/ingest.pub]}
              train:
              evaluate: {keys: [keys/evaluate.pub]}
            """);
    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining(file + ":4:")
        .hasMessageContaining("stages.train");
  }

  @Test
  void load_noStageTrusted_rejectedAtLoad() throws Exception {
    Path file = policy("version: 1\nstages: {}\n");
    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining("ingest, train");
  }

  @Test
  void load_gateRequiredWithoutEvaluateSigners_rejected() throws Exception {
    Path file =
        policy(
            """
            version: 1
            stages:
              ingest: {keys: [keys/ingest.pub]}
              train: {keys: [keys/train.pub]}
            """);
    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining("no signer for stage(s) evaluate");
  }

  @Test
  void load_gateNotRequired_evaluateSignersOptional() throws Exception {
    Path file =
        policy(
            """
            version: 1
            stages:
              ingest: {keys: [keys/ingest.pub]}
              train: {keys: [keys/train.pub]}
            require: {gatePassed: false}
            """);
    assertThat(TrustPolicy.load(file).requireGate()).isFalse();
  }

  @Test
  void load_reproductionRequiredWithoutReproduceSigners_rejected() throws Exception {
    Path file = policy(STAGES + "require: {reproduced: true}\n");
    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining("no signer for stage(s) reproduce");
  }

  @Test
  void load_missingKeyFile_policyInvalidNamingIt() throws Exception {
    Path file = policy(STAGES.replace("keys/evaluate.pub", "keys/missing.pub"));
    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining("stages.evaluate.keys[0]")
        .hasMessageContaining(dir.resolve("keys/missing.pub").toString());
  }

  @Test
  void load_keyFileNotAKey_policyInvalid() throws Exception {
    Path file = policy(STAGES);
    Files.writeString(dir.resolve("keys/train.pub"), "not a key\n");
    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining("stages.train.keys[0]");
  }

  @Test
  void load_identitiesWithoutTrustedRoot_rejected() throws Exception {
    Path file =
        policy(
            STAGES.replace(
                "train: {keys: [keys/train.pub]}",
                "train: {identities: [{identity: ci@example.com, issuer: https://accounts.example.com}]}"));
    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining("need a 'trustedRoot'");
  }

  @Test
  void load_wrongVersion_rejected() throws Exception {
    Path file = policy(STAGES.replace("version: 1", "version: 2"));
    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining("version: expected 1, found 2");
  }

  @Test
  void load_minVersionZero_rejected() throws Exception {
    Path file = policy(STAGES + "model: {minVersion: 0}\n");
    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining("minVersion: expected at least 1, found 0");
  }

  @Test
  void load_committedExamplePolicy_trustsItsKeyForEveryStage() throws Exception {
    Path example = Path.of(System.getProperty("custody.root"), "examples", "policy.yaml");
    Path file = dir.resolve("policy.yaml");
    Files.copy(example, file);
    Files.createDirectories(dir.resolve("keys"));
    Files.writeString(dir.resolve("keys/custody.pub"), TRAIN.publicKey().toPem());

    TrustPolicy p = TrustPolicy.load(file);

    for (Stage s : Stage.values()) {
      assertThat(p.verifyStatement(s, signed(TRAIN, SUBJECT), SUBJECT).signer())
          .contains(TRAIN.publicKey().hint());
    }
    assertThat(p.requireGate()).isTrue();
    assertThat(p.requireReproduction()).isFalse();
    assertThat(p.minModelVersion()).isEqualTo(1);
    assertThat(p.dependencyLock()).isEmpty();
  }

  @Test
  void builder_noSigner_throwsIllegalState() {
    assertThatThrownBy(() -> TrustPolicy.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ingest, train, evaluate");
  }
}
