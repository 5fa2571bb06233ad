package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.cli.ChainFixture.Options;
import dev.custody.core.Json;
import dev.custody.core.Reason;
import dev.custody.core.SigningKey;
import dev.custody.core.chain.Stage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCommandTest {
  @TempDir Path dir;

  /** Keys for a chain signed at every stage by {@code key}, as {@code custody run} signs it. */
  private static ChainFixture.Keys everyStage(SigningKey key) {
    Map<Stage, SigningKey> keys = new EnumMap<>(Stage.class);
    for (Stage s : Stage.values()) {
      keys.put(s, key);
    }
    return new ChainFixture.Keys(keys);
  }

  @Test
  void init_keygenKey_verifyAcceptsItsChainAndRefusesAnotherSigner() throws Exception {
    Path key = dir.resolve("keys").resolve("me.key");
    Files.createDirectories(key.getParent());
    assertThat(Cli.run("keygen", "-o", key.toString()).exit()).isZero();
    Path policy = dir.resolve("policy.yaml");

    Cli init = Cli.run("policy", "init", "--key", key + ".pub", "-o", policy.toString());

    assertThat(init.exit()).as(init.err()).isZero();
    assertThat(init.out()).contains("trusts keys/me.key.pub").contains("for every stage");
    assertThat(Files.readString(policy)).contains("keys: [\"keys/me.key.pub\"]");
    Path mine = dir.resolve("mine");
    ChainFixture.build(mine, Options.defaults(), everyStage(SigningKey.load(key, null)), dir);
    Cli ok = Cli.run("verify", mine.toString(), "--policy", policy.toString());
    assertThat(ok.exit()).as(ok.err()).isZero();

    Path theirs = dir.resolve("theirs");
    ChainFixture.build(theirs, Options.defaults(), everyStage(SigningKey.generate()), dir);
    Cli refused = Cli.run("verify", theirs.toString(), "--policy", policy.toString());
    assertThat(refused.exit()).isEqualTo(Reason.UNTRUSTED_SIGNER.exitCode());
    assertThat(refused.err()).contains("UNTRUSTED_SIGNER");
  }

  @Test
  void init_existingPolicy_isRefusedAndLeftAlone() throws Exception {
    Path pub = dir.resolve("k.pub");
    Files.writeString(pub, SigningKey.generate().publicKey().toPem());
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, "keep me");

    Cli r = Cli.run("policy", "init", "--key", pub.toString(), "-o", policy.toString());

    assertThat(r.exit()).isEqualTo(Errors.USAGE);
    assertThat(r.err()).contains("refusing to overwrite existing file: " + policy);
    assertThat(Files.readString(policy)).isEqualTo("keep me");
  }

  @Test
  void init_json_printsOneDocumentWithTheTrustedKey() throws Exception {
    SigningKey k = SigningKey.generate();
    Path pub = dir.resolve("k.pub");
    Files.writeString(pub, k.publicKey().toPem());
    Path policy = dir.resolve("sub").resolve("policy.yaml");

    Cli r = Cli.run("policy", "init", "--key", pub.toString(), "-o", policy.toString(), "--json");

    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode doc = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "output");
    assertThat(doc.get("ok").asBoolean()).isTrue();
    assertThat(doc.get("command").asText()).isEqualTo("custody policy init");
    assertThat(doc.get("policy").asText()).isEqualTo(policy.toString());
    // Outside the policy's directory: named by its absolute real path.
    assertThat(doc.get("key").asText()).isEqualTo(pub.toRealPath().toString());
    assertThat(doc.get("keyHint").asText()).isEqualTo(k.publicKey().hint());
    assertThat(doc.get("stages").toString())
        .isEqualTo("[\"ingest\",\"train\",\"evaluate\",\"reproduce\"]");
  }

  @Test
  void init_privateKey_isRefusedNamingThePublicHalf() throws Exception {
    Path key = dir.resolve("me.key");
    SigningKey.generate().save(key, null);

    Cli r = Cli.run("policy", "init", "--key", key.toString(), "-o", dir + "/policy.yaml");

    assertThat(r.exit()).isEqualTo(Reason.KEY_INVALID.exitCode());
    assertThat(r.err())
        .contains("me.key: expected a PEM public key, found a private key")
        .contains("me.key.pub");
    assertThat(dir.resolve("policy.yaml")).doesNotExist();
  }
}
