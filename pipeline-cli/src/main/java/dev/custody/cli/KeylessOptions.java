package dev.custody.cli;

import dev.custody.core.IdentityToken;
import dev.custody.core.KeylessSigning;
import dev.custody.core.NotRegularFileException;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.TrustConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --keyless} and {@code --trust-config}: sign with a Sigstore certificate for the identity
 * of an OIDC token instead of a key file. Shared by sign-model and the pipeline verbs.
 */
final class KeylessOptions {
  @Option(
      names = "--keyless",
      description =
          "Sign keylessly with Sigstore instead of --key: an OIDC token from SIGSTORE_ID_TOKEN or"
              + " GitHub Actions, a Fulcio certificate, a Rekor entry. Needs the network.")
  boolean keyless;

  @Option(
      names = "--trust-config",
      paramLabel = "FILE",
      description =
          "With --keyless: the Sigstore instance as a ClientTrustConfig (trustedRoot +"
              + " signingConfig; default: the public-good instance, fetched through TUF).")
  Path trustConfig;

  /**
   * Checks that exactly one of {@code --key} and {@code --keyless} was given, and {@code
   * --trust-config} only with {@code --keyless}.
   */
  void requireOneSigner(CommandSpec spec, Path key) {
    if (keyless == (key != null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          keyless
              ? "give --key PRIVATE_KEY or --keyless, not both"
              : "a signer is required: give --key PRIVATE_KEY or --keyless");
    }
    if (trustConfig != null && !keyless) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--trust-config selects the instance of --keyless signing: add --keyless");
    }
  }

  /**
   * The keyless signer: the token first (offline, so a missing token fails before anything is
   * fetched), then the instance, then sigstore-java's signer.
   *
   * @throws PipelineException {@link Reason#IDENTITY_TOKEN_MISSING}, {@link Reason#MALFORMED} for
   *     an unusable token or trust config, {@link Reason#UNSUPPORTED} or {@link
   *     Reason#SIGNING_FAILED} for an instance that cannot sign
   */
  KeylessSigning signing(Map<String, String> env) throws IOException, PipelineException {
    IdentityToken token = IdentityToken.fromEnvironment(env);
    return KeylessSigning.create(token, instance(trustConfig));
  }

  /** The trust config named by {@code --trust-config}, or the public-good instance. */
  static TrustConfig instance(Path file) throws IOException, PipelineException {
    if (file == null) {
      return TrustConfig.publicGood();
    }
    PipelineOptions.requireFile(file);
    try {
      return TrustConfig.read(file);
    } catch (IllegalArgumentException e) {
      throw asMalformed("--trust-config", e);
    }
  }

  /**
   * A trusted root or trust config that cannot be used: bad input ({@link Reason#MALFORMED}), or,
   * for a directory or FIFO named on the command line, a usage error.
   */
  static PipelineException asMalformed(String option, IllegalArgumentException e) {
    if (e.getCause() instanceof NotRegularFileException) {
      return new NotRegularFileException(Reason.MALFORMED, option + ": " + e.getMessage());
    }
    return new PipelineException(Reason.MALFORMED, option + ": " + e.getMessage(), e);
  }
}
