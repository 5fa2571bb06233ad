package dev.custody.verify;

import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.chain.FeatureSchema;
import dev.custody.core.chain.ModelCard;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;

/**
 * A model whose whole chain of custody verified, deserialized by the safe loader from the verified
 * bytes, ready to predict on raw input rows. Only {@link VerifiedChain#load()} constructs it.
 *
 * <pre>{@code
 * VerifiedModel model = ChainVerifier.builder(policy).build().verify(modelDir).load();
 * Prediction p = model.predict(Map.of("LIMIT_BAL", 20000, "SEX", "2", ...));
 * }</pre>
 *
 * <h3>Security guarantees</h3>
 *
 * The model was loaded from the bytes that verified (class names checked against the allow-list
 * before any was loaded; label set and feature names equal to the signed card), and {@link
 * #predict} encodes raw values with the {@link FeatureEncoder} built from the signed schema, the
 * same encoder training used, so a row the schema refuses never reaches the model.
 */
public final class VerifiedModel {
  private final Model<Label> model;
  private final ModelCard card;
  private final FeatureEncoder encoder;
  private final Sha256 digest;
  private final String signer;

  /**
   * Whether every feature a row can have is one the model was trained on: then every row (never
   * without a feature) has one, and {@link #example} need not look each up.
   */
  private final boolean everyFeatureKnown;

  VerifiedModel(
      Model<Label> model, ModelCard card, FeatureSchema schema, Sha256 digest, String signer) {
    this.model = Objects.requireNonNull(model, "model");
    this.card = Objects.requireNonNull(card, "card");
    this.encoder = FeatureEncoder.of(schema);
    this.digest = Objects.requireNonNull(digest, "digest");
    this.signer = Objects.requireNonNull(signer, "signer");
    // Without text columns a row's features are one per feature column, each a fixed name.
    List<String> fixed = schema.fixedFeatureNames();
    this.everyFeatureKnown =
        schema.text().isEmpty()
            && !schema.featureColumns().isEmpty()
            && fixed.stream().allMatch(n -> model.getFeatureIDMap().getID(n) >= 0);
  }

  /**
   * Predicts the label of one raw input row.
   *
   * @param row column name → raw value, as {@link FeatureEncoder#encode} takes it
   * @return the predicted label and the score of every label
   * @throws InvalidInputException ({@link Reason#DATA_INVALID}) if the signed schema refuses the
   *     row, or none of its features is one the model was trained on
   */
  public Prediction predict(Map<String, ?> row) throws InvalidInputException {
    return prediction(model.predict(example(row)));
  }

  /**
   * Predicts the label of each raw input row, in order.
   *
   * @throws InvalidInputException as {@link #predict(Map)}, for the first row refused
   */
  public List<Prediction> predictAll(List<? extends Map<String, ?>> rows)
      throws InvalidInputException {
    List<Example<Label>> examples = new ArrayList<>(rows.size());
    for (Map<String, ?> row : rows) {
      examples.add(example(row));
    }
    List<Prediction> out = new ArrayList<>(examples.size());
    for (org.tribuo.Prediction<Label> p : model.predict(examples)) {
      out.add(prediction(p));
    }
    return out;
  }

  private Example<Label> example(Map<String, ?> row) throws InvalidInputException {
    Features f = encoder.encode(row);
    if (!everyFeatureKnown && !anyKnown(f)) {
      List<String> columns = encoder.featureColumns();
      throw new InvalidInputException(
          columns.get(columns.size() - 1),
          columns.size() - 1,
          "expected at least one feature the model was trained on, found none of " + f.names());
    }
    String[] names = f.names().toArray(new String[0]);
    return new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, names, f.values());
  }

  private boolean anyKnown(Features f) {
    for (int i = 0; i < f.size(); i++) {
      if (model.getFeatureIDMap().getID(f.name(i)) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static Prediction prediction(org.tribuo.Prediction<Label> p) {
    TreeMap<String, Double> scores = new TreeMap<>();
    p.getOutputScores().forEach((name, label) -> scores.put(name, label.getScore()));
    return new Prediction(p.getOutput().getLabel(), scores);
  }

  /** The encoder of the signed schema, which {@link #predict} uses. */
  public FeatureEncoder encoder() {
    return encoder;
  }

  /** The signed schema of the raw input columns. */
  public FeatureSchema schema() {
    return encoder.schema();
  }

  /** The signed model card. */
  public ModelCard card() {
    return card;
  }

  /** The model's name, from the card. */
  public String name() {
    return card.name();
  }

  /** The model's version, from the card. */
  public int version() {
    return card.version();
  }

  /** The SHA-256 of the exact bytes the model was read from. */
  public Sha256 digest() {
    return digest;
  }

  /** The identity that signed those bytes (through the model signature). */
  public String signer() {
    return signer;
  }

  /**
   * The Tribuo model, for Tribuo-level evaluation of verified data (training's gates evaluate a
   * verified baseline this way). Its inputs must be features that {@link #encoder()} produced from
   * raw rows, never hand-made feature names: {@link #predict} is the way to use the model on raw
   * input.
   */
  public Model<Label> tribuoModel() {
    return model;
  }

  @Override
  public String toString() {
    return "VerifiedModel{"
        + card.name()
        + " v"
        + card.version()
        + ", "
        + model.getClass().getName()
        + ", "
        + digest
        + ", signed by "
        + signer
        + "}";
  }
}
