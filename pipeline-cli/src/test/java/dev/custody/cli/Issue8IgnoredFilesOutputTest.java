package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, W8 at the command line: {@code verify-model}, {@code hash} and {@code sign-model} keep
 * model_signing's default ignores for regular files but show them, and refuse a symbolic link or a
 * special file under an ignored path.
 */
class Issue8IgnoredFilesOutputTest {
  @TempDir Path dir;
  Path model;
  Path key;

  @BeforeEach
  void keyAndModel() throws Exception {
    model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("model.tribuo"), "weights");
    key = dir.resolve("signer.key");
    assertThat(Cli.run("keygen", "-o", key.toString()).exit()).isZero();
  }

  @Test
  void verifyModel_fileInGitDirectory_exitsZeroAndListsItIgnored() throws Exception {
    Files.createDirectories(model.resolve(".git"));
    Files.writeString(model.resolve(".git/evil.py"), "import os");
    assertThat(Cli.run("sign-model", model.toString(), "--key", key.toString()).out())
        .contains("ignored, not covered by the signature: 1 file: .git/evil.py");

    Cli v = Cli.run("verify-model", model.toString(), "--key", key + ".pub");

    assertThat(v.exit()).as(v.err()).isZero();
    assertThat(v.out())
        .startsWith("verified model sha256:")
        .contains("ignored, not covered by the signature: 1 file: .git/evil.py");
  }

  @Test
  void verifyModel_json_listsIgnoredFiles() throws Exception {
    Cli.run("sign-model", model.toString(), "--key", key.toString());
    Files.writeString(model.resolve(".gitignore"), "*.tmp");

    Cli v = Cli.run("verify-model", model.toString(), "--key", key + ".pub", "--json");

    assertThat(v.exit()).as(v.err()).isZero();
    JsonNode json = Json.parse(v.out().getBytes(StandardCharsets.UTF_8), "output");
    assertThat(json.path("ignored").isArray()).isTrue();
    assertThat(json.path("ignored")).hasSize(1);
    assertThat(json.path("ignored").get(0).asText()).isEqualTo(".gitignore");
  }

  @Test
  void verifyModel_nothingIgnored_printsOneLineAndEmptyJsonList() throws Exception {
    Cli.run("sign-model", model.toString(), "--key", key.toString());

    Cli human = Cli.run("verify-model", model.toString(), "--key", key + ".pub");
    Cli json = Cli.run("verify-model", model.toString(), "--key", key + ".pub", "--json");

    assertThat(human.out().strip()).doesNotContain("\n").doesNotContain("ignored");
    assertThat(Json.parse(json.out().getBytes(StandardCharsets.UTF_8), "output").path("ignored"))
        .isEmpty();
  }

  @Test
  void verifyModel_gitignoreSymlink_exitsManifestMismatch() throws Exception {
    Cli.run("sign-model", model.toString(), "--key", key.toString());
    Files.createSymbolicLink(model.resolve(".gitignore"), Path.of("/etc/shadow"));

    Cli v = Cli.run("verify-model", model.toString(), "--key", key + ".pub");

    assertThat(v.exit()).isEqualTo(Reason.MANIFEST_MISMATCH.exitCode());
    assertThat(v.err()).contains(".gitignore is a symbolic link (under an ignored path)");
  }

  @Test
  void hash_fileInGitDirectory_listsItIgnoredInTextAndJson() throws Exception {
    Files.createDirectories(model.resolve(".git"));
    Files.writeString(model.resolve(".git/HEAD"), "ref: refs/heads/main");

    Cli text = Cli.run("hash", model.toString());
    Cli json = Cli.run("hash", model.toString(), "--json");

    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out()).contains("ignored, not covered by the signature: 1 file: .git/HEAD");
    assertThat(
            Json.parse(json.out().getBytes(StandardCharsets.UTF_8), "output")
                .path("ignored")
                .get(0)
                .asText())
        .isEqualTo(".git/HEAD");
  }

  @Test
  void signModel_githubSymlinkToRoot_exitsUnsupportedAndWritesNoSignature() throws Exception {
    Files.createSymbolicLink(model.resolve(".github"), Path.of("/"));

    Cli r = Cli.run("sign-model", model.toString(), "--key", key.toString());

    assertThat(r.exit()).isEqualTo(Reason.UNSUPPORTED.exitCode());
    assertThat(r.err()).contains(".github is a symbolic link");
    assertThat(model.resolve("model.sig")).doesNotExist();
  }
}
