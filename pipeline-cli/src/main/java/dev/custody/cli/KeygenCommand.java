package dev.custody.cli;

import dev.custody.core.SigningKey;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code custody keygen}: a new ECDSA P-256 key pair. */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description = {
      "Generate an ECDSA P-256 signing key pair.",
      "The private key is written with mode 0600 and never overwritten; the public key beside it."
    })
final class KeygenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-o", "--out"},
      paramLabel = "PRIVATE_KEY",
      defaultValue = "custody.key",
      description =
          "Private key file (default: ${DEFAULT-VALUE}); the public key goes to PRIVATE_KEY.pub.")
  Path privateKey;

  @Mixin Passphrase passphrase = new Passphrase();

  @Override
  public Integer call() throws Exception {
    Path publicKey = SigningKey.publicKeyFile(privateKey);
    SigningKey key = SigningKey.generate();
    key.save(privateKey, passphrase.read());
    var out = spec.commandLine().getOut();
    out.println(
        "private key: "
            + Errors.shown(privateKey)
            + " (mode 0600"
            + (passphrase.env != null || passphrase.file != null ? ", encrypted" : "")
            + ")");
    out.println("public key:  " + Errors.shown(publicKey));
    out.println("key hint:    " + key.publicKey().hint());
    return 0;
  }
}
