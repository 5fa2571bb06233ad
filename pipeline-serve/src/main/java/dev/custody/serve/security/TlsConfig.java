package dev.custody.serve.security;

import dev.custody.core.InputFiles;
import dev.custody.core.PipelineException;
import dev.custody.core.Printable;
import dev.custody.core.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The model server's TLS: its key and certificate from a PKCS#12 keystore, TLS 1.3 and 1.2 with
 * AEAD cipher suites only (AES-GCM, ChaCha20-Poly1305; forward secret key exchange), and optional
 * client certificates (mTLS) checked against a CA file.
 *
 * <p>The keystore password comes from an environment variable or from the first line of a file that
 * only its owner may read (mode 0600 or 0400; on Kubernetes, mount the secret with {@code
 * defaultMode: 0400}); never from the command line. It is used to open the keystore, then wiped.
 * The keystore must hold exactly one private key entry, whose certificate is valid now; the key
 * entry's password is the keystore's (as {@code keytool} and {@code openssl pkcs12} make them).
 *
 * <p>The client CA file is PEM (one or more {@code CERTIFICATE} blocks) or a PKCS#12 store of
 * trusted certificates opened with the keystore's password.
 *
 * <p>Every failure is a {@link PipelineException} with {@link Reason#TLS_INVALID} saying what was
 * expected and what was found, and never the password. {@link #sslContext()} applies the protocol
 * and cipher-suite choice to every engine it creates, so the server cannot fall back to weaker
 * defaults; the HTTP listener still sets the client-auth mode ({@link #clientAuth()}) itself.
 */
public final class TlsConfig {
  /** Whether the server asks clients for a certificate. */
  public enum ClientAuth {
    /** Not asked. */
    NONE,
    /** Asked; a client without one is still served (and is not authenticated by it). */
    WANT,
    /** Required: a client without a certificate signed by the CA is refused in the handshake. */
    NEED
  }

  /** The protocols offered, best first. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /**
   * The cipher suites offered, best first: TLS 1.3's AEAD suites, then TLS 1.2's ECDHE suites with
   * AEAD ciphers; those the JDK lacks are left out.
   */
  private static final List<String> AEAD_SUITES =
      List.of(
          "TLS_AES_256_GCM_SHA384",
          "TLS_AES_128_GCM_SHA256",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  /** Largest keystore or CA file read. */
  private static final int MAX_STORE_BYTES = 1 << 20;

  /** Largest password file read. */
  private static final int MAX_PASSWORD_BYTES = 4096;

  private static final Set<PosixFilePermission> NOT_OWNER =
      Set.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private final SSLContext context;
  private final ClientAuth clientAuth;
  private final List<String> cipherSuites;
  private final X509Certificate certificate;

  private TlsConfig(
      SSLContext context,
      ClientAuth clientAuth,
      List<String> cipherSuites,
      X509Certificate certificate) {
    this.context = context;
    this.clientAuth = clientAuth;
    this.cipherSuites = cipherSuites;
    this.certificate = certificate;
  }

  /** A configuration from the PKCS#12 keystore at {@code keystore}. */
  public static Builder builder(Path keystore) {
    return new Builder(keystore);
  }

  /**
   * The server's context. Every engine it creates offers only {@link #PROTOCOLS} and {@link
   * #cipherSuites()}, and asks for client certificates as {@link #clientAuth()} says; it makes no
   * socket factories (the server uses engines).
   */
  public SSLContext sslContext() {
    return context;
  }

  /** Whether clients are asked for a certificate. */
  public ClientAuth clientAuth() {
    return clientAuth;
  }

  /** The protocols offered, best first. */
  public List<String> protocols() {
    return PROTOCOLS;
  }

  /** The cipher suites offered, best first. */
  public List<String> cipherSuites() {
    return cipherSuites;
  }

  /** The server's certificate (the first of its chain). */
  public X509Certificate certificate() {
    return certificate;
  }

  @Override
  public String toString() {
    return "TlsConfig["
        + certificate.getSubjectX500Principal()
        + ", client auth "
        + clientAuth
        + "]";
  }

  /** Builds a {@link TlsConfig}; give exactly one password source. */
  public static final class Builder {
    private final Path keystore;
    private String passwordEnv;
    private Path passwordFile;
    private ClientAuth clientAuth = ClientAuth.NONE;
    private Path clientCa;
    private Function<String, String> environment = System::getenv;
    private Clock clock = Clock.systemUTC();

    private Builder(Path keystore) {
      this.keystore = Objects.requireNonNull(keystore, "keystore");
    }

    /** Reads the keystore password from the environment variable {@code name}. */
    public Builder passwordEnv(String name) {
      this.passwordEnv = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Reads the keystore password from the first line of {@code file}, which only its owner may
     * read.
     */
    public Builder passwordFile(Path file) {
      this.passwordFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /** Whether to ask clients for a certificate (default {@link ClientAuth#NONE}). */
    public Builder clientAuth(ClientAuth mode) {
      this.clientAuth = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** The CAs that client certificates must chain to (PEM, or PKCS#12 trusted certificates). */
    public Builder clientCa(Path file) {
      this.clientCa = Objects.requireNonNull(file, "file");
      return this;
    }

    /** Where {@link #passwordEnv} looks names up (default {@link System#getenv(String)}). */
    public Builder environment(Map<String, String> env) {
      Map<String, String> copy = Map.copyOf(env);
      this.environment = copy::get;
      return this;
    }

    /** The clock the certificate's validity is checked against (default: the system's). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Opens the keystore and the client CA file and builds the context.
     *
     * @throws IllegalStateException if not exactly one password source was given, or client
     *     certificates are asked for without a CA file (or a CA file is given without asking)
     * @throws PipelineException {@link Reason#TLS_INVALID} if a file is missing or unusable, the
     *     password is unset, empty or wrong, the password file is readable by others, the keystore
     *     has not exactly one key entry, or its certificate is not valid now
     * @throws IOException if a file cannot be read
     */
    public TlsConfig build() throws IOException, PipelineException {
      if ((passwordEnv == null) == (passwordFile == null)) {
        throw new IllegalStateException(
            "give the keystore password from an environment variable or a file (exactly one)");
      }
      if ((clientAuth == ClientAuth.NONE) != (clientCa == null)) {
        throw new IllegalStateException(
            clientCa == null
                ? "client auth " + clientAuth + " needs a client CA file to check certificates"
                : "a client CA file was given but client auth is NONE; ask with WANT or NEED");
      }
      char[] password = passwordEnv != null ? fromEnvironment() : fromFile();
      try {
        return build(password);
      } finally {
        Arrays.fill(password, '\0');
      }
    }

    private TlsConfig build(char[] password) throws IOException, PipelineException {
      KeyStore store = openPkcs12(keystore, "a PKCS#12 keystore", password);
      String alias = onlyKeyAlias(store);
      try {
        Key key = store.getKey(alias, password);
        Certificate[] chain = store.getCertificateChain(alias);
        if (!(key instanceof PrivateKey) || chain == null || chain.length == 0) {
          throw invalid(
              keystore, "a private key entry with its certificate chain", "another entry");
        }
        X509Certificate leaf = (X509Certificate) chain[0];
        checkValidity(leaf);
        KeyStore only = KeyStore.getInstance("PKCS12");
        only.load(null, null);
        only.setKeyEntry(alias, key, password, chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(only, password);
        TrustManager[] trust = clientCa == null ? null : trustManagers(password);
        SSLContext inner = SSLContext.getInstance("TLS");
        inner.init(kmf.getKeyManagers(), trust, new SecureRandom());
        List<String> suites = supportedSuites(inner);
        SSLContext outer = new ConfiguredContext(inner, suites, clientAuth);
        return new TlsConfig(outer, clientAuth, suites, leaf);
      } catch (UnrecoverableKeyException e) {
        throw invalid(
            keystore,
            "a key entry that opens with the keystore password",
            "one with another password");
      } catch (GeneralSecurityException e) {
        throw invalid(keystore, "a usable TLS key and certificate", e.getClass().getSimpleName());
      }
    }

    private String onlyKeyAlias(KeyStore store) throws PipelineException {
      List<String> keys = new ArrayList<>();
      try {
        for (String a : Collections.list(store.aliases())) {
          if (store.isKeyEntry(a)) {
            keys.add(a);
          }
        }
      } catch (GeneralSecurityException e) {
        throw invalid(keystore, "a readable keystore", e.getClass().getSimpleName());
      }
      if (keys.size() != 1) {
        throw invalid(
            keystore,
            "exactly one private key entry",
            keys.isEmpty()
                ? "none (only trusted certificates?)"
                : keys.size() + " (" + Printable.of(String.join(", ", keys), 200) + ")");
      }
      return keys.get(0);
    }

    private void checkValidity(X509Certificate cert) throws PipelineException {
      Date now = Date.from(clock.instant());
      try {
        cert.checkValidity(now);
      } catch (CertificateExpiredException | CertificateNotYetValidException e) {
        throw invalid(
            keystore,
            "a certificate valid now (" + clock.instant() + ")",
            "one valid from "
                + cert.getNotBefore().toInstant()
                + " to "
                + cert.getNotAfter().toInstant()
                + " ("
                + Printable.of(cert.getSubjectX500Principal().getName(), 200)
                + ")");
      }
    }

    private TrustManager[] trustManagers(char[] password) throws IOException, PipelineException {
      byte[] bytes = read(clientCa, "a client CA file (PEM or PKCS#12)");
      KeyStore trusted;
      try {
        trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        int n = 0;
        for (Certificate c : caCertificates(bytes, password)) {
          trusted.setCertificateEntry("ca-" + n++, c);
        }
        if (n == 0) {
          throw invalid(clientCa, "at least one CA certificate", "none");
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trusted);
        return tmf.getTrustManagers();
      } catch (GeneralSecurityException e) {
        throw invalid(clientCa, "usable CA certificates", e.getClass().getSimpleName());
      }
    }

    private Collection<? extends Certificate> caCertificates(byte[] bytes, char[] password)
        throws IOException, PipelineException, GeneralSecurityException {
      if (new String(bytes, StandardCharsets.ISO_8859_1).strip().startsWith("-----BEGIN")) {
        try {
          return CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(bytes));
        } catch (CertificateException e) {
          throw invalid(clientCa, "PEM CERTIFICATE blocks", "text that is not");
        }
      }
      KeyStore store = openPkcs12(clientCa, "a client CA file (PEM or PKCS#12)", password);
      List<Certificate> certs = new ArrayList<>();
      for (String a : Collections.list(store.aliases())) {
        if (store.isCertificateEntry(a)) {
          certs.add(store.getCertificate(a));
        }
      }
      return certs;
    }

    private KeyStore openPkcs12(Path file, String what, char[] password)
        throws IOException, PipelineException {
      byte[] bytes = read(file, what);
      try {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(new ByteArrayInputStream(bytes), password);
        return store;
      } catch (IOException e) {
        // The cause is dropped: it says nothing the message does not, and nothing of the password.
        throw invalid(
            file,
            what + " that opens with the given password",
            e.getCause() instanceof UnrecoverableKeyException
                ? "the password is wrong"
                : "a file that is not PKCS#12 (or is damaged)");
      } catch (GeneralSecurityException e) {
        throw invalid(file, what, e.getClass().getSimpleName());
      }
    }

    private static byte[] read(Path file, String what) throws IOException, PipelineException {
      try {
        return InputFiles.read(
            file, what, MAX_STORE_BYTES, Reason.TLS_INVALID, InputFiles.Links.FOLLOW);
      } catch (NoSuchFileException e) {
        throw invalid(file, what, "no such file");
      }
    }

    private char[] fromEnvironment() throws PipelineException {
      String v = environment.apply(passwordEnv);
      if (v == null || v.isEmpty()) {
        throw new PipelineException(
            Reason.TLS_INVALID,
            "environment variable "
                + Printable.of(passwordEnv, 100)
                + ": expected the keystore password, found it "
                + (v == null ? "unset" : "empty"));
      }
      return v.toCharArray();
    }

    private char[] fromFile() throws IOException, PipelineException {
      byte[] bytes;
      try {
        InputFiles.requireRegular(
            passwordFile, "a password file", Reason.TLS_INVALID, InputFiles.Links.FOLLOW);
        refuseReadableByOthers(passwordFile);
        bytes =
            InputFiles.read(
                passwordFile,
                "a password file",
                MAX_PASSWORD_BYTES,
                Reason.TLS_INVALID,
                InputFiles.Links.FOLLOW);
      } catch (NoSuchFileException e) {
        throw invalid(passwordFile, "a password file", "no such file");
      }
      try {
        int end = 0;
        while (end < bytes.length && bytes[end] != '\n' && bytes[end] != '\r') {
          end++;
        }
        if (end == 0) {
          throw invalid(passwordFile, "the keystore password on its first line", "an empty line");
        }
        CharBuffer chars =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, 0, end));
        char[] password = new char[chars.remaining()];
        chars.get(password);
        Arrays.fill(chars.array(), '\0');
        return password;
      } catch (CharacterCodingException e) {
        throw invalid(passwordFile, "a UTF-8 password", "bytes that are not UTF-8");
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
    }

    private static void refuseReadableByOthers(Path file) throws IOException, PipelineException {
      Optional<Set<PosixFilePermission>> open =
          InputFiles.grantedAnyOf(file, NOT_OWNER, InputFiles.Links.FOLLOW);
      if (open.isPresent()) {
        throw invalid(
            file,
            "a password file only its owner may read (chmod 600)",
            "permissions " + PosixFilePermissions.toString(open.get()));
      }
    }

    private static PipelineException invalid(Path file, String expected, String found) {
      return new PipelineException(
          Reason.TLS_INVALID,
          InputFiles.shown(file) + ": expected " + expected + ", found " + found);
    }

    private static List<String> supportedSuites(SSLContext context) {
      List<String> supported = Arrays.asList(context.getSupportedSSLParameters().getCipherSuites());
      List<String> suites = new ArrayList<>();
      for (String s : AEAD_SUITES) {
        if (supported.contains(s)) {
          suites.add(s);
        }
      }
      return List.copyOf(suites);
    }
  }

  /** A context whose engines offer only the chosen protocols and suites. */
  private static final class ConfiguredContext extends SSLContext {
    ConfiguredContext(SSLContext inner, List<String> suites, ClientAuth clientAuth) {
      super(new Spi(inner, suites, clientAuth), inner.getProvider(), inner.getProtocol());
    }
  }

  private static final class Spi extends SSLContextSpi {
    private final SSLContext inner;
    private final String[] suites;
    private final ClientAuth clientAuth;

    Spi(SSLContext inner, List<String> suites, ClientAuth clientAuth) {
      this.inner = inner;
      this.suites = suites.toArray(new String[0]);
      this.clientAuth = clientAuth;
    }

    private SSLEngine configure(SSLEngine engine) {
      engine.setEnabledProtocols(PROTOCOLS.toArray(new String[0]));
      engine.setEnabledCipherSuites(suites.clone());
      var params = engine.getSSLParameters();
      params.setUseCipherSuitesOrder(true);
      engine.setSSLParameters(params);
      if (clientAuth == ClientAuth.NEED) {
        engine.setNeedClientAuth(true);
      } else if (clientAuth == ClientAuth.WANT) {
        engine.setWantClientAuth(true);
      }
      return engine;
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
      throw new UnsupportedOperationException("already initialised by TlsConfig");
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      return configure(inner.createSSLEngine());
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      return configure(inner.createSSLEngine(host, port));
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return inner.getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return inner.getClientSessionContext();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return engineCreateSSLEngine().getSSLParameters();
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return inner.getSupportedSSLParameters();
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw new UnsupportedOperationException("TlsConfig's context makes engines only");
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw new UnsupportedOperationException("TlsConfig's context makes engines only");
    }
  }
}
