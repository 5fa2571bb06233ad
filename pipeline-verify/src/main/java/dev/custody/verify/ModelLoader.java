package dev.custody.verify;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.custody.core.Printable;
import dev.custody.core.Reason;
import dev.custody.core.VerificationException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import org.tribuo.Model;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.protos.core.ModelProto;

/**
 * The only place Custody deserializes a model, and only from a {@link VerifiedArtifact}. Package
 * private: the one public way to load a model is {@link VerifiedChain#load()}, which takes the
 * expectations from the signed card, never from its caller.
 *
 * <p>{@link #load} works in this order, and each step refuses the model before the next runs:
 *
 * <ol>
 *   <li>parse the verified bytes as a Tribuo {@code ModelProto}, within a size and nesting limit;
 *   <li>read every Java class name and every {@code Any} type in the whole message (nested models,
 *       provenance, domains, transformers: see {@link ModelScan}) and refuse the model if one is
 *       not on the {@link ModelAllowList}; no class has been loaded at this point;
 *   <li>reject Java deserialization on this thread (none of the supported model types uses it),
 *       which needs {@link DeserializationFilter#install()} to have run;
 *   <li>let Tribuo deserialize that same parsed message;
 *   <li>check that the model predicts {@link Label}s, and that its label set and feature names
 *       equal the signed {@link ModelExpectations}.
 * </ol>
 *
 * <h3>Security guarantees</h3>
 *
 * <p>A model naming a class outside the allow-list is refused before that class is loaded, so its
 * static initializer never runs. The bytes deserialized are exactly the bytes verified: there is no
 * path or stream to swap between the check and the load.
 */
final class ModelLoader {
  private static final int MAX_NAMES_IN_MESSAGE = 10;

  private ModelLoader() {}

  /**
   * Loads a classification model with the {@linkplain ModelLimits#defaults() default limits}.
   *
   * @param artifact the verified model file (Tribuo's protobuf format)
   * @param expected the label set and feature names from the signed training record
   * @param allow the classes and protobuf types the model may name
   * @return the model
   * @throws VerificationException as {@link #load(VerifiedArtifact, ModelExpectations,
   *     ModelAllowList, ModelLimits)} does
   */
  static Model<Label> load(
      VerifiedArtifact artifact, ModelExpectations expected, ModelAllowList allow)
      throws VerificationException {
    return load(artifact, expected, allow, ModelLimits.defaults());
  }

  /**
   * Loads a classification model from verified bytes.
   *
   * @param artifact the verified model file (Tribuo's protobuf format)
   * @param expected the label set and feature names from the signed training record
   * @param allow the classes and protobuf types the model may name
   * @param limits the size and nesting limits
   * @return the model
   * @throws VerificationException {@link Reason#MODEL_TOO_LARGE} if the file exceeds the limit;
   *     {@link Reason#MALFORMED} if it is not a well-formed Tribuo model or Tribuo cannot
   *     deserialize it; {@link Reason#UNSAFE_MODEL} if it names a class or type the allow-list does
   *     not permit; {@link Reason#UNSUPPORTED} if it needs a Tribuo module that is not on the
   *     classpath; {@link Reason#MODEL_MISMATCH} if it does not predict labels, or its label set or
   *     feature names differ from {@code expected}
   * @throws IllegalStateException if {@link DeserializationFilter#install()} has not run in this
   *     JVM
   */
  static Model<Label> load(
      VerifiedArtifact artifact,
      ModelExpectations expected,
      ModelAllowList allow,
      ModelLimits limits)
      throws VerificationException {
    Objects.requireNonNull(artifact, "artifact");
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(allow, "allow");
    Objects.requireNonNull(limits, "limits");

    ModelProto proto = parse(artifact, limits);
    requireAllowed(ModelScan.scan(proto, allow, limits.maxNestingDepth()), allow);
    DeserializationFilter.requireInstalled();
    Model<?> model;
    try {
      model = DeserializationFilter.call(() -> deserialize(proto));
    } catch (RuntimeException e) {
      throw new VerificationException(
          Reason.MALFORMED, "Tribuo could not deserialize the model: " + printable(describe(e)), e);
    }
    return check(model, expected);
  }

  /**
   * Steps 1 and 2 of {@link #load} alone: parses the verified bytes within the limits and refuses
   * them if they name a class or type the allow-list does not permit. Loads no class and
   * deserializes nothing: what {@link ChainVerifier} runs on every model it verifies.
   *
   * @throws VerificationException {@link Reason#MODEL_TOO_LARGE}, {@link Reason#MALFORMED}, {@link
   *     Reason#UNSAFE_MODEL} or {@link Reason#UNSUPPORTED}, as {@link #load} does for these steps
   */
  static void requireSafe(VerifiedArtifact artifact, ModelAllowList allow, ModelLimits limits)
      throws VerificationException {
    ModelProto proto = parse(artifact, limits);
    requireAllowed(ModelScan.scan(proto, allow, limits.maxNestingDepth()), allow);
  }

