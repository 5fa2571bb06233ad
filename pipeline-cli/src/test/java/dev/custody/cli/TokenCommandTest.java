package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.Reason;
import dev.custody.serve.security.Authentication;
import dev.custody.serve.security.Client;
import dev.custody.serve.security.Role;
import dev.custody.serve.security.TokenFile;
import dev.custody.serve.security.Tokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCommandTest {
  @TempDir Path dir;

  @Test
  void tokenNew_noFile_createsOwnerOnlyFileAndPrintsTokenOnce() throws Exception {
    Path file = dir.resolve("tokens.yaml");

    Cli r = Cli.run("token", "new", "--id", "ci", "--tokens", file.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    String token = r.out().strip();
    assertThat(r.out()).isEqualTo(token + System.lineSeparator());
    assertThat(token).matches("cust_[A-Za-z0-9_-]{43}");
    assertThat(r.err()).contains("added client ci (role infer)").doesNotContain(token);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    String yaml = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(yaml).doesNotContain(token).contains(Tokens.digest(token).hex());
    assertThat(Tokens.of(TokenFile.load(file)).authenticate("Bearer " + token))
        .isEqualTo(new Authentication.Authenticated(new Client("ci", Role.INFER)));
  }

  @Test
  void tokenNew_existingFile_addsClientKeepingTheOthers() throws Exception {
    Path file = dir.resolve("tokens.yaml");
    String first = Cli.run("token", "new", "--id", "ci", "--tokens", file.toString()).out().strip();

    Cli r =
        Cli.run(
            "token",
            "new",
            "--id",
            "ops",
            "--role",
            "admin",
            "--rate",
            "5",
            "--burst",
            "10",
            "--tokens",
            file.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    Tokens tokens = Tokens.of(TokenFile.load(file));
    assertThat(tokens.size()).isEqualTo(2);
    assertThat(tokens.authenticate("Bearer " + first))
        .isInstanceOf(Authentication.Authenticated.class);
    Authentication ops = tokens.authenticate("Bearer " + r.out().strip());
    assertThat(((Authentication.Authenticated) ops).client().role()).isEqualTo(Role.ADMIN);
    assertThat(((Authentication.Authenticated) ops).client().rate()).isPresent();
  }

  @Test
  void tokenNew_duplicateId_failsWithUsageAndLeavesFileAlone() throws Exception {
    Path file = dir.resolve("tokens.yaml");
    Cli.run("token", "new", "--id", "ci", "--tokens", file.toString());
    byte[] before = Files.readAllBytes(file);

    Cli r = Cli.run("token", "new", "--id", "ci", "--tokens", file.toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("client \"ci\" is already in the token file");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void tokenNew_badRoleOrId_failsWithUsage() {
    Path file = dir.resolve("tokens.yaml");

    assertThat(
            Cli.run("token", "new", "--id", "ci", "--role", "root", "--tokens", file.toString())
                .exit())
        .isEqualTo(2);
    assertThat(Cli.run("token", "new", "--id", "a b", "--tokens", file.toString()).exit())
        .isEqualTo(2);
    assertThat(
            Cli.run("token", "new", "--id", "a", "--rate", "5", "--tokens", file.toString()).exit())
        .isEqualTo(2);
    assertThat(file).doesNotExist();
  }

  @Test
  void tokenNew_groupWritableFile_failsTokensInvalid() throws Exception {
    Path file = dir.resolve("tokens.yaml");
    Cli.run("token", "new", "--id", "ci", "--tokens", file.toString());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));

    Cli r = Cli.run("token", "new", "--id", "ops", "--tokens", file.toString());

    assertThat(r.exit()).isEqualTo(Reason.TOKENS_INVALID.exitCode()).isEqualTo(73);
    assertThat(r.err()).contains("let others write it");
  }

  @Test
  void tokenNew_json_printsOkIdAndToken() throws Exception {
    Path file = dir.resolve("tokens.yaml");

    Cli r = Cli.run("token", "new", "--id", "ci", "--tokens", file.toString(), "--json");

    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "output");
    assertThat(j.get("ok").asBoolean()).isTrue();
    assertThat(j.get("command").asText()).isEqualTo("custody token new");
    assertThat(j.get("id").asText()).isEqualTo("ci");
    assertThat(Tokens.digest(j.get("token").asText()))
        .isEqualTo(TokenFile.load(file).entries().get(0).sha256());
  }
}
