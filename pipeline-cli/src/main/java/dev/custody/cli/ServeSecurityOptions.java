package dev.custody.cli;

import dev.custody.core.PipelineException;
import dev.custody.serve.ModelServer;
import dev.custody.serve.security.TlsConfig;
import dev.custody.serve.security.TokenFile;
import dev.custody.serve.security.Tokens;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code custody serve}'s access options: bearer tokens, rate limit and TLS. Each file is read and
 * checked when the server is built, before anything is verified or bound.
 */
final class ServeSecurityOptions {
  @Option(
      names = "--tokens",
      paramLabel = "FILE",
      description =
          "Require bearer tokens: the token file (custody token new) with each client's SHA-256"
              + " and role. Health stays open.")
  Path tokens;

  @Option(names = "--open-metrics", description = "With --tokens, serve /metrics without a token.")
  boolean openMetrics;

  @Option(
      names = "--rate",
      paramLabel = "R",
      description = "Rate limit, requests per second per client (per address without --tokens).")
  Double rate;

  @Option(names = "--burst", paramLabel = "B", description = "Largest burst (with --rate).")
  Integer burst;

  @Option(
      names = "--tls-keystore",
      paramLabel = "P12",
      description = "Serve HTTPS (TLS 1.3/1.2, AEAD suites) with the one key of this PKCS#12 file.")
  Path keystore;

  @Option(
      names = "--tls-password-env",
      paramLabel = "NAME",
      description = "Read the keystore password from this environment variable.")
  String passwordEnv;

  @Option(
      names = "--tls-password-file",
      paramLabel = "FILE",
      description = "Read the keystore password from the first line of this owner-only file.")
  Path passwordFile;

  @Option(
      names = "--tls-client-auth",
      paramLabel = "MODE",
      description = "Client certificates: none (default), want or need (with --tls-client-ca).")
  String clientAuth;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "PEM",
      description = "CA certificates client certificates must chain to (PEM, or PKCS#12).")
  Path clientCa;

  /** Whether clients need bearer tokens (a token file was given). */
  boolean hasTokens() {
    return tokens != null;
  }

  /**
   * Reads the token file and the TLS files and configures {@code builder} with them.
   *
   * @throws IllegalArgumentException for options that do not go together
   * @throws PipelineException {@code TOKENS_INVALID} or {@code TLS_INVALID}
   */
  void applyTo(ModelServer.Builder builder) throws IOException, PipelineException {
    if ((rate == null) != (burst == null)) {
      throw new IllegalArgumentException("give --rate and --burst together");
    }
    if (openMetrics && tokens == null) {
      throw new IllegalArgumentException("--open-metrics applies only with --tokens");
    }
    boolean tlsOption =
        passwordEnv != null || passwordFile != null || clientAuth != null || clientCa != null;
    if (keystore == null && tlsOption) {
      throw new IllegalArgumentException("the --tls-* options need --tls-keystore");
    }
    if (tokens != null) {
      builder.tokens(Tokens.of(TokenFile.load(tokens))).openMetrics(openMetrics);
    }
    if (rate != null) {
      builder.rateLimit(rate, burst);
    }
    if (keystore != null) {
      builder.tls(tls());
    }
  }

  private TlsConfig tls() throws IOException, PipelineException {
    if ((passwordEnv == null) == (passwordFile == null)) {
      throw new IllegalArgumentException(
          "give the keystore password with --tls-password-env or --tls-password-file (one)");
    }
    TlsConfig.ClientAuth mode =
        switch (clientAuth == null ? "none" : clientAuth.toLowerCase(Locale.ROOT)) {
          case "none" -> TlsConfig.ClientAuth.NONE;
          case "want" -> TlsConfig.ClientAuth.WANT;
          case "need" -> TlsConfig.ClientAuth.NEED;
          default ->
              throw new IllegalArgumentException(
                  "--tls-client-auth: expected none, want or need, found "
                      + Errors.shown(clientAuth));
        };
    if ((mode == TlsConfig.ClientAuth.NONE) != (clientCa == null)) {
      throw new IllegalArgumentException(
          clientCa == null
              ? "--tls-client-auth " + clientAuth + " needs --tls-client-ca"
              : "--tls-client-ca needs --tls-client-auth want or need");
    }
    TlsConfig.Builder b = TlsConfig.builder(keystore).clientAuth(mode);
    if (passwordEnv != null) {
      b.passwordEnv(passwordEnv);
    } else {
      b.passwordFile(passwordFile);
    }
    if (clientCa != null) {
      b.clientCa(clientCa);
    }
    return b.build();
  }
}
