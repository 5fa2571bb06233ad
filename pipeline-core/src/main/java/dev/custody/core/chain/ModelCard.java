package dev.custody.core.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.VerificationException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A model's {@code model-card.json}, as signed by the model signature: what the model is, which
 * exact file holds it, which raw columns it reads ({@link #schema()}), what it was trained on and
 * how it scored. The one definition of the format in {@code docs/chain-format.md}: the trainer
 * writes it with {@link #toJson()}, and the chain verifier reads it with {@link #parse(byte[])},
 * strictly, from verified bytes.
 *
 * @param name the model's name
 * @param version the model's version (rollback protection compares it)
 * @param trainer the trainer type, e.g. {@code random-forest}
 * @param labels the labels the model predicts, sorted
 * @param features the feature names the model was trained on, sorted
 * @param schema the raw-column schema inputs are checked against and encoded from
 * @param positiveLabel the label metrics treat as positive; one of {@code labels}
 * @param modelFile the model file's name and SHA-256
 * @param contentDigest the model's content digest (without volatile provenance)
 * @param dataset the dataset subject digest D (Merkle root of the kept rows)
 * @param spec the pipeline spec's file name and SHA-256
 * @param metrics the test-split metrics, as the trainer wrote them
 */
public record ModelCard(
    String name,
    int version,
    String trainer,
    List<String> labels,
    List<String> features,
    FeatureSchema schema,
    String positiveLabel,
    FileRef modelFile,
    Sha256 contentDigest,
    Sha256 dataset,
    FileRef spec,
    JsonNode metrics) {
  private static final String WHERE = ChainLayout.CARD_FILE;
  private static final Set<String> FIELDS =
      Set.of(
          "name",
          "version",
          "trainer",
          "labels",
          "features",
          "schema",
          "positiveLabel",
          "modelFile",
          "contentDigest",
          "dataset",
          "spec",
          "metrics");

  /**
   * A file named by the card.
   *
   * @param name the file name
   * @param sha256 the SHA-256 of its bytes
   */
  public record FileRef(String name, Sha256 sha256) {
    /** Validates the reference. */
    public FileRef {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(sha256, "sha256");
    }
  }

  /**
   * Validates the card.
   *
   * @throws IllegalArgumentException if the version is below 1, {@code positiveLabel} is not one of
   *     {@code labels}, or {@code modelFile} is not {@value ChainLayout#MODEL_FILE}
   */
  public ModelCard {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(schema, "schema");
    if (version < 1) {
      throw new IllegalArgumentException("version must be at least 1, got " + version);
    }
    Objects.requireNonNull(trainer, "trainer");
    // Sorted and distinct, as the format requires (parse refuses other orders before this runs).
    labels = List.copyOf(new TreeSet<>(labels));
    features = List.copyOf(new TreeSet<>(features));
    Objects.requireNonNull(positiveLabel, "positiveLabel");
    Objects.requireNonNull(modelFile, "modelFile");
    Objects.requireNonNull(contentDigest, "contentDigest");
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(spec, "spec");
    if (!labels.contains(positiveLabel)) {
      throw new IllegalArgumentException(
          "positiveLabel '" + positiveLabel + "' is not one of " + labels);
    }
    if (!modelFile.name().equals(ChainLayout.MODEL_FILE)) {
      throw new IllegalArgumentException(
          "modelFile must be " + ChainLayout.MODEL_FILE + ", got " + modelFile.name());
    }
    metrics = metrics.deepCopy();
  }

  /** A copy of the metrics object. */
  @Override
  public JsonNode metrics() {
    return metrics.deepCopy();
  }

  /** The card as indented JSON with a final newline, fields in the documented order. */
  public byte[] toJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("name", name);
    root.put("version", version);
    root.put("trainer", trainer);
    labels.forEach(root.putArray("labels")::add);
    features.forEach(root.putArray("features")::add);
    root.set("schema", SchemaJson.write(schema, SchemaJson.Unbounded.OMIT));
    root.put("positiveLabel", positiveLabel);
    root.putObject("modelFile")
        .put("name", modelFile.name())
        .put("sha256", modelFile.sha256().hex());
    root.put("contentDigest", contentDigest.hex());
    root.putObject("dataset").put("sha256", dataset.hex());
    root.putObject("spec").put("name", spec.name()).put("sha256", spec.sha256().hex());
    root.set("metrics", metrics.deepCopy());
    return Json.writePretty(root);
  }

  /**
   * Parses signed card bytes strictly.
   *
   * @throws VerificationException {@link Reason#MALFORMED} naming the JSON path, for bytes that are
   *     not JSON, an unknown, missing or mistyped field, unsorted or repeated labels or features, a
   *     positive label that is not a label, a model file other than {@value ChainLayout#MODEL_FILE}
   *     or an invalid schema
   */
  public static ModelCard parse(byte[] json) throws VerificationException {
    JsonNode root;
    try {
      root = Json.parse(json, WHERE);
    } catch (PipelineException e) {
      throw new VerificationException(Reason.MALFORMED, e.getMessage(), e);
    }
    if (!root.isObject()) {
      throw JsonFields.malformed(WHERE, "a JSON object", root);
    }
    JsonFields.onlyFields(root, FIELDS, WHERE);
    List<String> labels = sortedDistinct(root, "labels");
    List<String> features = sortedDistinct(root, "features");
    String positive = JsonFields.text(root, "positiveLabel", WHERE);
    if (!labels.contains(positive)) {
      throw new VerificationException(
          Reason.MALFORMED,
          WHERE
              + ".positiveLabel: expected one of "
              + labels
              + ", found '"
              + JsonFields.shown(positive)
              + "'");
    }
    FeatureSchema schema = SchemaJson.read(root, "schema", WHERE, SchemaJson.Unbounded.OMIT);
    JsonNode metrics = JsonFields.object(root, "metrics", WHERE);
    JsonNode datasetNode = JsonFields.object(root, "dataset", WHERE);
    JsonFields.onlyFields(datasetNode, Set.of("sha256"), WHERE + ".dataset");
    return new ModelCard(
        JsonFields.text(root, "name", WHERE),
        JsonFields.positiveInt(root, "version", WHERE),
        JsonFields.text(root, "trainer", WHERE),
        labels,
        features,
        schema,
        positive,
        modelFile(root),
        JsonFields.hex(root, "contentDigest", WHERE),
        JsonFields.hex(datasetNode, "sha256", WHERE + ".dataset"),
        fileRef(root, "spec"),
        metrics);
  }

  private static FileRef modelFile(JsonNode root) throws VerificationException {
    FileRef f = fileRef(root, "modelFile");
    if (!ChainLayout.MODEL_FILE.equals(f.name())) {
      throw new VerificationException(
          Reason.MALFORMED,
          WHERE
              + ".modelFile.name: expected "
              + ChainLayout.MODEL_FILE
              + ", found '"
              + JsonFields.shown(f.name())
              + "'");
    }
    return f;
  }

  private static FileRef fileRef(JsonNode root, String field) throws VerificationException {
    JsonNode f = JsonFields.object(root, field, WHERE);
    String where = WHERE + "." + field;
    JsonFields.onlyFields(f, Set.of("name", "sha256"), where);
    return new FileRef(JsonFields.text(f, "name", where), JsonFields.hex(f, "sha256", where));
  }

  private static List<String> sortedDistinct(JsonNode root, String field)
      throws VerificationException {
    List<String> values = JsonFields.strings(root, field, WHERE);
    if (values.isEmpty()) {
      throw new VerificationException(
          Reason.MALFORMED, WHERE + "." + field + ": expected at least one name, found none");
    }
    for (int i = 1; i < values.size(); i++) {
      if (values.get(i - 1).compareTo(values.get(i)) >= 0) {
        throw new VerificationException(
            Reason.MALFORMED,
            WHERE
                + "."
                + field
                + ": expected sorted, distinct names, found '"
                + JsonFields.shown(values.get(i - 1))
                + "' before '"
                + JsonFields.shown(values.get(i))
                + "'");
      }
    }
    return values;
  }
}
