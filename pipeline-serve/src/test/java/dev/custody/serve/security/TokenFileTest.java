package dev.custody.serve.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
  private static final String D1 = "a".repeat(64);
  private static final String D2 = "0123456789abcdef".repeat(4);

  @TempDir Path dir;

  private static TokenFile parse(String yaml) throws PipelineException {
    return TokenFile.parse(yaml.getBytes(StandardCharsets.UTF_8), "tokens.yaml");
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(String yaml) {
    return assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(PipelineException.class)
        .satisfies(
            e -> assertThat(((PipelineException) e).reason()).isEqualTo(Reason.TOKENS_INVALID));
  }

  @Test
  void parse_validFile_readsClientsRolesAndRates() throws Exception {
    TokenFile f =
        parse(
            "clients:\n"
                + "  - id: ci-runner\n"
                + "    sha256: "
                + D1
                + "\n"
                + "    role: infer\n"
                + "    rate: 2.5\n"
                + "    burst: 10\n"
                + "  - id: \"ops@example\"\n"
                + "    sha256: sha256:"
                + D2
                + "\n"
                + "    role: admin\n");

    assertThat(f.entries())
        .containsExactly(
            new TokenFile.Entry(
                new Client("ci-runner", Role.INFER, Optional.of(new RateLimit(2.5, 10))),
                new Sha256(D1)),
            new TokenFile.Entry(new Client("ops@example", Role.ADMIN), new Sha256(D2)));
    assertThat(f.toString()).isEqualTo("TokenFile[ci-runner:infer, ops@example:admin]");
  }

  @Test
  void toYaml_anyFile_parsesBackEqual() throws Exception {
    TokenFile f =
        TokenFile.empty()
            .with(
                new TokenFile.Entry(
                    new Client("a", Role.INFER, Optional.of(new RateLimit(0.001, 1))),
                    new Sha256(D1)))
            .with(new TokenFile.Entry(new Client("true", Role.ADMIN), new Sha256(D2)));

    assertThat(TokenFile.parse(f.toYaml(), "x")).isEqualTo(f);
  }

  @Test
  void parse_unknownKey_namesItAndItsLine() {
    assertRefused("clients:\n  - id: a\n    sha256: " + D1 + "\n    role: infer\n    roles: x\n")
        .hasMessage(
            "tokens.yaml:5:5: clients[0].roles: unknown key (expected one of: id, sha256, role,"
                + " rate, burst)");
  }

  @Test
  void parse_duplicateId_namesBothPlaces() {
    assertRefused(
            "clients:\n"
                + "  - {id: a, sha256: "
                + D1
                + ", role: infer}\n"
                + "  - {id: a, sha256: "
                + D2
                + ", role: admin}\n")
        .hasMessage("tokens.yaml:3:10: clients[1].id: duplicate id \"a\" (first at 2:10)");
  }

  @Test
  void parse_duplicateDigest_refusesSharedToken() {
    assertRefused(
            "clients:\n"
                + "  - {id: a, sha256: "
                + D1
                + ", role: infer}\n"
                + "  - {id: b, sha256: "
                + D1
                + ", role: admin}\n")
        .hasMessageStartingWith("tokens.yaml:3:")
        .hasMessageContaining("duplicate sha256 (also at 2:")
        .hasMessageContaining("two clients would share one token");
  }

  @Test
  void parse_tokenPastedAsDigest_refusesWithoutEchoingIt() {
    String token = "cust_Zm9vYmFyYmF6cXV4cXV1eHh4eHh4eHh4eHh4eHh4eHh4";

    assertRefused("clients:\n  - id: a\n    sha256: " + token + "\n    role: infer\n")
        .hasMessageStartingWith("tokens.yaml:3:13: clients[0].sha256: expected 64 lower-case hex")
        .hasMessageNotContaining(token)
        .hasMessageNotContaining("Zm9v");
  }

  @Test
  void parse_upperCaseHex_isRefused() {
    assertRefused(
            "clients:\n  - {id: a, sha256: "
                + D2.toUpperCase(java.util.Locale.ROOT)
                + ", role: infer}\n")
        .hasMessageContaining("expected 64 lower-case hex digits");
  }

  @Test
  void parse_unknownRole_namesTheChoices() {
    assertRefused("clients:\n  - {id: a, sha256: " + D1 + ", role: root}\n")
        .hasMessageContaining("expected one of infer | admin, found \"root\"");
  }

  @Test
  void parse_rateWithoutBurst_isRefused() {
    assertRefused("clients:\n  - {id: a, sha256: " + D1 + ", role: infer, rate: 5}\n")
        .hasMessageContaining("expected rate and burst together, found only rate");
  }

  @Test
  void parse_zeroRate_isRefused() {
    assertRefused("clients:\n  - {id: a, sha256: " + D1 + ", role: infer, rate: 0, burst: 1}\n")
        .hasMessageContaining("expected a number in (0.0, 1000000.0]");
  }

  @Test
  void parse_badId_isRefused() {
    assertRefused("clients:\n  - {id: \"a b\", sha256: " + D1 + ", role: infer}\n")
        .hasMessageContaining("expected an id of letters, digits and . _ @ -");
  }

  @Test
  void parse_noClients_isRefused() {
    assertRefused("clients: []\n").hasMessageContaining("expected a non-empty list");
  }

  @Test
  void parse_moreThanMaxClients_isRefused() {
    assertRefused(clients(TokenFile.MAX_CLIENTS + 1))
        .hasMessageContaining("expected at most 1000 clients, found 1001");
  }

  private static String clients(int n) {
    StringBuilder yaml = new StringBuilder("clients:\n");
    for (int i = 0; i < n; i++) {
      yaml.append("  - {id: c")
          .append(i)
          .append(", sha256: ")
          .append(String.format(java.util.Locale.ROOT, "%064x", i))
          .append(", role: infer}\n");
    }
    return yaml.toString();
  }

  @Test
  void parse_exactlyMaxClients_isRead() throws Exception {
    TokenFile f = parse(clients(TokenFile.MAX_CLIENTS));

    assertThat(f.entries()).hasSize(1000);
    assertThatThrownBy(
            () ->
                f.with(
                    new TokenFile.Entry(
                        new Client("one-more", Role.INFER), new Sha256("f".repeat(64)))))
        .hasMessage("the token file already holds 1000 clients, the most it may");
  }

  @Test
  void equals_sameOrDifferentClients_comparesEntries() throws Exception {
    TokenFile a = parse("clients:\n  - {id: a, sha256: " + D1 + ", role: infer}\n");
    TokenFile same = parse("clients:\n  - {id: \"a\", sha256: \"" + D1 + "\", role: infer}\n");
    TokenFile other = parse("clients:\n  - {id: a, sha256: " + D1 + ", role: admin}\n");

    assertThat(a).isEqualTo(same).hasSameHashCodeAs(same).isNotEqualTo(other);
  }

  @Test
  void entry_badId_throws() {
    assertThatThrownBy(() -> new TokenFile.Entry(new Client("a b", Role.INFER), new Sha256(D1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected a client id of letters, digits and . _ @ -");
  }

  @Test
  void load_groupWritableFile_isRefused() throws Exception {
    Path f = Files.write(dir.resolve("tokens.yaml"), validYaml());
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-r--"));

    assertThatThrownBy(() -> TokenFile.load(f))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("token file permissions rw-rw-r-- let others write it")
        .hasMessageContaining("chmod go-w");
  }

  @Test
  void load_worldReadableThroughSymlink_isRead() throws Exception {
    // The layout of a Kubernetes secret volume: the file is reached through links.
    Path data = Files.createDirectories(dir.resolve("..data"));
    Path f = Files.write(data.resolve("tokens.yaml"), validYaml());
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    Path link = Files.createSymbolicLink(dir.resolve("tokens.yaml"), f);

    assertThat(TokenFile.load(link).entries()).hasSize(1);
  }

  @Test
  void load_missingFile_isTokensInvalid() {
    assertThatThrownBy(() -> TokenFile.load(dir.resolve("absent.yaml")))
        .isInstanceOf(PipelineException.class)
        .hasMessageEndingWith("absent.yaml: expected a token file, found no such file");
  }

  @Test
  void load_directory_isRefused() {
    assertThatThrownBy(() -> TokenFile.load(dir))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("found a directory");
  }

  @Test
  void with_duplicateIdOrToken_throws() {
    TokenFile f =
        TokenFile.empty().with(new TokenFile.Entry(new Client("a", Role.INFER), new Sha256(D1)));

    assertThatThrownBy(
            () -> f.with(new TokenFile.Entry(new Client("a", Role.INFER), new Sha256(D2))))
        .hasMessage("client \"a\" is already in the token file");
    assertThatThrownBy(
            () -> f.with(new TokenFile.Entry(new Client("b", Role.INFER), new Sha256(D1))))
        .hasMessage("client \"a\" already has this token");
  }

  private static byte[] validYaml() {
    return ("clients:\n  - {id: a, sha256: " + D1 + ", role: infer}\n")
        .getBytes(StandardCharsets.UTF_8);
  }
}
