package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.core.Reason;
import dev.custody.core.Shared;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code custody sign-model --signing-cert/--cert-chain} and {@code custody verify-model
 * --certificate-chain}: model_signing's certificate fixtures, read in place from ../shared, and the
 * test PKI of pipeline-core's test resources (certs/generate.sh).
 */
class CertificateChainCommandsTest {
  private static final String KEYS = "fixtures/model-signing/keys/certificate/";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  Path model;

  @BeforeEach
  void model() throws IOException {
    model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("weights.bin"), "weights");
    Files.writeString(model.resolve("config.json"), "{}");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "v0.2.0-certificate",
        "v0.3.1-certificate",
        "v1.0.0-certificate",
        "v1.0.1-certificate",
        "v1.1.0-certificate"
      })
  void verifyModel_modelSigningCertificateFixture_verifiesWithRootCa(String folder) {
    Path fixture = Shared.require("fixtures/model-signing/" + folder);
    List<String> args = new ArrayList<>(List.of("verify-model", fixture.toString()));
    args.addAll(List.of("--certificate-chain", Shared.require(KEYS + "ca-cert.pem").toString()));
    if (folder.startsWith("v1.0.1") || folder.startsWith("v1.1")) {
      args.addAll(List.of("--ignore", "ignore-me"));
    }

    Cli r = Cli.run(args.toArray(String[]::new));

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .startsWith("verified " + folder + " sha256:")
        .contains("(2 files) signed by certificate CN=intermediate-ca (CA CN=root-ca)");
  }

  @Test
  void verifyModel_rootAndIntermediateGiven_verifies() {
    Path fixture = Shared.require("fixtures/model-signing/v1.0.0-certificate");
    Cli r =
        Cli.run(
            "verify-model",
            fixture.toString(),
            "--certificate-chain",
            Shared.require(KEYS + "ca-cert.pem").toString(),
            "--certificate-chain",
            Shared.require(KEYS + "int-ca-cert.pem").toString());
    assertThat(r.exit()).as(r.err()).isZero();
  }

  @Test
  void verifyModel_anotherCa_exitsCertificateInvalidWithJson() throws Exception {
    Path fixture = Shared.require("fixtures/model-signing/v1.0.0-certificate");
    Cli r =
        Cli.run(
            "verify-model",
            fixture.toString(),
            "--certificate-chain",
            testPki("other-ca.pem").toString(),
            "--json");

    assertThat(r.exit()).isEqualTo(Reason.CERTIFICATE_INVALID.exitCode());
    JsonNode doc = JSON.readTree(r.out());
    assertThat(doc.path("ok").asBoolean()).isFalse();
    assertThat(doc.path("reason").asText()).isEqualTo("CERTIFICATE_INVALID");
    assertThat(doc.path("message").asText())
        .contains("does not chain to a trusted CA [CN=custody-other-ca]");
  }

  @Test
  void verifyModel_oneByteChanged_exitsManifestMismatch() throws Exception {
    Path copy = copyOf("v1.0.0-certificate");
    byte[] b = Files.readAllBytes(copy.resolve("signme-1"));
    b[0] ^= 0x01;
    Files.write(copy.resolve("signme-1"), b);

    Cli r = verifyWithRootCa(copy);

    assertThat(r.exit()).isEqualTo(Reason.MANIFEST_MISMATCH.exitCode());
    assertThat(r.err()).contains("changed: signme-1");
  }

  @Test
  void verifyModel_certificateBundleWithAKey_saysToUseCertificateChain() {
    Path fixture = Shared.require("fixtures/model-signing/v1.0.0-certificate");
    Cli r =
        Cli.run(
            "verify-model",
            fixture.toString(),
            "--key",
            Shared.require(KEYS + "signing-key-pub.pem").toString());
    assertThat(r.exit()).isEqualTo(Reason.UNSUPPORTED.exitCode());
    assertThat(r.err())
        .contains("certificate chain and no transparency-log entry")
        .contains("--certificate-chain")
        .doesNotContain("keyless");
  }

  @Test
  void verifyModel_keyAndCertificateChainTogether_isAUsageError() {
    Cli r =
        Cli.run(
            "verify-model",
            model.toString(),
            "--key",
            Shared.require(KEYS + "signing-key-pub.pem").toString(),
            "--certificate-chain",
            Shared.require(KEYS + "ca-cert.pem").toString());
    assertThat(r.exit()).isEqualTo(Errors.USAGE);
  }

  @Test
  void signThenVerify_fixtureKeyCertificateAndIntermediate_roundTripsWithJson() throws Exception {
    Path sig = dir.resolve("model.sig");
    Cli s =
        Cli.run(
            "sign-model",
            model.toString(),
            "--key",
            ownerOnly(Shared.require(KEYS + "signing-key.pem")).toString(),
            "--signing-cert",
            Shared.require(KEYS + "signing-key-cert.pem").toString(),
            "--cert-chain",
            Shared.require(KEYS + "int-ca-cert.pem").toString(),
            "--signature",
            sig.toString(),
            "--json");
    assertThat(s.exit()).as(s.err()).isZero();
    JsonNode signed = JSON.readTree(s.out());
    assertThat(signed.path("certificate").asText()).isEqualTo("CN=intermediate-ca");
    assertThat(
            JSON.readTree(sig.toFile())
                .path("verificationMaterial")
                .path("x509CertificateChain")
                .path("certificates"))
        .hasSize(2);

    Cli v =
        Cli.run(
            "verify-model",
            model.toString(),
            "--signature",
            sig.toString(),
            "--certificate-chain",
            Shared.require(KEYS + "ca-cert.pem").toString(),
            "--json");

    assertThat(v.exit()).as(v.err()).isZero();
    JsonNode verified = JSON.readTree(v.out());
    assertThat(verified.path("ok").asBoolean()).isTrue();
    assertThat(verified.path("rootDigest").asText()).isEqualTo(signed.path("rootDigest").asText());
    assertThat(verified.path("signer").asText())
        .isEqualTo("certificate CN=intermediate-ca (CA CN=root-ca)");
  }

  @Test
  void signThenVerify_expiredLeaf_exitsCertificateInvalid() throws Exception {
    assertThat(signWithTestPki("expired").exit()).isZero();
    Cli v = verifyWithTestCa();
    assertThat(v.exit()).isEqualTo(Reason.CERTIFICATE_INVALID.exitCode());
    assertThat(v.err()).contains("expired on 2021-01-01T00:00:00Z");
  }

  @Test
  void signThenVerify_leafThatMayNotSign_exitsCertificateInvalid() throws Exception {
    assertThat(signWithTestPki("not-signing").exit()).isZero();
    Cli v = verifyWithTestCa();
    assertThat(v.exit()).isEqualTo(Reason.CERTIFICATE_INVALID.exitCode());
    assertThat(v.err()).contains("expected key usage digitalSignature or extended key usage");
  }

  @Test
  void signModel_certificateOfAnotherKey_exitsKeyInvalidAndWritesNothing() throws Exception {
    Path key = dir.resolve("other.key");
    assertThat(Cli.run("keygen", "-o", key.toString()).exit()).isZero();
    Cli s =
        Cli.run(
            "sign-model",
            model.toString(),
            "--key",
            key.toString(),
            "--signing-cert",
            Shared.require(KEYS + "signing-key-cert.pem").toString(),
            "--json");
    assertThat(s.exit()).isEqualTo(Reason.KEY_INVALID.exitCode());
    assertThat(JSON.readTree(s.out()).path("message").asText())
        .contains("expected the public key of the private key");
    assertThat(model.resolve("model.sig")).doesNotExist();
  }

  @Test
  void signModel_certChainWithoutSigningCert_isAUsageError() throws Exception {
    Path key = dir.resolve("k.key");
    assertThat(Cli.run("keygen", "-o", key.toString()).exit()).isZero();
    Cli s =
        Cli.run(
            "sign-model",
            model.toString(),
            "--key",
            key.toString(),
            "--cert-chain",
            Shared.require(KEYS + "int-ca-cert.pem").toString());
    assertThat(s.exit()).isEqualTo(Errors.USAGE);
    assertThat(s.err()).contains("--cert-chain: expected --signing-cert too");
    assertThat(model.resolve("model.sig")).doesNotExist();
  }

  private Cli signWithTestPki(String name) throws IOException {
    return Cli.run(
        "sign-model",
        model.toString(),
        "--key",
        testPki(name + "-key.pem").toString(),
        "--signing-cert",
        testPki(name + ".pem").toString());
  }

  private Cli verifyWithTestCa() throws IOException {
    return Cli.run(
        "verify-model", model.toString(), "--certificate-chain", testPki("test-ca.pem").toString());
  }

  private Cli verifyWithRootCa(Path m) {
    return Cli.run(
        "verify-model",
        m.toString(),
        "--certificate-chain",
        Shared.require(KEYS + "ca-cert.pem").toString());
  }

  /**
   * A file of pipeline-core's committed test PKI, copied out of the test classpath owner-only (its
   * private keys must be, to be loaded).
   */
  private Path testPki(String name) throws IOException {
    Path out = dir.resolve("pki").resolve(name);
    if (!Files.exists(out)) {
      Files.createDirectories(out.getParent());
      try (InputStream in = getClass().getResourceAsStream("/certs/" + name)) {
        assertThat(in).as("test resource certs/" + name).isNotNull();
        Files.copy(in, out);
      }
      Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-------"));
    }
    return out;
  }

  private Path ownerOnly(Path file) throws IOException {
    Path copy = dir.resolve(file.getFileName());
    Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-------"));
    return copy;
  }

  private Path copyOf(String folder) throws IOException {
    Path src = Shared.require("fixtures/model-signing/" + folder);
    Path dst = Files.createDirectories(dir.resolve(folder));
    try (Stream<Path> files = Files.list(src)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, dst.resolve(f.getFileName()));
        dst.resolve(f.getFileName()).toFile().setWritable(true);
      }
    }
    return dst;
  }
}
