package dev.custody.train.spec;

/**
 * Which trainer to run and with which parameters, seed included: everything that, together with
 * the training rows, determines the model. Each variant validates its parameters on construction,
 * so a spec that exists can be trained.
 *
 * <p>Only trainers whose models are plain protobuf (no native code, no embedded Java
 * serialization) are offered: logistic regression, CART and random forest. XGBoost and LibLinear
 * are deliberately absent (DESIGN.md, "Tribuo facts").
 */
public sealed interface TrainerSpec
    permits TrainerSpec.LogisticRegression, TrainerSpec.Cart, TrainerSpec.RandomForest {

  /** The seed of every random choice the trainer makes. */
  long seed();

  /**
   * Multinomial logistic regression trained by SGD with AdaGrad (Tribuo {@code LinearSGDTrainer}
   * with the {@code LogMulticlass} objective). With {@code standardize}, every feature that is not
   * constant on the training rows is z-scored with the training mean and standard deviation
   * (Tribuo {@code MeanStdDevTransformation} in a {@code TransformTrainer}); the scaling is stored
   * in the model ({@code TransformedModel}), so prediction applies it too. Standardizing makes
   * every example dense, so it is meant for numeric tables, not for text with thousands of token
   * features.
   *
   * @param learningRate AdaGrad's initial learning rate, positive
   * @param epochs passes over the training rows, at least 1
   * @param minibatchSize rows per gradient step, at least 1
   * @param standardize z-score the features before training
   * @param seed seed of the SGD shuffling
   */
  record LogisticRegression(
      double learningRate, int epochs, int minibatchSize, boolean standardize, long seed)
      implements TrainerSpec {
    /** Defaults that reach scikit-learn's accuracy on the credit example. */
    public static final double DEFAULT_LEARNING_RATE = 0.1;

    /** Default number of epochs. */
    public static final int DEFAULT_EPOCHS = 20;

    public LogisticRegression {
      if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
        throw new IllegalArgumentException("learningRate must be positive, got " + learningRate);
      }
      requireAtLeast("epochs", epochs, 1);
      requireAtLeast("minibatchSize", minibatchSize, 1);
    }

    /** Standardized features, learning rate 0.1, 20 epochs, minibatches of one row. */
    public static LogisticRegression withDefaults(long seed) {
      return new LogisticRegression(DEFAULT_LEARNING_RATE, DEFAULT_EPOCHS, 1, true, seed);
    }
  }

  /**
   * One classification tree (Tribuo {@code CARTClassificationTrainer}, Gini impurity, every feature
   * considered at each split).
   *
   * @param maxDepth maximum depth, at least 1
   * @param minChildWeight minimum total example weight in a child (with unit weights: the minimum
   *     rows in a leaf, scikit-learn's {@code min_samples_leaf}), positive
   * @param minImpurityDecrease a split must lower the impurity by at least this, non-negative
   * @param seed seed of the tree's random choices
   */
  record Cart(int maxDepth, float minChildWeight, float minImpurityDecrease, long seed)
      implements TrainerSpec {
    public Cart {
      requireAtLeast("maxDepth", maxDepth, 1);
      requirePositive("minChildWeight", minChildWeight);
      if (!(minImpurityDecrease >= 0) || Float.isInfinite(minImpurityDecrease)) {
        throw new IllegalArgumentException(
            "minImpurityDecrease must be a finite number >= 0, got " + minImpurityDecrease);
      }
    }
  }

  /**
   * A random forest: {@code trees} CART trees, each grown on a bootstrap sample of the training
   * rows and considering a random {@code featureFraction} of the features at each split (Tribuo
   * {@code RandomForestTrainer}). The trees' class distributions are averaged ({@code
   * FullyWeightedVotingCombiner}), as scikit-learn's {@code predict_proba} does.
   *
   * @param trees number of trees, at least 1
   * @param maxDepth maximum depth of each tree, at least 1
   * @param minChildWeight minimum total example weight in a child, positive
   * @param featureFraction fraction of the features tried at each split, in (0, 1)
   * @param seed seed of the bootstrap samples and feature choices
   */
  record RandomForest(
      int trees, int maxDepth, float minChildWeight, float featureFraction, long seed)
      implements TrainerSpec {
    public RandomForest {
      requireAtLeast("trees", trees, 1);
      requireAtLeast("maxDepth", maxDepth, 1);
      requirePositive("minChildWeight", minChildWeight);
      if (!(featureFraction > 0 && featureFraction < 1)) {
        throw new IllegalArgumentException(
            "featureFraction must be in (0, 1) for a random forest, got " + featureFraction);
      }
    }
  }

  private static void requireAtLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
    }
  }

  private static void requirePositive(String name, float value) {
    if (!(value > 0) || Float.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be a finite number > 0, got " + value);
    }
  }
}