  private static ModelProto parse(VerifiedArtifact artifact, ModelLimits limits)
      throws VerificationException {
    if (artifact.size() > limits.maxModelBytes()) {
      throw new VerificationException(
          Reason.MODEL_TOO_LARGE,
          "model is " + artifact.size() + " bytes, the limit is " + limits.maxModelBytes());
    }
    try (InputStream in = artifact.open()) {
      CodedInputStream coded = CodedInputStream.newInstance(in);
      coded.setSizeLimit((int) limits.maxModelBytes());
      coded.setRecursionLimit(limits.maxNestingDepth());
      ModelProto proto = ModelProto.parseFrom(coded);
      coded.checkLastTagWas(0);
      if (!coded.isAtEnd()) {
        throw new InvalidProtocolBufferException("bytes after the end of the model");
      }
      if (proto.getClassName().isEmpty() || !proto.hasSerializedData()) {
        throw new InvalidProtocolBufferException("no model class or no model data");
      }
      return proto;
    } catch (IOException e) {
      throw new VerificationException(Reason.MALFORMED, "not a Tribuo model: " + e.getMessage(), e);
    }
  }

  private static void requireAllowed(ModelScan scan, ModelAllowList allow)
      throws VerificationException {
    List<String> refused = new ArrayList<>();
    for (ModelScan.Found f : scan.classNames()) {
      if (!allow.allowsClass(f.name())) {
        refused.add("class " + printable(f.name()) + " at " + printable(f.path()));
      }
    }
    for (ModelScan.Found f : scan.protoTypes()) {
      if (!allow.allowsProtoType(f.name())) {
        refused.add("protobuf type " + printable(f.name()) + " at " + printable(f.path()));
      }
    }
    if (!refused.isEmpty()) {
      throw new VerificationException(
          Reason.UNSAFE_MODEL, "model names what the allow-list does not permit: " + list(refused));
    }
    if (!scan.unreadable().isEmpty()) {
      List<String> missing = new ArrayList<>();
      for (ModelScan.Found f : scan.unreadable()) {
        missing.add(f.name() + " at " + f.path());
      }
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "model needs protobuf types whose Tribuo module is not on the classpath: "
              + list(missing));
    }
  }

  /** The one call into Tribuo's deserializer; only ever reached with a scanned message. */
  @SuppressForbidden(
      "the message was parsed from verified bytes and every class it names is allowed")
  private static Model<?> deserialize(ModelProto proto) {
    return Model.deserialize(proto);
  }

  private static String describe(Throwable e) {
    StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      out.append(": ").append(c.getMessage());
    }
    return out.toString();
  }

  private static Model<Label> check(Model<?> model, ModelExpectations expected)
      throws VerificationException {
    if (model.getOutputIDInfo().size() == 0 || !model.validate(Label.class)) {
      Object first = model.getOutputIDInfo().getDomain().stream().findFirst().orElse(null);
      throw new VerificationException(
          Reason.MODEL_MISMATCH,
          "model output type is "
              + (first == null ? "empty" : first.getClass().getName())
              + ", expected "
              + Label.class.getName());
    }
    Model<Label> labelled = model.castModel(Label.class);

    SortedSet<String> labels = new TreeSet<>();
    for (Label label : labelled.getOutputIDInfo().getDomain()) {
      labels.add(label.getLabel());
    }
    requireEqual("label set differs", expected.labels(), labels);

    SortedSet<String> features = new TreeSet<>();
    for (VariableInfo info : labelled.getFeatureIDMap()) {
      features.add(info.getName());
    }
    requireEqual("feature names differ", expected.featureNames(), features);
    return labelled;
  }

  private static void requireEqual(
      String differs, SortedSet<String> expected, SortedSet<String> found)
      throws VerificationException {
    if (expected.equals(found)) {
      return;
    }
    List<String> missing = new ArrayList<>();
    for (String name : expected) {
      if (!found.contains(name)) {
        missing.add(printable(name));
      }
    }
    List<String> unexpected = new ArrayList<>();
    for (String name : found) {
      if (!expected.contains(name)) {
        unexpected.add(printable(name));
      }
    }
    throw new VerificationException(
        Reason.MODEL_MISMATCH,
        differs
            + " from the signed record: expected "
            + expected.size()
            + ", found "
            + found.size()
            + "; missing "
            + list(missing)
            + ", unexpected "
            + list(unexpected));
  }

  private static String list(List<String> items) {
    if (items.size() <= MAX_NAMES_IN_MESSAGE) {
      return items.toString();
    }
    return items
        .subList(0, MAX_NAMES_IN_MESSAGE)
        .toString()
        .replaceFirst("]$", ", … " + (items.size() - MAX_NAMES_IN_MESSAGE) + " more]");
  }

  /** Names come from an untrusted file: keep messages one printable line of bounded length. */
  private static String printable(String s) {
    return Printable.of(s, 200);
  }
}
