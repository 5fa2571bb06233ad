package dev.custody.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.BundleContents;
import dev.custody.core.InputFiles;
import dev.custody.core.Json;
import dev.custody.core.ModelManifest;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Statement;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.ChainLimits;
import dev.custody.core.chain.DatasetPredicate;
import dev.custody.core.chain.FeedbackExportPredicate;
import dev.custody.core.chain.GatePredicate;
import dev.custody.core.chain.ModelCard;
import dev.custody.core.chain.Provenance;
import dev.custody.core.chain.ReproductionSummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a model directory or a bundle file says, decoded into one JSON tree that {@code custody
 * inspect} prints as JSON or as indented lines. Read with the chain format's strict readers, and
 * never verified here: every signer is the one a file <em>claims</em>.
 */
final class Inspection {
  /** Flagged rows listed per screen; the screen's own count says how many there were. */
  static final int MAX_FLAGGED_SHOWN = 20;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Inspection() {}

  /** A model directory (card and every bundle present) or one bundle file. */
  static ObjectNode of(Path path) throws IOException, PipelineException {
    ObjectNode root = NODES.objectNode();
    ArrayNode bundles = NODES.arrayNode();
    if (Files.isDirectory(path)) {
      root.put("kind", "model directory");
      Path card = path.resolve(ChainLayout.CARD_FILE);
      if (Files.exists(card)) {
        root.set("card", card(read(card)));
      }
      List<String> files = new ArrayList<>();
      files.add(ChainLayout.SIGNATURE_FILE);
      ChainLayout.attestationFiles().forEach(a -> files.add(ChainLayout.ATTESTATIONS + "/" + a));
      for (String f : files) {
        Path p = path.resolve(f);
        if (Files.exists(p)) {
          bundles.add(bundle(f, read(p)));
        }
      }
      if (bundles.isEmpty() && !root.has("card")) {
        throw new PipelineException(
            Reason.CHAIN_INCOMPLETE,
            Errors.shown(path)
                + ": expected a model directory ("
                + ChainLayout.CARD_FILE
                + ", "
                + ChainLayout.SIGNATURE_FILE
                + ", "
                + ChainLayout.ATTESTATIONS
                + "/), found none of them");
      }
    } else {
      root.put("kind", "bundle");
      bundles.add(bundle(path.getFileName().toString(), read(path)));
    }
    root.set("bundles", bundles);
    return root;
  }

  private static byte[] read(Path file) throws IOException, PipelineException {
    return InputFiles.read(
        file,
        "a bundle or model card",
        ChainLimits.DEFAULT_MAX_EVIDENCE_BYTES,
        Reason.MALFORMED,
        InputFiles.Links.REFUSE);
  }

  /** One bundle: claimed signer, subjects, predicate type and a summary of its predicate. */
  static ObjectNode bundle(String file, byte[] bytes) throws PipelineException {
    BundleContents b;
    try {
      b = BundleContents.read(bytes);
    } catch (PipelineException e) {
      throw new PipelineException(e.reason(), Errors.shown(file) + ": " + e.getMessage(), e);
    }
    Statement st = b.statement();
    ObjectNode n = NODES.objectNode();
    n.put("file", file);
    n.put("sha256", Sha256.of(bytes).hex());
    n.put("claimedSigner", b.claimedSigner());
    n.put("predicateType", st.predicateType());
    ArrayNode subjects = n.putArray("subjects");
    for (Statement.Subject s : st.subjects()) {
      ObjectNode o = subjects.addObject();
      o.put("name", s.name());
      s.digest().forEach(o::put);
    }
    try {
      n.set("summary", summary(st));
    } catch (PipelineException e) {
      throw new PipelineException(e.reason(), Errors.shown(file) + ": " + e.getMessage(), e);
    }
    return n;
  }

  private static ObjectNode summary(Statement st) throws PipelineException {
    return switch (st.predicateType()) {
      case DatasetPredicate.TYPE -> dataset(DatasetPredicate.read(st));
      case Provenance.TYPE -> provenance(Provenance.read(st));
      case GatePredicate.TYPE -> gate(GatePredicate.read(st));
      case ReproductionSummary.TYPE -> reproduction(ReproductionSummary.read(st));
      case FeedbackExportPredicate.TYPE -> feedback(FeedbackExportPredicate.read(st));
      case ModelManifest.PREDICATE_TYPE -> modelSignature(st.predicate());
      default -> other(st.predicate());
    };
  }

