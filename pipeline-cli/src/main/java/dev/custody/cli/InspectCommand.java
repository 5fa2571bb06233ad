package dev.custody.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.VerifiedChain;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code custody inspect}: what a model directory or a bundle says, decoded and readable. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Show what a model directory or a bundle file says.",
      "For each bundle: the signer it names,",
      "its subjects and digests, its predicate type and a summary (screens with the rows they",
      "flagged, gates with thresholds and values, metrics), and the model card. Nothing is",
      "verified unless --policy is given (then the whole chain is verified first)."
    })
final class InspectCommand implements Callable<Integer>, Errors.JsonFailure {
  static final String NOT_VERIFIED =
      "not verified: signers are what the files claim; run custody verify (or inspect --policy)";

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "MODEL_DIR|BUNDLE", description = "A model directory or a bundle file.")
  Path path;

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      description = "Verify the model directory's chain under this trust policy first.")
  Path policy;

  @Option(names = "--json", description = "Print the result as JSON (also on failure).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PipelineOptions.requireFile(path);
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    doc.put("ok", true);
    doc.put("command", spec.qualifiedName());
    doc.put("path", path.toString());
    if (policy != null) {
      if (!Files.isDirectory(path)) {
        throw new IllegalArgumentException(
            "--policy verifies a model directory's chain, found a file: " + Errors.shown(path));
      }
      VerifiedChain chain =
          ChainVerifier.builder(PipelineOptions.policy(policy)).build().verify(path);
      doc.put("verified", true);
      doc.put("rootDigest", chain.rootDigest().toString());
      ArrayNode links = doc.putArray("links");
      for (VerifiedChain.Link l : chain.links()) {
        links.addObject().put("what", l.what()).put("file", l.file()).put("signer", l.signer());
      }
    } else {
      doc.put("verified", false);
      doc.put("note", NOT_VERIFIED);
    }
    doc.setAll(Inspection.of(path));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.print(new String(Json.writePretty(doc), StandardCharsets.UTF_8));
    } else {
      doc.remove(java.util.List.of("ok", "command"));
      Inspection.lines(doc).forEach(out::println);
    }
    out.flush();
    return 0;
  }

  @Override
  public void describeFailure(ObjectNode report) {
    report.put("path", String.valueOf(path));
  }
}
