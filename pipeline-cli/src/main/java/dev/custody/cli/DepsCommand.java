package dev.custody.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.AtomicFiles;
import dev.custody.core.BundleSigner;
import dev.custody.core.InputFiles;
import dev.custody.core.KeyBundleVerifier;
import dev.custody.core.Reason;
import dev.custody.core.SigningKey;
import dev.custody.core.VerificationKey;
import dev.custody.verify.ClasspathLock;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custody deps}: pin and check the jars Custody itself runs on (seed 001). */
@Command(
    name = "deps",
    mixinStandardHelpOptions = true,
    description = {
      "Pin and check the jars custody itself runs on.",
      "Pin the SHA-256 of every jar on custody's own classpath, and check it later."
    },
    subcommands = {DepsCommand.Lock.class, DepsCommand.Verify.class})
final class DepsCommand {

  @Command(
      name = "lock",
      mixinStandardHelpOptions = true,
      description = "Write a signed lock of every jar on the running classpath.")
  static final class Lock implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--key",
        required = true,
        paramLabel = "PRIVATE_KEY",
        description = "Signing key.")
    Path key;

    @Option(
        names = {"-o", "--out"},
        defaultValue = "deps.lock.sigstore.json",
        paramLabel = "FILE",
        description = "Where to write the signed lock (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin Passphrase passphrase;

    @Option(names = "--json", description = "Print the result as JSON (also on failure).")
    boolean json;

    @Override
    public Integer call() throws Exception {
      ClasspathLock lock = ClasspathLock.ofRunningClasspath();
      SigningKey k = SigningKey.load(key, passphrase.read());
      AtomicFiles.write(out, BundleSigner.create(k).signStatement(lock.toStatement()));
      if (json) {
        ObjectNode report = JsonNodeFactory.instance.objectNode();
        report.put("jars", lock.jars().size());
        report.put("lock", out.toString());
        report.put("keyHint", k.publicKey().hint());
        JsonReport.success(spec, report);
        return 0;
      }
      spec.commandLine()
          .getOut()
          .println("locked " + lock.jars().size() + " jars in " + Errors.shown(out));
      return 0;
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Check the running classpath against a signed lock.",
        "Names every added, removed or changed jar."
      })
  static final class Verify implements Callable<Integer> {
    /** Largest lock read: the size cap of a Sigstore bundle. */
    private static final long MAX_LOCK_BYTES = 16L << 20;

    @Spec CommandSpec spec;

    @Parameters(
        paramLabel = "LOCK",
        description = "The signed lock written by 'custody deps lock'.")
    Path lockFile;

    @Option(
        names = "--key",
        required = true,
        paramLabel = "PUBLIC_KEY",
        description = "Key trusted to sign locks.")
    Path key;

    @Option(names = "--json", description = "Print the result as JSON (also on failure).")
    boolean json;

    @Override
    public Integer call() throws Exception {
      var verified =
          KeyBundleVerifier.builder()
              .trust(VerificationKey.fromPem(key))
              .build()
              .verifyStatement(
                  InputFiles.read(
                      lockFile,
                      "a signed dependency lock",
                      MAX_LOCK_BYTES,
                      Reason.MALFORMED,
                      InputFiles.Links.FOLLOW));
      ClasspathLock locked = ClasspathLock.fromStatement(verified.statement());
      locked.requireMatch(ClasspathLock.ofRunningClasspath());
      if (json) {
        ObjectNode report = JsonNodeFactory.instance.objectNode();
        report.put("verified", true);
        report.put("jars", locked.jars().size());
        report.put("signer", verified.signer());
        JsonReport.success(spec, report);
        return 0;
      }
      spec.commandLine()
          .getOut()
          .println(
              "classpath matches the lock: "
                  + locked.jars().size()
                  + " jars, signed by "
                  + Errors.shown(verified.signer()));
      return 0;
    }
  }
}
