package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.Reason;
import dev.custody.core.Shared;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCommandsTest {
  @TempDir Path dir;
  Path model;
  Path key;

  @BeforeEach
  void keyAndModel() throws Exception {
    model = dir.resolve("model");
    Files.createDirectories(model);
    Files.writeString(model.resolve("model.tribuo"), "weights");
    Files.writeString(model.resolve("card.json"), "{}");
    key = dir.resolve("signer.key");
    Cli k = Cli.run("keygen", "-o", key.toString());
    assertThat(k.exit()).as(k.err()).isZero();
  }

  @Test
  void keygen_writesOwnerOnlyPrivateKeyAndReadablePublicKey() throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    Path pub = dir.resolve("signer.key.pub");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pub)))
        .isEqualTo("rw-r--r--");
    assertThat(Files.readString(pub)).startsWith("-----BEGIN PUBLIC KEY-----");
  }

  @Test
  void keygen_existingKey_exitsUsageAndKeepsIt() throws Exception {
    String before = Files.readString(key);
    Cli r = Cli.run("keygen", "-o", key.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("refusing to overwrite").contains("signer.key");
    assertThat(Files.readString(key)).isEqualTo(before);
  }

  @Test
  void signThenVerify_untouchedModel_exitsZero() {
    assertThat(Cli.run("sign-model", model.toString(), "--key", key.toString()).exit()).isZero();
    Cli v = Cli.run("verify-model", model.toString(), "--key", key + ".pub");
    assertThat(v.exit()).as(v.err()).isZero();
    assertThat(v.out()).startsWith("verified model sha256:");
  }

  @Test
  void verify_json_printsMachineReadableResult() throws Exception {
    Cli.run("sign-model", model.toString(), "--key", key.toString());
    Cli v = Cli.run("verify-model", model.toString(), "--key", key + ".pub", "--json");
    JsonNode json = Json.parse(v.out().getBytes(StandardCharsets.UTF_8), "output");
    assertThat(json.path("verified").asBoolean()).isTrue();
    assertThat(json.path("files").asInt()).isEqualTo(2);
  }

  @Test
  void verify_tamperedModel_exitsWithManifestMismatchCodeAndOneLine() throws Exception {
    Cli.run("sign-model", model.toString(), "--key", key.toString());
    Files.writeString(model.resolve("model.tribuo"), "weightz");
    Cli v = Cli.run("verify-model", model.toString(), "--key", key + ".pub");
    assertThat(v.exit()).isEqualTo(Reason.MANIFEST_MISMATCH.exitCode());
    assertThat(v.err().strip())
        .doesNotContain("\n")
        .contains("MANIFEST_MISMATCH")
        .contains("changed: model.tribuo");
    assertThat(v.err()).doesNotContain("\tat ");
  }

  @Test
  void verify_verbose_addsStackTrace() throws Exception {
    Cli.run("sign-model", model.toString(), "--key", key.toString());
    Files.delete(model.resolve("card.json"));
    Cli v = Cli.run("verify-model", model.toString(), "--key", key + ".pub", "--verbose");
    assertThat(v.exit()).isEqualTo(Reason.MANIFEST_MISMATCH.exitCode());
    assertThat(v.err()).contains("missing: card.json").contains("\tat ");
  }

  @Test
  void verify_anotherKey_exitsWithUntrustedSignerCode() throws Exception {
    Cli.run("sign-model", model.toString(), "--key", key.toString());
    Path other = dir.resolve("other.key");
    Cli.run("keygen", "-o", other.toString());
    Cli v = Cli.run("verify-model", model.toString(), "--key", other + ".pub");
    assertThat(v.exit()).isEqualTo(Reason.UNTRUSTED_SIGNER.exitCode());
  }

  @Test
  void verify_missingModel_exitsUsageNamingIt() {
    Cli v = Cli.run("verify-model", dir.resolve("nope").toString(), "--key", key + ".pub");
    assertThat(v.exit()).isEqualTo(2);
    assertThat(v.err()).contains("no such file").contains("nope");
  }

  @Test
  void sign_encryptedKeyWithoutPassphrase_exitsKeyInvalid() throws Exception {
    Path enc = dir.resolve("enc.key");
    Path pass = dir.resolve("pass.txt");
    Files.writeString(pass, "s3cret\n");
    assertThat(Cli.run("keygen", "-o", enc.toString(), "--passphrase-file", pass.toString()).exit())
        .isZero();
    Cli r = Cli.run("sign-model", model.toString(), "--key", enc.toString());
    assertThat(r.exit()).isEqualTo(Reason.KEY_INVALID.exitCode());
    assertThat(r.err()).contains("passphrase is required").doesNotContain("s3cret");
    assertThat(
            Cli.run(
                    "sign-model",
                    model.toString(),
                    "--key",
                    enc.toString(),
                    "--passphrase-file",
                    pass.toString())
                .exit())
        .isZero();
  }

  @Test
  void unknownOption_exitsUsage() {
    assertThat(Cli.run("verify-model", "--bogus").exit()).isEqualTo(2);
  }

  @Test
  void hash_modelSigningFixture_printsModelSigningRootDigest() {
    Path fixture = Shared.require("fixtures/model-signing/v1.0.1-elliptic-key");
    Cli r = Cli.run("hash", fixture.toString(), "--ignore", "ignore-me", "--ignore", "model.sig");
    assertThat(r.exit()).as(r.err()).isZero();
    // The subject digest model_signing signed for this folder.
    assertThat(r.out())
        .contains(
            "92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4  (root digest of 2 files)");
  }

  @Test
  void hash_json_printsOkCommandAndRootDigest() throws Exception {
    Path fixture = Shared.require("fixtures/model-signing/v1.0.1-elliptic-key");
    Cli r =
        Cli.run(
            "hash", fixture.toString(), "--ignore", "ignore-me", "--ignore", "model.sig", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "stdout");
    assertThat(j.path("ok").asBoolean()).isTrue();
    assertThat(j.path("command").asText()).isEqualTo("custody hash");
    assertThat(j.path("rootDigest").asText())
        .isEqualTo("sha256:92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4");
  }

  @Test
  void verify_keylessModelSigningFixture_exitsZero() {
    Path fixture = Shared.require("fixtures/model-signing/v1.1.0-sigstore");
    Path root = Shared.require("fixtures/trust/public-good-trusted_root.json");
    Cli r =
        Cli.run(
            "verify-model",
            fixture.toString(),
            "--identity",
            "stefanb@us.ibm.com",
            "--issuer",
            "https://sigstore.verify.ibm.com/oauth2",
            "--trusted-root",
            root.toString(),
            "--ignore",
            "ignore-me");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("signed by stefanb@us.ibm.com (issuer https://sigstore.verify.ibm.com/oauth2)");
    Cli other =
        Cli.run(
            "verify-model",
            fixture.toString(),
            "--identity",
            "someone@else.example",
            "--issuer",
            "https://sigstore.verify.ibm.com/oauth2",
            "--trusted-root",
            root.toString(),
            "--ignore",
            "ignore-me");
    assertThat(other.exit()).isEqualTo(Reason.UNTRUSTED_SIGNER.exitCode());
  }

  @Test
  void verify_keyAndIdentityTogether_exitsUsage() {
    Cli r =
        Cli.run(
            "verify-model",
            model.toString(),
            "--key",
            key + ".pub",
            "--identity",
            "a",
            "--issuer",
            "b",
            "--trusted-root",
            "c");
    assertThat(r.exit()).isEqualTo(2);
  }

  @Test
  void help_everyCommand_exitsZero() {
    for (String c : new String[] {"keygen", "hash", "sign-model", "verify-model"}) {
      Cli r = Cli.run(c, "--help");
      assertThat(r.exit()).isZero();
      assertThat(r.out()).contains("Usage: custody " + c);
    }
  }
}