  static ObjectNode card(byte[] bytes) throws PipelineException {
    ModelCard c;
    try {
      c = ModelCard.parse(bytes);
    } catch (PipelineException e) {
      throw new PipelineException(e.reason(), ChainLayout.CARD_FILE + ": " + e.getMessage(), e);
    }
    ObjectNode n = NODES.objectNode();
    n.put("name", c.name());
    n.put("version", c.version());
    n.put("trainer", c.trainer());
    ArrayNode labels = n.putArray("labels");
    c.labels().forEach(labels::add);
    n.put("positiveLabel", c.positiveLabel());
    n.put("features", c.features().size());
    n.put("modelSha256", c.modelFile().sha256().hex());
    n.put("contentDigest", c.contentDigest().hex());
    n.put("datasetDigest", c.dataset().hex());
    n.put("spec", c.spec().name());
    n.set("metrics", c.metrics());
    return n;
  }

  private static ObjectNode dataset(DatasetPredicate d) {
    ObjectNode n = NODES.objectNode();
    n.put("spec", d.specName());
    n.put("specVersion", d.specVersion());
    n.put("format", d.format());
    ArrayNode files = n.putArray("files");
    for (DatasetPredicate.DataFile f : d.files()) {
      files
          .addObject()
          .put("source", f.source())
          .put("sha256", f.sha256().hex())
          .put("bytes", f.bytes())
          .put("rows", f.rows());
    }
    n.set("rows", rows(d.rows()));
    n.set("kept", rows(d.kept()));
    ArrayNode screens = n.putArray("screens");
    for (DatasetPredicate.Screen s : d.screens()) {
      ObjectNode o = screens.addObject();
      o.put("screen", s.screen());
      o.put("policy", s.policy());
      o.put("rowsChecked", s.rowsChecked());
      o.put("flagged", s.flagged());
      o.put("dropped", s.dropped());
      ObjectNode stats = o.putObject("statistics");
      s.statistics().forEach((k, v) -> putNumber(stats, k, v));
      ArrayNode rows = o.putArray("flaggedRows");
      s.firstRows().stream()
          .limit(MAX_FLAGGED_SHOWN)
          .forEach(
              r -> {
                ObjectNode row = rows.addObject();
                row.put("source", r.source());
                row.put("line", r.line());
                if (!r.id().isEmpty()) {
                  row.put("id", r.id());
                }
                row.put("label", r.label());
                row.put("detail", r.detail());
              });
      o.put("flaggedRowsNotShown", s.flagged() - rows.size());
    }
    return n;
  }

  private static ObjectNode rows(DatasetPredicate.Rows r) {
    ObjectNode n = NODES.objectNode();
    n.put("count", r.count());
    ObjectNode labels = n.putObject("labels");
    r.labels().forEach(labels::put);
    n.put("merkleRoot", r.merkleRoot().hex());
    return n;
  }

  private static ObjectNode provenance(Provenance p) throws PipelineException {
    ObjectNode n = NODES.objectNode();
    n.put("model", p.modelName());
    n.put("spec", p.spec().name());
    n.put("specSha256", p.spec().digest().hex());
    n.put("seed", p.seed());
    n.put("builder", p.builderVersion());
    n.put("javaVersion", p.javaVersion());
    n.put("tribuoVersion", p.tribuoVersion());
    n.put("startedOn", p.startedOn().toString());
    n.put("finishedOn", p.finishedOn().toString());
    n.put("datasetDigest", p.dataset().hex());
    ArrayNode data = n.putArray("data");
    for (Provenance.DataEntry d : p.data()) {
      data.addObject().put("name", d.name()).put("uri", d.uri()).put("sha256", d.digest().hex());
    }
    n.put("jars", p.jars().size());
    n.put("directories", p.directories().size());
    n.put("contentDigest", p.contentDigest().hex());
    n.set("metrics", Json.parse(p.metricsJson().getBytes(StandardCharsets.UTF_8), "metrics"));
    return n;
  }

  private static ObjectNode gate(GatePredicate g) {
    ObjectNode n = NODES.objectNode();
    n.put("model", g.modelName());
    n.put("passed", g.passed());
    n.put("contentDigest", g.contentDigest().hex());
    ArrayNode gates = n.putArray("gates");
    for (GatePredicate.Gate x : g.gates()) {
      ObjectNode o = gates.addObject();
      o.put("name", x.name());
      o.put("metric", x.metric());
      o.put("comparator", x.comparator());
      o.put("threshold", x.threshold());
      putNumber(o, "observed", x.observed());
      o.put("passed", x.passed());
      o.put("sampleSize", x.sampleSize());
      o.put("dataset", x.dataset().name());
      x.baselineModel().ifPresent(b -> o.put("baseline", b.name()));
    }
    return n;
  }

