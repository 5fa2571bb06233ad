package dev.custody.cli;

import dev.custody.core.BundleSigner;
import dev.custody.core.KeylessSigning;
import dev.custody.core.PipelineException;
import dev.custody.core.SigningKey;
import dev.custody.core.chain.Stage;
import dev.custody.verify.TrustPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The signer a command was given: a key file ({@code --key}) or a keyless Sigstore identity ({@code
 * --keyless}), and how to trust it in a policy the command makes for itself. Holds a key: it does
 * not print it.
 */
final class CommandSigner {
  private final BundleSigner signer;
  private final SigningKey key; // null when keyless
  private final KeylessSigning keyless; // null with a key

  private CommandSigner(BundleSigner signer, SigningKey key, KeylessSigning keyless) {
    this.signer = signer;
    this.key = key;
    this.keyless = keyless;
  }

  /**
   * The signer of {@code --key KEY} or {@code --keyless}: exactly one must be given. Keyless
   * signing reads its token from the process environment.
   */
  static CommandSigner of(
      CommandSpec spec, Path key, Passphrase passphrase, KeylessOptions keylessOptions)
      throws IOException, PipelineException {
    keylessOptions.requireOneSigner(spec, key);
    if (key != null) {
      SigningKey k = PipelineOptions.key(key, passphrase);
      return new CommandSigner(BundleSigner.create(k), k, null);
    }
    KeylessSigning k = keylessOptions.signing(System.getenv());
    return new CommandSigner(BundleSigner.keyless(k), null, k);
  }

  BundleSigner bundleSigner() {
    return signer;
  }

  /**
   * A signer with this key whose bundles carry {@code certificate} and its {@code chain} ({@code
   * --signing-cert}, {@code --cert-chain}).
   *
   * @throws IllegalArgumentException when keyless: Fulcio issues a keyless signer's certificate
   */
  BundleSigner withCertificate(Path certificate, List<Path> chain)
      throws IOException, PipelineException {
    if (key == null) {
      throw new IllegalArgumentException(
          "--signing-cert: expected --key with the certificate's private key, found --keyless"
              + " (a keyless signature carries the certificate Fulcio issues)");
    }
    return BundleSigner.create(key, certificate, chain);
  }

  /** {@code key HINT} or {@code keyless IDENTITY (ISSUER)}. */
  String describe() {
    return signer.describe();
  }

  /** Whether the signer is keyless. */
  boolean keyless() {
    return keyless != null;
  }

  /** Trusts this signer for {@code stage}: its public key, or its identity on its instance. */
  void trust(TrustPolicy.Builder b, Stage stage) {
    if (key != null) {
      b.trustKey(stage, key.publicKey());
    } else {
      b.trustKeyless(stage, keyless.verifier());
    }
  }

  /** A policy trusting this signer for every stage. */
  TrustPolicy trustedForEveryStage() {
    TrustPolicy.Builder b = TrustPolicy.builder();
    for (Stage s : Stage.values()) {
      trust(b, s);
    }
    return b.build();
  }
}
