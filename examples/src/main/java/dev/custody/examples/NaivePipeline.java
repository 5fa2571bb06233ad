package dev.custody.examples;

import java.io.IOException;
import java.nio.file.Path;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * THE ATTACK'S VICTIM, NEVER CUSTODY'S PATH: what a pipeline without Custody does with a model file
 * handed over to it: deserialize whatever bytes are there, with no signature, no digest and no
 * class allow-list. The attack demos use it to show what a tampered file does to predictions.
 * Custody loads a model only through {@code ChainVerifier.verify(dir).load()}, from bytes verified
 * against a trusted signature.
 */
public final class NaivePipeline {
  private NaivePipeline() {}

  /** Deserializes {@code modelFile} as it is, trusting it blindly. */
  @SuppressForbidden(
      "the attack's victim: deliberately unverified, to show what tampering does without Custody")
  public static Model<Label> loadUnverified(Path modelFile) throws IOException {
    Model<?> model = Model.deserializeFromFile(modelFile);
    if (!model.validate(Label.class)) {
      throw new IOException(modelFile + " is not a classification model");
    }
    @SuppressWarnings("unchecked")
    Model<Label> labels = (Model<Label>) model;
    return labels;
  }
}