  private static ObjectNode reproduction(ReproductionSummary r) {
    ObjectNode n = NODES.objectNode();
    n.put("model", r.modelName());
    n.put("result", r.result());
    n.put("timeVerified", r.timeVerified().toString());
    n.put("contentDigest", r.contentDigest().hex());
    n.put("reproducedContentDigest", r.reproducedContentDigest().hex());
    return n;
  }

  private static ObjectNode feedback(FeedbackExportPredicate f) {
    ObjectNode n = NODES.objectNode();
    n.put("store", f.store());
    f.model().ifPresent(m -> n.put("model", m));
    n.put("records", f.records());
    n.put("chains", f.heads().size());
    ObjectNode statuses = n.putObject("statuses");
    f.statuses().forEach((k, v) -> statuses.put(k.toString(), v));
    n.put("clients", f.clients().size());
    n.put("exportedAt", f.exportedAt().toString());
    return n;
  }

  /** An OpenSSF model signature: the signed files and their digests. */
  private static ObjectNode modelSignature(JsonNode predicate) {
    ObjectNode n = NODES.objectNode();
    ArrayNode files = n.putArray("files");
    for (JsonNode r : predicate.path("resources")) {
      files
          .addObject()
          .put("name", r.path("name").asText())
          .put("sha256", r.path("digest").asText());
    }
    ArrayNode ignored = n.putArray("ignorePaths");
    predicate.path("serialization").path("ignore_paths").forEach(ignored::add);
    return n;
  }

  /** A predicate Custody has no reader for: its top-level fields only. */
  private static ObjectNode other(JsonNode predicate) {
    ObjectNode n = NODES.objectNode();
    ArrayNode fields = n.putArray("fields");
    predicate.fieldNames().forEachRemaining(fields::add);
    return n;
  }

  /** JSON has no NaN or infinity: a non-finite value is written as null. */
  private static void putNumber(ObjectNode n, String key, double v) {
    if (Double.isFinite(v)) {
      n.put(key, v);
    } else {
      n.putNull(key);
    }
  }

  /** The tree as indented {@code key: value} lines, every value escaped for a terminal. */
  static List<String> lines(JsonNode tree) {
    List<String> out = new ArrayList<>();
    lines(tree, "", out);
    return out;
  }

  private static void lines(JsonNode node, String indent, List<String> out) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        JsonNode v = e.getValue();
        String key = indent + Errors.shown(e.getKey()) + ":";
        if (v.isValueNode()) {
          out.add(key + " " + Errors.shown(text(v)));
        } else if (v.isEmpty()) {
          out.add(key + (v.isArray() ? " none" : " -"));
        } else if (v.isArray() && scalars(v)) {
          List<String> items = new ArrayList<>();
          v.forEach(x -> items.add(x.asText()));
          out.add(key + " " + Errors.shown(String.join(", ", items)));
        } else {
          out.add(key);
          lines(v, indent + "  ", out);
        }
      }
    } else if (node.isArray()) {
      for (JsonNode item : node) {
        if (item.isArray() && scalars(item)) {
          List<String> items = new ArrayList<>();
          item.forEach(x -> items.add(x.asText()));
          out.add(indent + "- " + Errors.shown(String.join(", ", items)));
          continue;
        }
        if (item.isObject() && scalars(item)) {
          // A flat record (a flagged row, a file, a gate) reads best on one line.
          List<String> fields = new ArrayList<>();
          item.properties().forEach(e -> fields.add(e.getKey() + " " + text(e.getValue())));
          out.add(indent + "- " + Errors.shown(String.join(", ", fields)));
          continue;
        }
        List<String> sub = new ArrayList<>();
        lines(item, indent + "  ", sub);
        if (!sub.isEmpty()) {
          // The first line of each item carries the list marker.
          sub.set(0, indent + "- " + sub.get(0).substring(indent.length() + 2));
        }
        out.addAll(sub);
      }
    } else {
      out.add(indent + Errors.shown(node.asText()));
    }
  }

  /** A scalar as text; JSON null is a value that was undefined (a NaN statistic, say). */
  private static String text(JsonNode v) {
    return v.isNull() ? "undefined" : v.asText();
  }

  /** Whether every element or field value is a scalar. */
  private static boolean scalars(JsonNode container) {
    for (JsonNode x : container) {
      if (!x.isValueNode()) {
        return false;
      }
    }
    return true;
  }
}
