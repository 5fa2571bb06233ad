package dev.custody.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.custody.core.AtomicFiles;
import dev.custody.core.InputFiles;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.VerificationKey;
import dev.custody.core.chain.Stage;
import dev.custody.verify.TrustPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code custody policy}: write trust policies. */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = "Write trust policies (README, \"Trust policy\").",
    subcommands = {PolicyCommand.Init.class})
final class PolicyCommand {

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = {
        "Write a trust policy that trusts one public key.",
        "The key is trusted for every stage (ingest, train, evaluate, reproduce); the policy",
        "requires a passed gate and accepts model versions from 1. The key is named",
        "relative to the policy's directory when it lies under it, else by its absolute path.",
        "An existing file is never overwritten."
      })
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--key",
        required = true,
        paramLabel = "PUBLIC_KEY",
        description = "The PEM public key to trust (e.g. KEY.pub, written by custody keygen).")
    Path key;

    @Option(
        names = {"-o", "--out"},
        defaultValue = "policy.yaml",
        paramLabel = "FILE",
        description = "Where to write the policy (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--json", description = "Print {ok, command, policy, key, keyHint, stages}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      VerificationKey trusted = readPublicKey(key);
      if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(out.toString());
      }
      Path dir = out.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      String named = keyAsNamed(dir.toRealPath(), key.toRealPath());
      String yaml = yaml(named);
      AtomicFiles.write(out, yaml.getBytes(StandardCharsets.UTF_8));
      // Read back as every verifier will: a policy this command writes must load.
      TrustPolicy.load(out);

      var stdout = spec.commandLine().getOut();
      if (json) {
        ObjectNode report = JsonNodeFactory.instance.objectNode();
        report.put("ok", true);
        report.put("command", "custody policy init");
        report.put("policy", out.toString());
        report.put("key", named);
        report.put("keyHint", trusted.hint());
        var stages = report.putArray("stages");
        for (Stage s : Stage.values()) {
          stages.add(stageName(s));
        }
        stdout.print(new String(Json.writePretty(report), StandardCharsets.UTF_8));
        stdout.println();
      } else {
        stdout.println(
            "wrote "
                + Errors.shown(out)
                + ": trusts "
                + Errors.shown(named)
                + " (key hint "
                + trusted.hint()
                + ") for every stage");
      }
      stdout.flush();
      return 0;
    }

    /** The key, named by its file: a private key is refused with the hint to give its .pub. */
    private static VerificationKey readPublicKey(Path key) throws Exception {
      byte[] pem =
          InputFiles.read(
              key,
              "a PEM public key",
              VerificationKey.MAX_PEM_BYTES,
              Reason.KEY_INVALID,
              InputFiles.Links.FOLLOW);
      try {
        return VerificationKey.fromPem(pem);
      } catch (PipelineException e) {
        String found =
            new String(pem, StandardCharsets.US_ASCII).contains("PRIVATE KEY-----")
                ? "a private key; give its public half instead (custody keygen writes it to "
                    + Errors.shown(key.getFileName() + ".pub")
                    + ")"
                : e.getMessage();
        throw new PipelineException(
            Reason.KEY_INVALID,
            Errors.shown(key) + ": expected a PEM public key, found " + found,
            e);
      }
    }

    /**
     * Relative to the policy's directory when under it (the pair moves together), else absolute.
     */
    private static String keyAsNamed(Path policyDir, Path key) {
      return key.startsWith(policyDir) ? policyDir.relativize(key).toString() : key.toString();
    }

    private static String yaml(String keyPath) {
      // A JSON string is a valid YAML double-quoted scalar: any file name is written safely.
      String quoted = new String(Json.write(new TextNode(keyPath)), StandardCharsets.UTF_8);
      StringBuilder b = new StringBuilder();
      b.append(
              "# Trust policy written by `custody policy init` (format: README, \"Trust policy\").\n")
          .append("# One key signs every stage; in production give each stage its own signer.\n")
          .append("version: 1\n\nstages:\n");
      for (Stage s : Stage.values()) {
        b.append("  ").append(stageName(s)).append(":\n    keys: [").append(quoted).append("]\n");
      }
      b.append("\nrequire:\n")
          .append("  gatePassed: true           # a signed, passed gate attestation is required\n")
          .append("  reproduced: false          # true: a PASSED reproduction summary as well\n")
          .append("\nmodel:\n")
          .append("  minVersion: 1              # lower versions are refused (ROLLBACK)\n")
          .append("  allowClasses: []           # classes beyond the safe loader's defaults\n");
      return b.toString();
    }

    private static String stageName(Stage s) {
      return s.name().toLowerCase(Locale.ROOT);
    }
  }
}
