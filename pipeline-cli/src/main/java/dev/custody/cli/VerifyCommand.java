package dev.custody.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.TrustPolicy;
import dev.custody.verify.VerifiedChain;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code custody verify}: check a model directory's whole chain of custody against a trust policy.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verify a model directory's whole chain of custody.",
      "Checks against a trust policy: the model signature,",
      "model file and card, training provenance, dataset attestation, dependency lock, gate and",
      "reproduction summary, each signed by a signer the policy trusts for its stage.",
      "Prints each link (what, digest, signer, result); exits with the code of the first failure."
    })
final class VerifyCommand implements Callable<Integer>, Errors.JsonFailure {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "MODEL_DIR", description = "The exported model directory.")
  Path model;

  @Option(
      names = "--policy",
      required = true,
      paramLabel = "FILE",
      description = "The trust policy (YAML).")
  Path policy;

  @Option(
      names = "--in-service-version",
      paramLabel = "N",
      description = "The version currently in service: a lower version is refused (ROLLBACK).")
  Integer inServiceVersion;

  @Option(names = "--json", description = "Print the result as JSON (also on failure).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    for (Path p : new Path[] {model, policy}) {
      if (!Files.exists(p)) {
        throw new NoSuchFileException(p.toString());
      }
    }
    if (inServiceVersion != null && inServiceVersion < 1) {
      throw new IllegalArgumentException(
          "--in-service-version: expected at least 1, found " + inServiceVersion);
    }
    PrintWriter out = spec.commandLine().getOut();
    // A failure is reported by Errors: one line on stderr, and with --json the JSON of
    // describeFailure plus reason, exit code and message on stdout.
    ChainVerifier.Builder b = ChainVerifier.builder(TrustPolicy.load(policy));
    if (inServiceVersion != null) {
      b.versionInService(inServiceVersion);
    }
    VerifiedChain chain = b.build().verify(model);
    if (json) {
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      root.put("verified", true);
      root.put("model", chain.name());
      root.put("version", chain.version());
      root.put("rootDigest", chain.rootDigest().toString());
      root.put("datasetDigest", chain.datasetDigest().toString());
      root.put("contentDigest", chain.card().contentDigest().toString());
      ArrayNode links = root.putArray("links");
      for (VerifiedChain.Link l : chain.links()) {
        ObjectNode n = links.addObject();
        n.put("what", l.what());
        n.put("file", l.file());
        n.put("digest", l.digest().toString());
        n.put("signer", l.signer());
        n.put("result", "ok");
        n.put("checked", l.checked());
      }
      JsonReport.success(spec, root);
    } else {
      out.println(
          "verified "
              + Errors.shown(chain.name())
              + " v"
              + chain.version()
              + " ("
              + Errors.shown(model)
              + "): root "
              + chain.rootDigest());
      int width = chain.links().stream().mapToInt(l -> l.what().length()).max().orElse(0);
      for (VerifiedChain.Link l : chain.links()) {
        out.printf(
            java.util.Locale.ROOT,
            "  ok  %-" + width + "s  %s%n      %s%n      signed by %s%n      %s%n",
            Errors.shown(l.what()),
            Errors.shown(l.file()),
            l.digest(),
            Errors.shown(l.signer()),
            Errors.shown(l.checked()));
      }
    }
    out.flush();
    return 0;
  }

  @Override
  public void describeFailure(ObjectNode report) {
    report.put("verified", false);
    report.put("model", model.toString());
  }
}
