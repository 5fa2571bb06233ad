package dev.custody.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Curve;
import dev.custody.core.SigningKey;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code custody keygen}: a new ECDSA key pair (P-256 unless asked otherwise). */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description = {
      "Generate an ECDSA signing key pair.",
      "P-256 (ECDSA with SHA-256) by default; --curve p384 or p521 for SHA-384 or SHA-512.",
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

  @Option(
      names = "--curve",
      paramLabel = "CURVE",
      defaultValue = "p256",
      completionCandidates = CurveNames.class,
      description = "p256 (default), p384 or p521.")
  String curve;

  /** The values --curve takes, for completion and help. */
  static final class CurveNames extends java.util.ArrayList<String> {
    private static final long serialVersionUID = 1L;

    CurveNames() {
      super(List.of("p256", "p384", "p521"));
    }
  }

  @Mixin Passphrase passphrase = new Passphrase();

  @Option(names = "--json", description = "Print the result as JSON (also on failure).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Path publicKey = SigningKey.publicKeyFile(privateKey);
    Curve chosen;
    try {
      chosen = Curve.named(curve);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--curve: " + e.getMessage());
    }
    SigningKey key = SigningKey.generate(chosen);
    key.save(privateKey, passphrase.read());
    boolean encrypted = passphrase.env != null || passphrase.file != null;
    if (json) {
      ObjectNode report = JsonNodeFactory.instance.objectNode();
      report.put("privateKey", privateKey.toString());
      report.put("publicKey", publicKey.toString());
      report.put("encrypted", encrypted);
      report.put("curve", chosen.name().toLowerCase(java.util.Locale.ROOT));
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
    out.println("curve:       " + chosen.name().toLowerCase(java.util.Locale.ROOT));
    return 0;
  }
}
