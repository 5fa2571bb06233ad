package dev.custody.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.verify.ModelExpectations;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What an exported model is: {@code model-card.json}, covered by the model signature (see {@code
 * docs/chain-format.md}). Labels and features are sorted; the safe loader checks the deserialized
 * model against them ({@link #expectations()}).
 *
 * @param name the model name (the spec's name)
 * @param version the model version
 * @param trainer the trainer type as the spec names it ({@code random-forest})
 * @param labels the labels the model predicts, sorted
 * @param features the model's feature names, sorted
 * @param positiveLabel the label ROC AUC ranks by
 * @param modelFile the model file's name ({@code model.tribuo})
 * @param modelSha256 the SHA-256 of the model file's bytes
 * @param contentDigest the model content digest ({@link ModelContent#digest(byte[])})
 * @param datasetDigest the dataset digest D (Merkle root of the rows trained and tested on)
 * @param specName the spec's file name
 * @param specDigest the SHA-256 of the spec file's bytes
 * @param metricsJson {@link Metrics#toJson()} of the held-out test split
 */
public record ModelCard(
    String name,
    int version,
    String trainer,
    List<String> labels,
    List<String> features,
    String positiveLabel,
    String modelFile,
    Sha256 modelSha256,
    Sha256 contentDigest,
    Sha256 datasetDigest,
    String specName,
    Sha256 specDigest,
    String metricsJson) {
  /** The card's file name in a model directory. */
  public static final String FILE = "model-card.json";

  /** Largest card accepted when parsing. */
  static final int MAX_BYTES = 16 << 20;

  public ModelCard {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(trainer, "trainer");
    labels = List.copyOf(new TreeSet<>(labels));
    features = List.copyOf(new TreeSet<>(features));
    Objects.requireNonNull(positiveLabel, "positiveLabel");
    Objects.requireNonNull(modelFile, "modelFile");
    Objects.requireNonNull(modelSha256, "modelSha256");
    Objects.requireNonNull(contentDigest, "contentDigest");
    Objects.requireNonNull(datasetDigest, "datasetDigest");
    Objects.requireNonNull(specName, "specName");
    Objects.requireNonNull(specDigest, "specDigest");
    Objects.requireNonNull(metricsJson, "metricsJson");
  }

  /** What the safe loader must find in the model: these labels and feature names. */
  public ModelExpectations expectations() {
    return ModelExpectations.of(labels, features);
  }

  /** The card as indented JSON with a final newline, keys in the documented order. */
  public byte[] toJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("name", name);
    root.put("version", version);
    root.put("trainer", trainer);
    ArrayNode l = root.putArray("labels");
    labels.forEach(l::add);
    ArrayNode f = root.putArray("features");
    features.forEach(f::add);
    root.put("positiveLabel", positiveLabel);
    ObjectNode mf = root.putObject("modelFile");
    mf.put("name", modelFile);
    mf.put("sha256", modelSha256.hex());
    root.put("contentDigest", contentDigest.hex());
    root.putObject("dataset").put("sha256", datasetDigest.hex());
    ObjectNode spec = root.putObject("spec");
    spec.put("name", specName);
    spec.put("sha256", specDigest.hex());
    try {
      root.set("metrics", Json.parse(metricsJson.getBytes(StandardCharsets.UTF_8), "metrics"));
    } catch (PipelineException e) {
      throw new IllegalStateException("Metrics.toJson() always writes JSON", e);
    }
    return Json.writePretty(root);
  }

  /**
   * Parses a card (read from a verified model directory).
   *
   * @throws PipelineException {@link Reason#MALFORMED} naming the missing or mistyped field
   */
  public static ModelCard parse(byte[] json) throws PipelineException {
    JsonNode root = Json.parse(json, FILE);
    if (!root.isObject()) {
      throw malformed("expected a JSON object");
    }
    JsonNode metrics = root.get("metrics");
    if (metrics == null || !metrics.isObject()) {
      throw malformed("expected a 'metrics' object");
    }
    long version = root.path("version").asLong(0);
    if (!root.path("version").isIntegralNumber() || version < 1 || version > Integer.MAX_VALUE) {
      throw malformed("expected a positive integer 'version'");
    }
    try {
      return new ModelCard(
          text(root, "name"),
          (int) version,
          text(root, "trainer"),
          strings(root, "labels"),
          strings(root, "features"),
          text(root, "positiveLabel"),
          text(root.path("modelFile"), "modelFile.name", "name"),
          sha(root.path("modelFile"), "modelFile.sha256"),
          new Sha256(text(root, "contentDigest")),
          sha(root.path("dataset"), "dataset.sha256"),
          text(root.path("spec"), "spec.name", "name"),
          sha(root.path("spec"), "spec.sha256"),
          new String(Json.write(metrics), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw malformed(e.getMessage());
    }
  }

  private static String text(JsonNode node, String field) throws PipelineException {
    return text(node, field, field);
  }

  private static String text(JsonNode node, String what, String field) throws PipelineException {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw malformed("expected a string '" + what + "'");
    }
    return v.asText();
  }

  private static Sha256 sha(JsonNode node, String what) throws PipelineException {
    return new Sha256(text(node, what, "sha256"));
  }

  private static List<String> strings(JsonNode root, String field) throws PipelineException {
    JsonNode a = root.get(field);
    if (a == null || !a.isArray() || a.isEmpty()) {
      throw malformed("expected a non-empty array '" + field + "'");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode v : a) {
      if (!v.isTextual()) {
        throw malformed("'" + field + "' holds a non-string");
      }
      out.add(v.asText());
    }
    return out;
  }

  private static PipelineException malformed(String what) {
    return new PipelineException(Reason.MALFORMED, FILE + ": " + what);
  }
}
