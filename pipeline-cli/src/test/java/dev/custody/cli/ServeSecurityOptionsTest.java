package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Reason;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code custody serve}'s token, rate-limit and TLS options, on the golden chains of
 * pipeline-verify's test-jar, with a keystore made by the JDK's own {@code keytool}.
 */
@Timeout(120)
class ServeSecurityOptionsTest {
  private static final String PASSWORD = "cli-test-keystore-password";
  private static final Pattern READY =
      Pattern.compile(
          "serving credit-rf v2 \\(sha256:[0-9a-f]{64}\\) on (https://127\\.0\\.0\\.1:\\d+)\\n");

  @TempDir static Path work;
  static Path chains;
  static Path policy;
  static Path keystore;
  static Path passwordFile;

  @BeforeAll
  static void setUp() throws Exception {
    chains = GoldenChains.copyTo(work.resolve("chains"));
    policy = GoldenChains.policyWithoutDependencies(chains);
    keystore = work.resolve("server.p12");
    Process keytool =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair",
                    "-alias",
                    "server",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-dname",
                    "CN=127.0.0.1",
                    "-ext",
                    "san=ip:127.0.0.1",
                    "-validity",
                    "2",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    keystore.toString(),
                    "-storepass",
                    PASSWORD))
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(output).isZero();
    passwordFile = work.resolve("p12-password");
    Files.writeString(passwordFile, PASSWORD + "\n");
    Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
  }

  /** A client trusting the server's self-signed certificate. */
  private static SSLContext trustingTheServer() throws Exception {
    KeyStore server = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      server.load(in, PASSWORD.toCharArray());
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("server", server.getCertificate("server"));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  @Test
  void serve_tokensRateAndTls_servesHttpsToTokenHoldersWithinTheLimit() throws Exception {
    Path tokens = work.resolve("tokens.yaml");
    String token =
        Cli.run("token", "new", "--id", "ci", "--tokens", tokens.toString()).out().strip();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    AtomicInteger exit = new AtomicInteger(-1);
    var cl = CustodyCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    Thread serve =
        new Thread(
            () ->
                exit.set(
                    cl.execute(
                        "serve",
                        chains.resolve("a").toString(),
                        "--policy",
                        policy.toString(),
                        "--port",
                        "0",
                        "--tokens",
                        tokens.toString(),
                        "--rate",
                        "0.001",
                        "--burst",
                        "2",
                        "--tls-keystore",
                        keystore.toString(),
                        "--tls-password-file",
                        passwordFile.toString())),
            "custody-serve-tls-test");
    serve.start();
    try {
      String url = awaitReady(out, err, serve);
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .sslContext(trustingTheServer())
              .connectTimeout(Duration.ofSeconds(10))
              .build();
      HttpRequest.Builder metadata =
          HttpRequest.newBuilder(URI.create(url + "/v2/models/credit-rf"))
              .timeout(Duration.ofSeconds(30));

      assertThat(send(client, metadata.copy()).statusCode()).isEqualTo(401);
      metadata.header("Authorization", "Bearer " + token);
      assertThat(send(client, metadata.copy()).statusCode()).isEqualTo(200);
      assertThat(send(client, metadata.copy()).statusCode()).isEqualTo(200);
      HttpResponse<String> limited = send(client, metadata.copy());
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    } finally {
      serve.interrupt();
      serve.join(30_000);
    }
    assertThat(exit.get()).as(err.toString()).isZero();
    assertThat(out.toString() + err).doesNotContain(PASSWORD).doesNotContain(token);
  }

  private static HttpResponse<String> send(HttpClient client, HttpRequest.Builder r)
      throws Exception {
    return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String awaitReady(StringWriter out, StringWriter err, Thread serve)
      throws InterruptedException {
    for (int i = 0; i < 6_000 && serve.isAlive(); i++) {
      Matcher m = READY.matcher(out.toString());
      if (m.find()) {
        return m.group(1);
      }
      Thread.sleep(10);
    }
    throw new AssertionError("not ready; out: " + out + " err: " + err);
  }

  @Test
  void serve_passwordFileReadableByOthers_exitsTlsInvalidWithoutThePassword() throws Exception {
    Path open = work.resolve("open-password");
    Files.writeString(open, PASSWORD);
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));

    Cli r =
        Cli.run(
            "serve",
            chains.resolve("a").toString(),
            "--policy",
            policy.toString(),
            "--port",
            "0",
            "--tls-keystore",
            keystore.toString(),
            "--tls-password-file",
            open.toString());

    assertThat(r.exit()).isEqualTo(Reason.TLS_INVALID.exitCode()).isEqualTo(74);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err())
        .startsWith("custody serve: TLS_INVALID: ")
        .contains("only its owner may read")
        .doesNotContain(PASSWORD);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void serve_tokenFileWritableByOthers_exitsTokensInvalid() throws Exception {
    Path tokens = work.resolve("open-tokens.yaml");
    Cli.run("token", "new", "--id", "ci", "--tokens", tokens.toString());
    Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-rw-rw-"));

    Cli r =
        Cli.run(
            "serve",
            chains.resolve("a").toString(),
            "--policy",
            policy.toString(),
            "--port",
            "0",
            "--tokens",
            tokens.toString(),
            "--json");

    assertThat(r.exit()).isEqualTo(Reason.TOKENS_INVALID.exitCode()).isEqualTo(73);
    assertThat(r.out()).contains("\"reason\" : \"TOKENS_INVALID\"");
  }

  @Test
  void serve_optionsThatDoNotGoTogether_exitWithUsage() {
    String a = chains.resolve("a").toString();
    String p = policy.toString();

    assertThat(Cli.run("serve", a, "--policy", p, "--rate", "5").err())
        .contains("give --rate and --burst together");
    assertThat(Cli.run("serve", a, "--policy", p, "--tls-password-env", "X").exit()).isEqualTo(2);
    assertThat(Cli.run("serve", a, "--policy", p, "--open-metrics").exit()).isEqualTo(2);
    Cli need =
        Cli.run(
            "serve",
            a,
            "--policy",
            p,
            "--tls-keystore",
            keystore.toString(),
            "--tls-password-file",
            passwordFile.toString(),
            "--tls-client-auth",
            "need");
    assertThat(need.exit()).isEqualTo(2);
    assertThat(need.err()).contains("--tls-client-auth need needs --tls-client-ca");
  }
}
