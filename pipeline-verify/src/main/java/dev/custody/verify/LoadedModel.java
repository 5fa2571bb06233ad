package dev.custody.verify;

import dev.custody.core.Sha256;
import java.util.Objects;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * A model that {@link ModelLoader} deserialized from verified bytes after its class names passed
 * the allow-list and its labels and feature names matched the signed record. Only the loader
 * constructs it.
 */
public final class LoadedModel {
  private final Model<Label> model;
  private final Sha256 digest;
  private final String signer;

  LoadedModel(Model<Label> model, Sha256 digest, String signer) {
    this.model = Objects.requireNonNull(model, "model");
    this.digest = Objects.requireNonNull(digest, "digest");
    this.signer = Objects.requireNonNull(signer, "signer");
  }

  /** The Tribuo model, ready to predict. */
  public Model<Label> model() {
    return model;
  }

  /** The SHA-256 of the exact bytes the model was read from. */
  public Sha256 digest() {
    return digest;
  }

  /** The identity that signed those bytes. */
  public String signer() {
    return signer;
  }

  @Override
  public String toString() {
    return "LoadedModel{" + model.getClass().getName() + ", " + digest + ", signed by " + signer + "}";
  }
}
