package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.cli.ChainFixture.Chain;
import dev.custody.cli.ChainFixture.Options;
import dev.custody.core.Json;
import dev.custody.core.Reason;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.Stage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {
  @TempDir static Path work;
  static ChainFixture.Keys keys;
  static Path policy;
  static Chain chain;

  @BeforeAll
  static void build() throws Exception {
    keys = new ChainFixture.Keys();
    keys.lock(work);
    policy =
        keys.policy(
            work,
            "policy.yaml",
            "require: {gatePassed: true, reproduced: true}\ndependencies: {lock: deps.lock.json}\n");
    chain =
        ChainFixture.build(work.resolve("credit-rf-v2"), Options.defaults().version(2), keys, work);
  }

  @Test
  void verify_genuineChain_printsEachLinkAndExitsZero() {
    Cli r = Cli.run("verify", chain.dir().toString(), "--policy", policy.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .startsWith("verified credit-rf v2 (" + chain.dir() + "): root " + chain.root())
        .contains("ok  model signature      model.sig")
        .contains("ok  training provenance  " + ChainLayout.PROVENANCE)
        .contains("ok  dataset              " + ChainLayout.DATASET_ATTESTATION)
        .contains("ok  dependencies")
        .contains("ok  gate                 " + ChainLayout.GATE)
        .contains("ok  reproduction         " + ChainLayout.REPRODUCTION)
        .contains("signed by key " + keys.of(Stage.INGEST).publicKey().hint())
        .contains("signed by key " + keys.of(Stage.EVALUATE).publicKey().hint())
        .contains("subject D " + chain.dataset());
    assertThat(r.err()).isEmpty();
  }

  @Test
  void verify_json_machineReadableChain() throws Exception {
    Cli r = Cli.run("verify", chain.dir().toString(), "--policy", policy.toString(), "--json");

    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode root = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "output");
    assertThat(root.get("verified").asBoolean()).isTrue();
    assertThat(root.get("model").asText()).isEqualTo("credit-rf");
    assertThat(root.get("version").asInt()).isEqualTo(2);
    assertThat(root.get("rootDigest").asText()).isEqualTo(chain.root().toString());
    assertThat(root.get("links")).hasSize(8);
    JsonNode provenance = root.get("links").get(3);
    assertThat(provenance.get("what").asText()).isEqualTo("training provenance");
    assertThat(provenance.get("result").asText()).isEqualTo("ok");
    assertThat(provenance.get("signer").asText())
        .isEqualTo("key " + keys.of(Stage.TRAIN).publicKey().hint());
    assertThat(provenance.get("digest").asText()).startsWith("sha256:");
  }

  @Test
  void verify_tamperedModel_exitsWithManifestMismatchNamingTheFile() throws Exception {
    Path dir = work.resolve("tampered");
    ChainFixture.copy(chain.dir(), dir);
    byte[] bytes = Files.readAllBytes(dir.resolve(ChainLayout.MODEL_FILE));
    bytes[bytes.length / 2] ^= 1;
    Files.write(dir.resolve(ChainLayout.MODEL_FILE), bytes);

    Cli r = Cli.run("verify", dir.toString(), "--policy", policy.toString());

    assertThat(r.exit()).isEqualTo(Reason.MANIFEST_MISMATCH.exitCode()).isEqualTo(6);
    assertThat(r.err())
        .startsWith("custody verify: MANIFEST_MISMATCH: ")
        .contains("changed: model.tribuo");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void verify_jsonOnFailure_printsReasonAndExitCode() throws Exception {
    Path dir = work.resolve("no-gate");
    ChainFixture.copy(chain.dir(), dir);
    Files.delete(dir.resolve(ChainLayout.GATE));

    Cli r = Cli.run("verify", dir.toString(), "--policy", policy.toString(), "--json");

    assertThat(r.exit()).isEqualTo(53);
    JsonNode root = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "output");
    assertThat(root.get("verified").asBoolean()).isFalse();
    assertThat(root.get("reason").asText()).isEqualTo("CHAIN_INCOMPLETE");
    assertThat(root.get("exit").asInt()).isEqualTo(53);
    assertThat(root.get("message").asText()).contains(Stage.EVALUATE.file());
  }

  @Test
  void verify_olderThanTheVersionInService_rollback() {
    Cli r =
        Cli.run(
            "verify",
            chain.dir().toString(),
            "--policy",
            policy.toString(),
            "--in-service-version",
            "3");

    assertThat(r.exit()).isEqualTo(Reason.ROLLBACK.exitCode()).isEqualTo(52);
    assertThat(r.err()).contains("ROLLBACK: model credit-rf version 2 < the version in service 3");
  }

  @Test
  void verify_policyWithUnknownKey_policyInvalid() throws Exception {
    Path bad = keys.policy(work, "bad.yaml", "requires: {gatePassed: true}\n");

    Cli r = Cli.run("verify", chain.dir().toString(), "--policy", bad.toString());

    assertThat(r.exit()).isEqualTo(Reason.POLICY_INVALID.exitCode());
    assertThat(r.err())
        .contains("POLICY_INVALID")
        .contains(bad + ":7:1")
        .contains(
            "requires: unknown key (expected one of: version, stages, require, model, dependencies)");
  }

  @Test
  void verify_noSuchPolicy_usageError() {
    Cli r =
        Cli.run(
            "verify", chain.dir().toString(), "--policy", work.resolve("absent.yaml").toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("no such file");
  }
}
