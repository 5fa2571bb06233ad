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
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.Stage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
    Files.createDirectories(dir.resolve("locks"));
    Files.writeString(dir.resolve("locks/deps.lock.json"), "{}");

    TrustPolicy p = TrustPolicy.load(file);

    assertThat(p.minModelVersion()).isEqualTo(3);
    assertThat(p.requireGate()).isTrue();
    assertThat(p.requireReproduction()).isFalse();
    assertThat(p.allowList().allowsClass("com.example.ExtraModel")).isTrue();
    assertThat(p.allowList().allowsClass("org.tribuo.classification.sgd.linear.LinearSGDModel"))
        .isTrue();
    assertThat(p.dependencyLock()).contains(dir.toRealPath().resolve("locks/deps.lock.json"));
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

  // ---- W3: relative paths follow the policy's real path ----

  @Test
  void load_examplePolicyThroughSymlinkWithPlantedKey_trustsTheRealKeyNotThePlantedOne()
      throws Exception {
    // The example policy in its real directory, beside the genuine key it names.
    Path real = Files.createDirectories(dir.resolve("real"));
    Files.copy(EXAMPLE_POLICY, real.resolve("policy.yaml"));
    Files.createDirectories(real.resolve("keys"));
    SigningKey genuine = GoldenChains.key(Stage.TRAIN);
    Files.writeString(real.resolve("keys/custody.pub"), genuine.publicKey().toPem());
    // The attacker links to it from a directory they control and plants their key beside the link.
    Path attackerDir = Files.createDirectories(dir.resolve("x"));
    Path link =
        Files.createSymbolicLink(attackerDir.resolve("policy.yaml"), real.resolve("policy.yaml"));
    Files.createDirectories(attackerDir.resolve("keys"));
    SigningKey attacker = GoldenChains.attacker();
    Files.writeString(attackerDir.resolve("keys/custody.pub"), attacker.publicKey().toPem());
    ChainEditor byAttacker = ChainEditor.of(GoldenChains.A);
    for (String f :
        List.of(
            ChainLayout.SIGNATURE_FILE,
            ChainLayout.DATASET_ATTESTATION,
            ChainLayout.PROVENANCE,
            ChainLayout.GATE,
            ChainLayout.REPRODUCTION)) {
      byAttacker.signer(f, attacker);
    }
    Path chain = byAttacker.writeTo(dir.resolve("attacker-chain"));

    TrustPolicy p = TrustPolicy.load(link);

    assertRefused(() -> ChainVerifier.builder(p).build().verify(chain), Reason.UNTRUSTED_SIGNER);
    assertThat(p.verifyStatement(Stage.TRAIN, signed(genuine, SUBJECT), SUBJECT).signer())
        .isEqualTo("key " + genuine.publicKey().hint());
  }

  // ---- W7: a policy, key, trusted root or lock that is not a regular file ----

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void load_policyIsAFifo_policyInvalidWithoutBlocking() throws Exception {
    Path fifo = mkfifo(dir.resolve("policy.yaml"));

    assertRefused(() -> TrustPolicy.load(fifo), Reason.POLICY_INVALID)
        .hasMessageContaining("expected a YAML file (a regular file), found a FIFO");
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void load_keyIsAFifo_policyInvalidWithoutBlocking() throws Exception {
    Path file = policy(STAGES);
    Files.delete(dir.resolve("keys/train.pub"));
    mkfifo(dir.resolve("keys/train.pub"));

    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining("train.pub")
        .hasMessageContaining("expected a PEM public key (a regular file), found a FIFO");
  }

  @Test
  void load_keyIsADirectory_policyInvalidNamingTheKey() throws Exception {
    Path file = policy(STAGES);
    Files.delete(dir.resolve("keys/train.pub"));
    Files.createDirectory(dir.resolve("keys/train.pub"));

    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining("stages.train.keys")
        .hasMessageContaining("found a directory");
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void load_trustedRootIsAFifo_policyInvalidWithoutBlocking() throws Exception {
    Path file =
        policy(
            STAGES.replace(
                "evaluate: {keys: [keys/evaluate.pub]}",
                "evaluate:\n    identities: [{identity: a@example.com, issuer: https://example.com}]\n"
                    + "    trustedRoot: trusted_root.json"));
    mkfifo(dir.resolve("trusted_root.json"));

    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining("found a FIFO");
  }

  // ---- W10: policy errors are POLICY_INVALID ----

  @Test
  void load_missingLock_policyInvalidNamingTheLock() throws Exception {
    Path file = committedPolicy("w10-missing-lock.yaml");

    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining("dependencies.lock")
        .hasMessageContaining("no such file")
        .hasMessageContaining("no-such-deps.lock.json");
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void load_lockIsAFifo_policyInvalidWithoutBlocking() throws Exception {
    Path file = policy(STAGES + "dependencies: {lock: deps.lock.json}\n");
    mkfifo(dir.resolve("deps.lock.json"));

    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining("expected a signed dependency lock (a regular file), found a FIFO");
  }

  @Test
  void load_lockThroughSymlink_keepsTheRealPathTheVerifierCanRead() throws Exception {
    Path target = Files.writeString(dir.resolve("real.lock.json"), "{}");
    Files.createSymbolicLink(dir.resolve("deps.lock.json"), target);
    Path file = policy(STAGES + "dependencies: {lock: deps.lock.json}\n");

    assertThat(TrustPolicy.load(file).dependencyLock()).contains(target.toRealPath());
  }

  @Test
  void load_allowClassesWildcard_policyInvalid() throws Exception {
    Path file = committedPolicy("w10-allow-classes-wildcard.yaml");

    assertRefused(() -> TrustPolicy.load(file), Reason.POLICY_INVALID)
        .hasMessageContaining("model.allowClasses");
  }

  private static final Path EXAMPLE_POLICY = Path.of("..", "examples", "policy.yaml");

  /** A committed attack policy under {@code dev/custody/verify/policies/}. */
  private static Path committedPolicy(String name) throws Exception {
    return Path.of(TrustPolicyTest.class.getResource("policies/" + name).toURI());
  }

  static Path mkfifo(Path path) throws Exception {
    Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertThat(p.waitFor()).as("mkfifo " + path).isZero();
    return path;
  }
}
