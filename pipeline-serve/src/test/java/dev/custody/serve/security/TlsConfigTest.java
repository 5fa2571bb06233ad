package dev.custody.serve.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.serve.security.TlsConfig.ClientAuth;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsConfigTest {
  private static final Map<String, String> ENV = Map.of("KS_PASSWORD", TestPki.PASSWORD);

  @TempDir static Path shared;
  @TempDir Path dir;

  private static TestPki pki;
  private static Path keystore;
  private static Path caPem;

  @BeforeAll
  static void pki() throws Exception {
    pki = TestPki.create();
    keystore = pki.serverKeystore(shared.resolve("server.p12"));
    caPem = pki.caPem(shared.resolve("ca.pem"));
  }

  private static TlsConfig.Builder fromEnv() {
    return TlsConfig.builder(keystore).passwordEnv("KS_PASSWORD").environment(ENV);
  }

  private Path passwordFile(String content, String mode) throws IOException {
    Path f = dir.resolve("password");
    Files.writeString(f, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  @Test
  void build_passwordFromEnvironment_offersTls13And12WithAeadSuitesOnly() throws Exception {
    TlsConfig tls = fromEnv().build();

    SSLEngine engine = tls.sslContext().createSSLEngine();
    assertThat(engine.getEnabledProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(engine.getEnabledCipherSuites())
        .isNotEmpty()
        .allMatch(s -> s.contains("_GCM_") || s.contains("CHACHA20_POLY1305"))
        .allMatch(
            s -> s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20") || s.contains("ECDHE"));
    assertThat(engine.getNeedClientAuth()).isFalse();
    assertThat(tls.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=127.0.0.1");
    assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    assertThat(tls.toString())
        .isEqualTo("TlsConfig[CN=127.0.0.1, client auth NONE]")
        .doesNotContain(TestPki.PASSWORD);
  }

  @Test
  void build_ownerOnlyPasswordFile_buildsAndIgnoresTheNewline() throws Exception {
    Path f = passwordFile(TestPki.PASSWORD + "\n", "rw-------");

    TlsConfig tls = TlsConfig.builder(keystore).passwordFile(f).build();

    assertThat(tls.clientAuth()).isEqualTo(ClientAuth.NONE);
  }

  @Test
  void build_passwordFileWithoutNewline_builds() throws Exception {
    Path f = passwordFile(TestPki.PASSWORD, "r--------");

    TlsConfig tls = TlsConfig.builder(keystore).passwordFile(f).build();

    SSLContext ctx = tls.sslContext();
    assertThat(ctx.getServerSessionContext()).isNotNull();
    assertThat(ctx.getClientSessionContext()).isNotNull();
    assertThat(ctx.getSupportedSSLParameters().getProtocols()).contains("TLSv1.3");
    assertThat(ctx.getDefaultSSLParameters().getProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
  }

  @Test
  void build_passwordFileReadableByOthers_throwsTlsInvalidWithoutThePassword() throws Exception {
    Path f = passwordFile(TestPki.PASSWORD, "rw-r--r--");

    assertThatThrownBy(() -> TlsConfig.builder(keystore).passwordFile(f).build())
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("only its owner may read (chmod 600)")
        .hasMessageContaining("rw-r--r--")
        .hasMessageNotContaining(TestPki.PASSWORD)
        .extracting(e -> ((PipelineException) e).reason())
        .isEqualTo(Reason.TLS_INVALID);
  }

  @Test
  void build_wrongPassword_throwsTlsInvalidWithoutThePassword() {
    var b =
        TlsConfig.builder(keystore)
            .passwordEnv("KS_PASSWORD")
            .environment(Map.of("KS_PASSWORD", "not-the-password"));

    assertThatThrownBy(b::build)
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("server.p12: expected a PKCS#12 keystore that opens with the given")
        .hasMessageContaining("the password is wrong")
        .hasMessageNotContaining("not-the-password")
        .extracting(e -> ((PipelineException) e).reason())
        .isEqualTo(Reason.TLS_INVALID);
  }

  @Test
  void build_unsetEnvironmentVariable_throwsTlsInvalidNamingIt() {
    var b = TlsConfig.builder(keystore).passwordEnv("NO_SUCH_VAR").environment(Map.of());

    assertThatThrownBy(b::build)
        .isInstanceOf(PipelineException.class)
        .hasMessage(
            "environment variable NO_SUCH_VAR: expected the keystore password, found it unset");
  }

  @Test
  void build_missingKeystore_throwsTlsInvalid() {
    var b =
        TlsConfig.builder(dir.resolve("absent.p12")).passwordEnv("KS_PASSWORD").environment(ENV);

    assertThatThrownBy(b::build)
        .isInstanceOf(PipelineException.class)
        .hasMessageEndingWith("absent.p12: expected a PKCS#12 keystore, found no such file")
        .extracting(e -> ((PipelineException) e).reason())
        .isEqualTo(Reason.TLS_INVALID);
  }

  @Test
  void build_notPkcs12_throwsTlsInvalid() throws IOException {
    Path bogus = Files.writeString(dir.resolve("bogus.p12"), "not a keystore");
    var b = TlsConfig.builder(bogus).passwordEnv("KS_PASSWORD").environment(ENV);

    assertThatThrownBy(b::build)
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("a file that is not PKCS#12 (or is damaged)");
  }

  @Test
  void build_keystoreWithoutKeyEntry_throwsTlsInvalid() throws Exception {
    Path trustOnly = dir.resolve("trust.p12");
    var ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("ca", pki.ca);
    try (var out = Files.newOutputStream(trustOnly)) {
      ks.store(out, TestPki.PASSWORD.toCharArray());
    }
    var b = TlsConfig.builder(trustOnly).passwordEnv("KS_PASSWORD").environment(ENV);

    assertThatThrownBy(b::build)
        .isInstanceOf(PipelineException.class)
        .hasMessageEndingWith(
            "expected exactly one private key entry, found none (only trusted certificates?)");
  }

  @Test
  void build_keystoreWithTwoKeyEntries_throwsTlsInvalidNamingThem() throws Exception {
    Certificate[] chain = {pki.server, pki.ca};
    Path two =
        TestPki.keystore(
            dir.resolve("two.p12"),
            TestPki.PASSWORD,
            "first",
            pki.serverKey,
            chain,
            "second",
            pki.serverKey,
            chain);
    var b = TlsConfig.builder(two).passwordEnv("KS_PASSWORD").environment(ENV);

    assertThatThrownBy(b::build)
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("expected exactly one private key entry, found 2 (")
        .hasMessageContaining("first")
        .hasMessageContaining("second");
  }

  @Test
  void build_certificateExpired_throwsTlsInvalidWithItsValidity() {
    Instant later = Instant.now().plus(Duration.ofDays(30));
    var b = fromEnv().clock(Clock.fixed(later, ZoneOffset.UTC));

    assertThatThrownBy(b::build)
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("expected a certificate valid now (" + later + ")")
        .hasMessageContaining("CN=127.0.0.1");
  }

  @Test
  void build_bothOrNoPasswordSources_throwsIllegalState() {
    assertThatThrownBy(() -> TlsConfig.builder(keystore).build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> fromEnv().passwordFile(dir.resolve("p")).build())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void build_needWithoutClientCa_throwsIllegalState() {
    assertThatThrownBy(() -> fromEnv().clientAuth(ClientAuth.NEED).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs a client CA file");
  }

  @Test
  void build_clientCaNotCertificates_throwsTlsInvalid() throws IOException {
    Path bad = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nxx\n");
    var b = fromEnv().clientAuth(ClientAuth.NEED).clientCa(bad);

    assertThatThrownBy(b::build)
        .isInstanceOf(PipelineException.class)
        .hasMessageEndingWith("expected PEM CERTIFICATE blocks, found text that is not");
  }

  @Test
  void build_clientCaAsPkcs12_asksForClientCertificates() throws Exception {
    Path p12 = dir.resolve("ca.p12");
    var ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("ca", pki.ca);
    try (var out = Files.newOutputStream(p12)) {
      ks.store(out, TestPki.PASSWORD.toCharArray());
    }

    TlsConfig tls = fromEnv().clientAuth(ClientAuth.WANT).clientCa(p12).build();

    assertThat(tls.sslContext().createSSLEngine().getWantClientAuth()).isTrue();
  }

  @Test
  void sslContext_realHandshake_clientTrustingTheCaGetsAnswer() throws Exception {
    try (Server s = new Server(fromEnv().build())) {
      HttpResponse<String> r = get(s, pki.clientContext(false), null);

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("ok");
      assertThat(r.sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.3");
    }
  }

  @Test
  void sslContext_clientPreferringAes128_getsTheServersFirstChoice() throws Exception {
    try (Server s = new Server(fromEnv().build())) {
      SSLParameters p = new SSLParameters();
      p.setProtocols(new String[] {"TLSv1.3"});
      p.setCipherSuites(new String[] {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"});

      HttpResponse<String> r = get(s, pki.clientContext(false), p);

      assertThat(r.sslSession().orElseThrow().getCipherSuite()).isEqualTo("TLS_AES_256_GCM_SHA384");
    }
  }

  @Test
  void build_passwordFileIsADirectory_saysSo() throws Exception {
    Path d = Files.createDirectory(dir.resolve("password.d"));
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));

    assertThatThrownBy(() -> TlsConfig.builder(keystore).passwordFile(d).build())
        .isInstanceOf(PipelineException.class)
        .hasMessageEndingWith("expected a password file (a regular file), found a directory");
  }

  @Test
  void sslContext_clientOfferingOnlyTls11_isRefused() throws Exception {
    try (Server s = new Server(fromEnv().build())) {
      SSLParameters old = new SSLParameters();
      old.setProtocols(new String[] {"TLSv1.1"});

      assertThatThrownBy(() -> get(s, pki.clientContext(false), old))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void sslContext_clientOfferingOnlyCbcSuites_isRefused() throws Exception {
    try (Server s = new Server(fromEnv().build())) {
      SSLParameters cbc = new SSLParameters();
      cbc.setProtocols(new String[] {"TLSv1.2"});
      cbc.setCipherSuites(
          new String[] {
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"
          });

      assertThatThrownBy(() -> get(s, pki.clientContext(false), cbc))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void sslContext_needClientAuth_refusesClientWithoutCertificateAndAcceptsOneSignedByCa()
      throws Exception {
    TlsConfig tls = fromEnv().clientAuth(ClientAuth.NEED).clientCa(caPem).build();
    try (Server s = new Server(tls)) {
      assertThatThrownBy(() -> get(s, pki.clientContext(false), null))
          .isInstanceOf(IOException.class);

      HttpResponse<String> r = get(s, pki.clientContext(true), null);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.sslSession().orElseThrow().getLocalCertificates()).hasSize(2);
    }
  }

  @Test
  void sslContext_needClientAuth_refusesCertificateFromAnotherCa() throws Exception {
    TlsConfig tls = fromEnv().clientAuth(ClientAuth.NEED).clientCa(caPem).build();
    TestPki other = TestPki.create();
    try (Server s = new Server(tls)) {
      // Trusts our server's CA but presents a client certificate from another CA.
      SSLContext mixed = mixedClient(other);

      assertThatThrownBy(() -> get(s, mixed, null)).isInstanceOf(IOException.class);
    }
  }

  private static SSLContext mixedClient(TestPki other) throws GeneralSecurityException {
    var trust = java.security.KeyStore.getInstance("PKCS12");
    try {
      trust.load(null, null);
      trust.setCertificateEntry("ca", pki.ca);
      var keys = java.security.KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "client",
          other.clientKey.getPrivate(),
          TestPki.PASSWORD.toCharArray(),
          new Certificate[] {other.client, other.ca});
      var tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
      tmf.init(trust);
      var kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
      kmf.init(keys, TestPki.PASSWORD.toCharArray());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static HttpResponse<String> get(Server s, SSLContext client, SSLParameters params)
      throws IOException, InterruptedException {
    HttpClient.Builder b = HttpClient.newBuilder().sslContext(client);
    if (params != null) {
      b.sslParameters(params);
    }
    HttpClient http = b.connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + s.port() + "/"))
            .timeout(Duration.ofSeconds(10))
            .build();
    return http.send(req, HttpResponse.BodyHandlers.ofString());
  }

  /** The JDK's HTTPS server on a loopback port, configured only from a TlsConfig's context. */
  private static final class Server implements AutoCloseable {
    private final HttpsServer server;

    Server(TlsConfig tls) throws IOException {
      server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(tls.sslContext()));
      server.createContext(
          "/",
          ex -> {
            byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
          });
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  @Test
  void cipherSuites_listed_matchTheEngines() throws Exception {
    TlsConfig tls = fromEnv().build();

    assertThat(Arrays.asList(tls.sslContext().createSSLEngine().getEnabledCipherSuites()))
        .isEqualTo(tls.cipherSuites());
  }
}
