package dev.custody.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import dev.custody.core.Sha256;
import dev.custody.core.chain.FeatureSchema;
import dev.custody.core.chain.GatePredicate;
import dev.custody.verify.InvalidInputException;
import dev.custody.verify.Prediction;
import dev.custody.verify.VerifiedChain;
import dev.custody.verify.VerifiedModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The model a {@link ModelServer} serves: a chain that verified and the model loaded from its
 * verified bytes, with the answers that do not change while it is served (its metadata) made once.
 * A reload replaces the whole object at once; a request reads it once and finishes on it.
 */
public final class ServedModel {
  /** The platform name of the model metadata. */
  static final String PLATFORM = "tribuo";

  private final Path directory;
  private final VerifiedChain chain;
  private final VerifiedModel model;
  private final String digestHeader;
  private final byte[] metadata;
  private final Inference.Columns columns;
  private final Inference.Template responseTemplate;

  /** The model as flat arrays, if it is a tree or forest: Tribuo otherwise. */
  private final CompiledTrees compiled;

  /** The compiled model's output id of each of {@link #classes()}, if compiled. */
  private final int[] classIds;

  ServedModel(Path directory, VerifiedChain chain, VerifiedModel model) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.chain = Objects.requireNonNull(chain, "chain");
    this.model = Objects.requireNonNull(model, "model");
    this.digestHeader = chain.rootDigest().toString();
    this.metadata = Json.write(metadataNode());
    this.columns = Inference.Columns.of(model.schema());
    this.responseTemplate = new Inference.Template(name(), version(), classes());
    this.compiled = CompiledTrees.of(model.tribuoModel()).orElse(null);
    this.classIds = compiled == null ? null : compiled.ids(classes());
  }

  /**
   * Predicts one raw row, as {@link VerifiedModel#predict} does and with its result: through the
   * compiled trees when they can answer, else through Tribuo (which also says why it refuses).
   */
  Prediction predict(Map<String, ?> row) throws InvalidInputException {
    if (compiled != null) {
      Prediction p = compiled.predict(model.encoder().encode(row));
      if (p != null) {
        return p;
      }
    }
    return model.predict(row);
  }

  /**
   * Predicts one raw row as {@link #predict(Map)} does, writing from {@code offset} the score of
   * each of {@link #classes()} (0 for one it does not score), and returns the label: no {@link
   * Prediction} is made when the compiled trees answer.
   */
  String predict(Map<String, ?> row, double[] probabilities, int offset)
      throws InvalidInputException {
    if (compiled != null) {
      Object[] values = row instanceof ColumnRow c ? c.featureValues() : null;
      String label =
          compiled.predict(
              values != null
                  ? model.encoder().encodeFeatureValues(values)
                  : model.encoder().encode(row),
              classIds,
              probabilities,
              offset);
      if (label != null) {
        return label;
      }
    }
    Prediction p = model.predict(row);
    List<String> classes = classes();
    for (int k = 0; k < classes.size(); k++) {
      probabilities[offset + k] = p.scores().getOrDefault(classes.get(k), 0.0);
    }
    return p.label();
  }

  /** Whether predictions go through {@link CompiledTrees}. */
  boolean compiled() {
    return compiled != null;
  }

  /** The model directory it was verified from. */
  public Path directory() {
    return directory;
  }

  /** The verified chain: every link, signer and digest. */
  public VerifiedChain chain() {
    return chain;
  }

  /** The model, loaded from the verified bytes. */
  public VerifiedModel model() {
    return model;
  }

  /** The model's name, from the signed card. */
  public String name() {
    return chain.name();
  }

  /** The model's version, from the signed card. */
  public int version() {
    return chain.version();
  }

  /** The model root digest {@code R}, which every inference answer names. */
  public Sha256 rootDigest() {
    return chain.rootDigest();
  }

  /** The signed schema's columns as inference requests are read against them. */
  Inference.Columns columns() {
    return columns;
  }

  /** The constant parts of this model's inference responses. */
  Inference.Template responseTemplate() {
    return responseTemplate;
  }

  /** Who signed the model. */
  public String signer() {
    return chain.modelSigner();
  }

  /** The labels, in the order of every probability vector the server answers with. */
  public List<String> classes() {
    return chain.card().labels();
  }

  /** {@code sha256:<hex>} of the root digest: the {@code Custody-Model-Digest} header. */
  String digestHeader() {
    return digestHeader;
  }

  /** The model metadata response (OIP {@code $metadata_model_response}), as JSON. */
  byte[] metadata() {
    return metadata.clone();
  }

  private ObjectNode metadataNode() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("name", name());
    root.putArray("versions").add(String.valueOf(version()));
    root.put("platform", PLATFORM);
    ArrayNode inputs = root.putArray("inputs");
    FeatureSchema schema = model.schema();
    schema.numeric().forEach(c -> tensor(inputs, c.column(), "FP64", -1));
    schema.categorical().forEach(c -> tensor(inputs, c.column(), "BYTES", -1));
    schema.text().forEach(c -> tensor(inputs, c.column(), "BYTES", -1));
    ArrayNode outputs = root.putArray("outputs");
    tensor(outputs, "label", "BYTES", -1);
    ObjectNode probabilities = tensor(outputs, "probabilities", "FP64", -1);
    probabilities.withArray("shape").add(classes().size());
    ArrayNode classOrder = probabilities.putObject("parameters").putArray("classes");
    classes().forEach(classOrder::add);

    ObjectNode p = root.putObject("parameters");
    p.put("model_root_digest", chain.rootDigest().toString());
    p.put("content_digest", chain.contentDigest().toString());
    p.put("model_file_digest", chain.model().digest().toString());
    p.put("signer", signer());
    p.put("dataset_digest", chain.datasetDigest().toString());
    p.put("trainer", chain.card().trainer());
    ArrayNode classes = p.putArray("classes");
    classes().forEach(classes::add);
    ObjectNode gate = p.putObject("gate");
    chain
        .gate()
        .ifPresentOrElse(
            g -> {
              gate.put("status", g.predicate().passed() ? "passed" : "failed");
              gate.put("signer", g.signer());
              ArrayNode results = gate.putArray("results");
              for (GatePredicate.Gate each : g.predicate().gates()) {
                ObjectNode r = results.addObject();
                r.put("name", each.name());
                r.put("metric", each.metric());
                r.put("comparator", each.comparator());
                r.put("threshold", each.threshold());
                if (Double.isFinite(each.observed())) {
                  r.put("observed", each.observed());
                } else {
                  r.putNull("observed");
                }
                r.put("passed", each.passed());
              }
            },
            () -> gate.put("status", "absent"));
    ObjectNode reproduction = p.putObject("reproduction");
    chain
        .reproduction()
        .ifPresentOrElse(
            r -> {
              reproduction.put("status", r.predicate().result());
              reproduction.put("signer", r.signer());
              reproduction.put(
                  "reproduced_content_digest", r.predicate().reproducedContentDigest().toString());
            },
            () -> reproduction.put("status", "absent"));
    ArrayNode links = p.putArray("chain");
    for (VerifiedChain.Link l : chain.links()) {
      ObjectNode n = links.addObject();
      n.put("what", l.what());
      n.put("file", l.file());
      n.put("digest", l.digest().toString());
      n.put("signer", l.signer());
    }
    return root;
  }

  private static ObjectNode tensor(ArrayNode into, String name, String datatype, int firstDim) {
    ObjectNode t = into.addObject();
    t.put("name", name);
    t.put("datatype", datatype);
    t.putArray("shape").add(firstDim);
    return t;
  }

  @Override
  public String toString() {
    return "ServedModel[" + name() + " v" + version() + " " + digestHeader + "]";
  }
}
