package dev.custody.verify;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The Java classes and protobuf message types a model file may name. {@link ModelLoader} reads
 * every class name and every {@code Any} type in a model and refuses the model, before loading any
 * class, if one is not listed here. Entries are exact names: there are no wildcards.
 *
 * <h3>Security guarantees</h3>
 *
 * <p>Tribuo calls {@code Class.forName} (which runs static initializers) on class names read from
 * the model file before it checks their type. A class missing from this list is therefore never
 * loaded on behalf of a model.
 */
public final class ModelAllowList {
  private static final Pattern CLASS_NAME =
      Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)+");
  private static final Pattern PROTO_TYPE =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+");

  /**
   * Custody's own trainers: the histogram trees (pipeline-train's {@code dev.custody.train.tree})
   * and L-BFGS logistic regression ({@code dev.custody.train.linear}). Their models are plain
   * Tribuo trees, forests and {@code LinearSGDModel}s; these names appear only as the {@code
   * object_class_name} of the trainer provenance ({@code TrainerProvenanceImpl}, whose own class is
   * listed), which OLCUT records and never loads. pipeline-train's {@code TrainServeAgreementTest}
   * loads such models through the chain with the default list.
   */
  static final List<String> CUSTODY_TRAINERS =
      List.of(
          "dev.custody.train.linear.LbfgsLogisticTrainer",
          "dev.custody.train.tree.HistCartTrainer",
          "dev.custody.train.tree.HistForestTrainer");

  private static final ModelAllowList DEFAULTS = defaultsBuilder().build();

  private final SortedSet<String> classNames;
  private final SortedSet<String> protoTypes;

  private ModelAllowList(Builder b) {
    this.classNames = Collections.unmodifiableSortedSet(new TreeSet<>(b.classNames));
    this.protoTypes = Collections.unmodifiableSortedSet(new TreeSet<>(b.protoTypes));
  }

  /**
   * Exactly what the model types Custody supports need, as Tribuo 4.3.2 writes them: logistic
   * regression ({@code LinearSGDModel}, also standardized inside a {@code TransformedModel} as
   * pipeline-train trains it), CART ({@code TreeModel}) and random forest ({@code
   * WeightedEnsembleModel} of trees with a {@code VotingCombiner} or, from pipeline-train's {@code
   * RandomForestTrainer}, a {@code FullyWeightedVotingCombiner}), trained on in-memory data ({@code
   * SimpleDataSourceProvenance}); the same tree, forest and linear model classes also come from
   * Custody's own trainers, whose class names their provenance records. The list was read off real
   * trained models by {@code ModelAllowListTest}, which fails if Tribuo's output and this list
   * drift apart.
   */
  public static ModelAllowList defaults() {
    return DEFAULTS;
  }

  /** An empty builder: a list built from it allows only what is added to it. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this list's entries, to extend it (for example with a data source's
   * provenance class).
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.classNames.addAll(classNames);
    b.protoTypes.addAll(protoTypes);
    return b;
  }

  /**
   * The allowed Java class names (binary names, as {@code Class.getName()} returns them), sorted.
   */
  public SortedSet<String> classNames() {
    return classNames;
  }

  /** The allowed protobuf message types (full names, as in an {@code Any} type URL), sorted. */
  public SortedSet<String> protoTypes() {
    return protoTypes;
  }

  /** Whether {@code className} is allowed. */
  public boolean allowsClass(String className) {
    return classNames.contains(className);
  }

  /** Whether the protobuf message type {@code fullName} is allowed. */
  public boolean allowsProtoType(String fullName) {
    return protoTypes.contains(fullName);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelAllowList other
        && classNames.equals(other.classNames)
        && protoTypes.equals(other.protoTypes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(classNames, protoTypes);
  }

  @Override
  public String toString() {
    return "ModelAllowList{classes=" + classNames + ", protoTypes=" + protoTypes + "}";
  }

  /** Collects allowed names; {@link #build()} returns an immutable list. */
  public static final class Builder {
    private final Set<String> classNames = new TreeSet<>();
    private final Set<String> protoTypes = new TreeSet<>();

    private Builder() {}

    /**
     * Allows the given Java classes, by binary name ({@code com.example.Outer$Inner}).
     *
     * @throws IllegalArgumentException if a name is not a package-qualified Java binary name (so
     *     wildcards such as {@code org.tribuo.*} are refused)
     */
    public Builder allowClass(String... names) {
      for (String name : names) {
        if (name == null || !CLASS_NAME.matcher(name).matches()) {
          throw new IllegalArgumentException("not a package-qualified Java class name: " + name);
        }
        classNames.add(name);
      }
      return this;
    }

    /**
     * Allows the given protobuf message types, by full name ({@code tribuo.core.ModelDataProto}).
     *
     * @throws IllegalArgumentException if a name is not a package-qualified protobuf type name
     */
    public Builder allowProtoType(String... fullNames) {
      for (String name : fullNames) {
        if (name == null || !PROTO_TYPE.matcher(name).matches()) {
          throw new IllegalArgumentException("not a package-qualified protobuf type name: " + name);
        }
        protoTypes.add(name);
      }
      return this;
    }

    /** The allow-list. */
    public ModelAllowList build() {
      return new ModelAllowList(this);
    }
  }

  private static Builder defaultsBuilder() {
    return builder()
        // class_name: Tribuo passes these to Class.forName.
        .allowClass(
            "org.tribuo.CategoricalIDInfo",
            "org.tribuo.ImmutableFeatureMap",
            "org.tribuo.RealIDInfo",
            "org.tribuo.classification.ImmutableLabelInfo",
            "org.tribuo.classification.Label",
            "org.tribuo.classification.ensemble.FullyWeightedVotingCombiner",
            "org.tribuo.classification.ensemble.VotingCombiner",
            "org.tribuo.classification.sgd.linear.LinearSGDModel",
            // Tribuo 4.3.2 writes LeafNode for split nodes too, and reads nodes by their Any type.
            "org.tribuo.common.tree.LeafNode",
            "org.tribuo.common.tree.TreeModel",
            "org.tribuo.ensemble.WeightedEnsembleModel",
            "org.tribuo.math.LinearParameters",
            "org.tribuo.math.la.DenseMatrix",
            "org.tribuo.math.util.ExpNormalizer",
            // Standardized logistic regression (pipeline-train's Trainers): the model, its
            // transformers, their provenance and the trainers named in it.
            "org.tribuo.classification.sgd.linear.LinearSGDTrainer",
            "org.tribuo.transform.TransformTrainer",
            "org.tribuo.transform.TransformationMap",
            "org.tribuo.transform.TransformationMap$TransformationList",
            "org.tribuo.transform.TransformedModel",
            "org.tribuo.transform.TransformerMap",
            "org.tribuo.transform.TransformerMap$TransformerMapProvenance",
            "org.tribuo.transform.transformations.MeanStdDevTransformation",
            "org.tribuo.transform.transformations.MeanStdDevTransformation$MeanStdDevTransformationProvenance",
            "org.tribuo.transform.transformations.MeanStdDevTransformation$MeanStdDevTransformer")
        // provenance_class_name: OLCUT passes these to Class.forName.
        .allowClass(
            "com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl",
            "com.oracle.labs.mlrg.olcut.provenance.primitives.BooleanProvenance",
            "com.oracle.labs.mlrg.olcut.provenance.primitives.DateTimeProvenance",
            "com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance",
            "com.oracle.labs.mlrg.olcut.provenance.primitives.FloatProvenance",
            "com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance",
            "com.oracle.labs.mlrg.olcut.provenance.primitives.LongProvenance",
            "com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance",
            "org.tribuo.classification.LabelFactory$LabelFactoryProvenance",
            "org.tribuo.dataset.DatasetView$DatasetViewProvenance",
            "org.tribuo.provenance.DatasetProvenance",
            "org.tribuo.provenance.EnsembleModelProvenance",
            "org.tribuo.provenance.ModelProvenance",
            "org.tribuo.provenance.SimpleDataSourceProvenance",
            "org.tribuo.provenance.impl.TrainerProvenanceImpl")
        // object_class_name: recorded in provenance, never loaded; checked all the same.
        .allowClass(
            "org.tribuo.DataSource",
            "org.tribuo.MutableDataset",
            "org.tribuo.classification.LabelFactory",
            "org.tribuo.classification.dtree.CARTClassificationTrainer",
            "org.tribuo.classification.dtree.impurity.GiniIndex",
            "org.tribuo.classification.sgd.linear.LogisticRegressionTrainer",
            "org.tribuo.classification.sgd.objectives.LogMulticlass",
            "org.tribuo.dataset.DatasetView",
            "org.tribuo.common.tree.RandomForestTrainer",
            "org.tribuo.ensemble.BaggingTrainer",
            "org.tribuo.math.optimisers.AdaGrad")
        .allowClass(CUSTODY_TRAINERS.toArray(new String[0]))
        // Any type URLs.
        .allowProtoType(
            "tribuo.classification.ImmutableLabelInfoProto",
            "tribuo.classification.LabelProto",
            "tribuo.classification.sgd.ClassificationLinearSGDProto",
            "tribuo.common.tree.LeafNodeProto",
            "tribuo.common.tree.SplitNodeProto",
            "tribuo.common.tree.TreeModelProto",
            "tribuo.core.CategoricalIDInfoProto",
            "tribuo.core.ImmutableFeatureMapProto",
            "tribuo.core.MeanStdDevTransformerProto",
            "tribuo.core.RealIDInfoProto",
            "tribuo.core.TransformedModelProto",
            "tribuo.core.WeightedEnsembleModelProto",
            "tribuo.math.impl.DenseTensorProto",
            "tribuo.math.impl.LinearParametersProto");
  }
}
