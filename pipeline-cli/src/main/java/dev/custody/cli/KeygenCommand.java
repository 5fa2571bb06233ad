package dev.custody.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

  @Option(names = "--json", description = "Print the result as JSON (also on failure).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Path publicKey = SigningKey.publicKeyFile(privateKey);
    SigningKey key = SigningKey.generate();
    key.save(privateKey, passphrase.read());
    boolean encrypted = passphrase.env != null || passphrase.file != null;
    if (json) {
      ObjectNode report = JsonNodeFactory.instance.objectNode();
      report.put("privateKey", privateKey.toString());
      report.put("publicKey", publicKey.toString());
      report.put("encrypted", encrypted);
      report.put("keyHint", key.publicKey().hint());
      JsonReport.success(spec, report);
      return 0;
    }
    var out = spec.commandLine().getOut();
    out.println(
        "private key: "
            + Errors.shown(privateKey)
            + " (mode 0600"
            + (encrypted ? ", encrypted" : "")
            + ")");
    out.println("public key:  " + Errors.shown(publicKey));
    out.println("key hint:    " + key.publicKey().hint());
    return 0;
  }
}
