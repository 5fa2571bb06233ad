package dev.custody.train.spec;

import static dev.custody.train.spec.InvalidParameter.integerIn;
import static dev.custody.train.spec.InvalidParameter.numberIn;

/**
 * Which trainer to run and with which parameters, seed included: everything that, together with the
 * training rows, determines the model. The spec's {@code trainer} section is parsed straight into
 * one of these records ({@code type: logistic | logistic-lbfgs | cart | random-forest | hist-cart |
 * hist-forest}); each validates its parameters on construction, so a spec that exists can be
 * trained. An absent parameter takes the default documented on its record; the seed defaults to the
 * split's seed.
 *
 * <p>Only trainers whose models are plain protobuf (no native code, no embedded Java serialization)
 * are offered: logistic regression, CART and random forest (Tribuo's, and Custody's own that emit
 * Tribuo's model classes). XGBoost and LibLinear are deliberately absent (DESIGN.md, "Tribuo
 * facts"). Trees use Gini impurity, the only one the safe loader's allow-list admits; the parser
 * refuses {@code impurity: entropy}.
 */
public sealed interface TrainerSpec
    permits TrainerSpec.LogisticRegression,
        TrainerSpec.LbfgsLogistic,
        TrainerSpec.Cart,
        TrainerSpec.RandomForest,
        TrainerSpec.HistCart,
        TrainerSpec.HistForest {

  /** The seed of every random choice the trainer makes. */
  long seed();

  /**
   * The trainer's {@code type} word in the spec ({@code logistic}, {@code logistic-lbfgs}, {@code
   * cart}, {@code random-forest}, {@code hist-cart}, {@code hist-forest}), also recorded in the
   * model card.
   */
  String type();

  /**
   * Multinomial logistic regression trained by SGD with AdaGrad (Tribuo {@code LinearSGDTrainer}
   * with the {@code LogMulticlass} objective), spec type {@code logistic}. With {@code
   * standardize}, every feature that is not constant on the training rows is z-scored with the
   * training mean and standard deviation (Tribuo {@code MeanStdDevTransformation} in a {@code
   * TransformTrainer}); the scaling is stored in the model ({@code TransformedModel}), so
   * prediction applies it too. Standardizing makes every example dense, so it is meant for numeric
   * tables, not for text with thousands of token features: a spec standardizes unless its params
   * say {@code standardize: false} (the bag-of-words SMS example does).
   *
   * @param learningRate AdaGrad's initial learning rate, in (0, 1000] (spec key {@code
   *     learningRate}, default 0.1)
   * @param epochs passes over the training rows, in [1, 10000] (default 20)
   * @param minibatch rows per gradient step, in [1, 1000000] (default 1)
   * @param standardize z-score the features before training
   * @param seed seed of the SGD shuffling
   */
  record LogisticRegression(
      double learningRate, int epochs, int minibatch, boolean standardize, long seed)
      implements TrainerSpec {
    /** Defaults that reach scikit-learn's accuracy on the credit example. */
    public static final double DEFAULT_LEARNING_RATE = 0.1;

    /** Default number of epochs. */
    public static final int DEFAULT_EPOCHS = 20;

    /** Default rows per gradient step. */
    public static final int DEFAULT_MINIBATCH = 1;

    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public LogisticRegression {
      numberIn("learningRate", learningRate, 0, false, 1_000);
      integerIn("epochs", epochs, 1, 10_000);
      integerIn("minibatch", minibatch, 1, 1_000_000);
    }

    /** Standardized features, learning rate 0.1, 20 epochs, minibatches of one row. */
    public static LogisticRegression withDefaults(long seed) {
      return new LogisticRegression(
          DEFAULT_LEARNING_RATE, DEFAULT_EPOCHS, DEFAULT_MINIBATCH, true, seed);
    }

    @Override
    public String type() {
      return "logistic";
    }
  }

  /**
   * Multinomial logistic regression with an L2 penalty solved full-batch by L-BFGS (Custody's
   * {@code dev.custody.train.linear.LbfgsLogisticTrainer}), spec type {@code logistic-lbfgs}: the
   * objective of scikit-learn's {@code LogisticRegression(solver="lbfgs", C=1/l2)}, deterministic,
   * on sparse rows. Its model is a plain Tribuo {@code LinearSGDModel}, standardized as {@link
   * LogisticRegression} does it (inside a {@code TransformedModel}) unless {@code standardize:
   * false}.
   *
   * @param l2 the penalty on the weights, scikit-learn's 1/C, in [0, 1e6] (default 1)
   * @param tolerance stop when no gradient component exceeds this, in (0, 1] (default 1e-4,
   *     scikit-learn's {@code tol})
   * @param maxIterations the most L-BFGS iterations, in [1, 100000] (default 100, scikit-learn's
   *     {@code max_iter})
   * @param standardize z-score the features before training
   * @param seed recorded with the spec; the solver makes no random choice
   */
  record LbfgsLogistic(
      double l2, double tolerance, int maxIterations, boolean standardize, long seed)
      implements TrainerSpec {
    /** Default penalty: scikit-learn's C = 1. */
    public static final double DEFAULT_L2 = 1.0;

    /** Default gradient tolerance, scikit-learn's. */
    public static final double DEFAULT_TOLERANCE = 1e-4;

    /** Default iteration limit, scikit-learn's. */
    public static final int DEFAULT_MAX_ITERATIONS = 100;

    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public LbfgsLogistic {
      numberIn("l2", l2, 0, true, 1e6);
      numberIn("tolerance", tolerance, 0, false, 1);
      integerIn("maxIterations", maxIterations, 1, 100_000);
    }

    /** Standardized features and the defaults above. */
    public static LbfgsLogistic withDefaults(long seed) {
      return new LbfgsLogistic(DEFAULT_L2, DEFAULT_TOLERANCE, DEFAULT_MAX_ITERATIONS, true, seed);
    }

    @Override
    public String type() {
      return "logistic-lbfgs";
    }
  }

  /**
   * One classification tree (Tribuo {@code CARTClassificationTrainer}, Gini impurity, every feature
   * considered at each split), spec type {@code cart}. The spec may give {@code featureFraction},
   * but only as 1.
   *
   * @param maxDepth maximum depth, in [1, 64], or {@link #UNLIMITED_DEPTH} (the default)
   * @param minLeaf minimum total example weight in a child (with unit weights: the minimum rows in
   *     a leaf, scikit-learn's {@code min_samples_leaf}), positive (default 5, Tribuo's)
   * @param minImpurityDecrease a split must lower the impurity by at least this, non-negative (a
   *     spec always uses 0)
   * @param seed seed of the tree's random choices
   */
  record Cart(int maxDepth, float minLeaf, float minImpurityDecrease, long seed)
      implements TrainerSpec {
    /** Default minimum weight of a leaf. */
    public static final float DEFAULT_MIN_LEAF = 5;

    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public Cart {
      requireDepth(maxDepth);
      requireMinLeaf(minLeaf);
      numberIn("minImpurityDecrease", minImpurityDecrease, 0, true, Float.MAX_VALUE);
    }

    @Override
    public String type() {
      return "cart";
    }
  }

  /**
   * A random forest, spec type {@code random-forest}: {@code trees} CART trees, each grown on a
   * bootstrap sample of the training rows and considering a random {@code featureFraction} of the
   * features at each split (Tribuo {@code RandomForestTrainer}). The trees' class distributions are
   * averaged ({@code FullyWeightedVotingCombiner}), as scikit-learn's {@code predict_proba} does.
   *
   * @param trees number of trees, in [1, 10000]; required (there is no sensible default: Tribuo's
   *     trees are slow on continuous features)
   * @param maxDepth maximum depth of each tree, in [1, 64], or {@link #UNLIMITED_DEPTH} (the
   *     default)
   * @param minLeaf minimum total example weight in a child, positive (default 5)
   * @param featureFraction fraction of the features tried at each split, in (0, 1); or null for the
   *     default √F / F of F features, scikit-learn's {@code max_features="sqrt"} (see {@link
   *     #featureFractionFor})
   * @param seed seed of the bootstrap samples and feature choices
   */
  record RandomForest(int trees, int maxDepth, float minLeaf, Float featureFraction, long seed)
      implements TrainerSpec {
    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public RandomForest {
      integerIn("trees", trees, 1, 10_000);
      requireDepth(maxDepth);
      requireMinLeaf(minLeaf);
      if (featureFraction != null) {
        requireSampledFraction(featureFraction);
      }
    }

    /**
     * The feature fraction for a table of {@code featureCount} features: the spec's, or √F / F.
     *
     * @throws IllegalArgumentException if the default is 1 (a table of one feature), which samples
     *     nothing
     */
    public float featureFractionFor(int featureCount) {
      if (featureFraction != null) {
        return featureFraction;
      }
      double fraction = Math.sqrt(featureCount) / Math.max(1, featureCount);
      if (!(fraction < 1.0)) {
        throw InvalidParameter.of(
            "featureFraction",
            "a random forest samples features, so it must be below 1; the default √F / F is "
                + fraction
                + " for "
                + featureCount
                + " feature(s): set featureFraction or use type cart");
      }
      return (float) fraction;
    }

    @Override
    public String type() {
      return "random-forest";
    }
  }

  /**
   * One classification tree grown on feature histograms (Custody's {@code
   * dev.custody.train.tree.HistCartTrainer}: Gini impurity, every feature tried at each split,
   * thresholds at real training values), spec type {@code hist-cart}. Its model is a plain Tribuo
   * {@code TreeModel}. The parameters are {@link Cart}'s, plus {@code bins}.
   *
   * @param maxDepth maximum depth, in [1, 64], or {@link #UNLIMITED_DEPTH} (the default)
   * @param minLeaf minimum total example weight in a child, positive (default 5)
   * @param bins the most bins a feature is cut into, in [2, 256] (default 256): one per distinct
   *     value when there are that few, else quantile bins
   * @param seed recorded with the spec; a single tree makes no random choice
   */
  record HistCart(int maxDepth, float minLeaf, int bins, long seed) implements TrainerSpec {
    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public HistCart {
      requireDepth(maxDepth);
      requireMinLeaf(minLeaf);
      requireBins(bins);
    }

    @Override
    public String type() {
      return "hist-cart";
    }
  }

  /**
   * A random forest of histogram trees (Custody's {@code
   * dev.custody.train.tree.HistForestTrainer}), spec type {@code hist-forest}: {@link
   * RandomForest}'s parameters plus {@code bins}, the trees grown in parallel and the model the
   * same for a seed whatever the number of threads. Its model is a plain Tribuo {@code
   * WeightedEnsembleModel} of {@code TreeModel}s whose class distributions are averaged ({@code
   * FullyWeightedVotingCombiner}).
   *
   * @param trees number of trees, in [1, 10000]; required
   * @param maxDepth maximum depth of each tree, in [1, 64], or {@link #UNLIMITED_DEPTH} (the
   *     default)
   * @param minLeaf minimum total example weight in a child, positive (default 5)
   * @param featureFraction fraction of the features tried at each split, in (0, 1); or null for the
   *     default √F / F (see {@link RandomForest#featureFractionFor})
   * @param bins the most bins a feature is cut into, in [2, 256] (default 256)
   * @param seed seed of the bootstrap samples and feature choices
   */
  record HistForest(
      int trees, int maxDepth, float minLeaf, Float featureFraction, int bins, long seed)
      implements TrainerSpec {
    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public HistForest {
      integerIn("trees", trees, 1, 10_000);
      requireDepth(maxDepth);
      requireMinLeaf(minLeaf);
      if (featureFraction != null) {
        requireSampledFraction(featureFraction);
      }
      requireBins(bins);
    }

    /**
     * The feature fraction for a table of {@code featureCount} features, as {@link
     * RandomForest#featureFractionFor} decides it.
     *
     * @throws IllegalArgumentException if the default is 1 (a table of one feature)
     */
    public float featureFractionFor(int featureCount) {
      return new RandomForest(trees, maxDepth, minLeaf, featureFraction, seed)
          .featureFractionFor(featureCount);
    }

    @Override
    public String type() {
      return "hist-forest";
    }
  }

  /** The most bins a histogram tree cuts a feature into, and the default. */
  int MAX_BINS = 256;

  /** Tribuo's "no depth limit"; the spec's default {@code maxDepth}. */
  int UNLIMITED_DEPTH = Integer.MAX_VALUE;

  /** The deepest tree a spec may ask for. */
  int MAX_DEPTH = 64;

  private static void requireDepth(int maxDepth) {
    if (maxDepth != UNLIMITED_DEPTH) {
      integerIn("maxDepth", maxDepth, 1, MAX_DEPTH);
    }
  }

  private static void requireMinLeaf(float minLeaf) {
    numberIn("minLeaf", minLeaf, 0, false, Float.MAX_VALUE);
  }

  private static void requireBins(int bins) {
    integerIn("bins", bins, 2, MAX_BINS);
  }

  private static void requireSampledFraction(float featureFraction) {
    if (!(featureFraction > 0 && featureFraction < 1)) {
      throw InvalidParameter.of(
          "featureFraction",
          "a random forest samples features: expected a number in (0.0, 1.0), found "
              + featureFraction);
    }
  }
}
