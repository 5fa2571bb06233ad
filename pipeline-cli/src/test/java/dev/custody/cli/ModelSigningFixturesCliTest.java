package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Reason;
import dev.custody.core.Shared;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every upstream model_signing fixture ({@code ../shared/fixtures/model-signing}, ORIGIN.md)
 * through the {@code custody verify-model} command, verified as its ORIGIN.md says, and refused
 * after a one-byte change to a signed file. (The generated fixtures, and the certificate ones with
 * other CAs, have their own command tests: Issue12ModelSigningOptionsTest,
 * Issue13ShardsCommandsTest, CertificateChainCommandsTest.)
 */
class ModelSigningFixturesCliTest {
  @TempDir Path tmp;

  static Stream<String> fixtures() throws IOException {
    Path root = Shared.require("fixtures/model-signing");
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("keys")).forEach(names::add);
    }
    names.sort(null);
    assertThat(names).hasSize(13);
    return names.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void verifyModel_modelSigningFixture_verifiesAsOriginSays(String name) {
    Path dir = Shared.require("fixtures/model-signing/" + name);
    Cli r = Cli.run(args(name, dir));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("verified ");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void verifyModel_modelSigningFixtureWithOneByteChanged_failsWithManifestMismatch(String name)
      throws IOException {
    Path dir = copy(Shared.require("fixtures/model-signing/" + name), tmp.resolve(name));
    Path signed = dir.resolve("signme-1");
    byte[] bytes = Files.readAllBytes(signed);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(signed, bytes);

    Cli r = Cli.run(args(name, dir));
    assertThat(r.exit()).as(r.err()).isEqualTo(Reason.MANIFEST_MISMATCH.exitCode());
    assertThat(r.err()).contains("signme-1");
  }

  /** The command ORIGIN.md gives for a fixture, in Custody's words. */
  private static String[] args(String name, Path dir) {
    Path keys = Shared.require("fixtures/model-signing/keys/certificate");
    List<String> a = new ArrayList<>(List.of("verify-model"));
    boolean singleFile = name.matches("v(0\\.3\\.1|1\\.0\\.0)-elliptic-key");
    a.add((singleFile ? dir.resolve("signme-1") : dir).toString());
    a.addAll(List.of("--signature", dir.resolve("model.sig").toString()));
    if (name.endsWith("-elliptic-key")) {
      a.addAll(List.of("--key", keys.resolve("signing-key-pub.pem").toString()));
    } else if (name.endsWith("-certificate")) {
      a.addAll(List.of("--certificate-chain", keys.resolve("ca-cert.pem").toString()));
    } else {
      a.addAll(
          List.of(
              "--identity",
              "stefanb@us.ibm.com",
              "--issuer",
              "https://sigstore.verify.ibm.com/oauth2",
              "--trusted-root",
              Shared.require("fixtures/trust/public-good-trusted_root.json").toString()));
    }
    if (Files.exists(dir.resolve("ignore-me"))) {
      a.addAll(List.of("--ignore", "ignore-me"));
    }
    return a.toArray(String[]::new);
  }

  private static Path copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      s.forEach(
          p -> {
            try {
              Files.copy(p, to.resolve(p.getFileName().toString()));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
    return to;
  }
}
