package dev.custody.train.spec;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;

/**
 * Turns a spec's {@code trainer} section into a {@link TrainerSpec}, filling in the documented
 * defaults:
 *
 * <ul>
 *   <li>every trainer: {@code seed} defaults to the split's seed;
 *   <li>logistic: {@code epochs} 20, {@code learningRate} 0.1, {@code minibatch} 1, features
 *       standardized ({@link TrainerSpec.LogisticRegression#withDefaults});
 *   <li>cart and random-forest: {@code maxDepth} unlimited and {@code minLeaf} 5 (Tribuo's
 *       defaults), {@code impurity} gini (the only one the safe loader's allow-list admits);
 *   <li>cart considers every feature at each split, so {@code featureFraction} may only be 1;
 *   <li>random-forest: {@code trees} is required (there is no sensible default: Tribuo's trees are
 *       slow on continuous features); {@code featureFraction} defaults to √F / F for F features,
 *       scikit-learn's {@code max_features="sqrt"}.
 * </ul>
 */
public final class TrainerSpecs {
  static final int DEFAULT_MIN_LEAF = 5;

  private TrainerSpecs() {}

  /**
   * The trainer of {@code spec} for a table of {@code featureCount} features.
   *
   * @throws PipelineException {@link Reason#SPEC_INVALID} for a parameter combination Custody
   *     cannot train (an entropy impurity, a missing tree count, a feature fraction of 1 in a
   *     forest)
   */
  public static TrainerSpec of(PipelineSpec spec, int featureCount) throws PipelineException {
    PipelineSpec.Trainer t = spec.trainer();
    Params p = t.params();
    long seed = p.longValue("seed", spec.split().seed());
    String where = spec.sourceName() + ": trainer.params";
    try {
      switch (t.type()) {
        case LOGISTIC -> {
          return new TrainerSpec.LogisticRegression(
              p.doubleValue("learningRate", TrainerSpec.LogisticRegression.DEFAULT_LEARNING_RATE),
              p.intValue("epochs", TrainerSpec.LogisticRegression.DEFAULT_EPOCHS),
              p.intValue("minibatch", 1),
              true,
              seed);
        }
        case CART -> {
          requireGini(p, where);
          double fraction = p.doubleValue("featureFraction", 1.0);
          if (fraction != 1.0) {
            throw invalid(
                where + ".featureFraction: a single CART tree considers every feature (1), found "
                    + fraction + "; use type random-forest to sample features");
          }
          return new TrainerSpec.Cart(
              p.intValue("maxDepth", Integer.MAX_VALUE),
              (float) p.doubleValue("minLeaf", DEFAULT_MIN_LEAF),
              0f,
              seed);
        }
        case RANDOM_FOREST -> {
          requireGini(p, where);
          if (!p.has("trees")) {
            throw invalid(where + ".trees: required for a random forest");
          }
          double fraction =
              p.has("featureFraction")
                  ? p.doubleValue("featureFraction", 0)
                  : Math.sqrt(featureCount) / Math.max(1, featureCount);
          if (!(fraction < 1.0)) {
            throw invalid(
                where + ".featureFraction: a random forest samples features, so it must be below 1, found "
                    + fraction + (p.has("featureFraction") ? "" : " (the default for " + featureCount + " feature)"));
          }
          return new TrainerSpec.RandomForest(
              p.intValue("trees", 0),
              p.intValue("maxDepth", Integer.MAX_VALUE),
              (float) p.doubleValue("minLeaf", DEFAULT_MIN_LEAF),
              (float) fraction,
              seed);
        }
        default -> throw new IllegalStateException("unknown trainer type " + t.type());
      }
    } catch (IllegalArgumentException e) {
      throw invalid(where + ": " + e.getMessage());
    }
  }

  private static void requireGini(Params p, String where) throws PipelineException {
    String impurity = p.stringValue("impurity", "gini");
    if (!impurity.equals("gini")) {
      throw invalid(
          where + ".impurity: only gini is supported (the safe loader's allow-list admits GiniIndex), found "
              + impurity);
    }
  }

  private static PipelineException invalid(String message) {
    return new PipelineException(Reason.SPEC_INVALID, message);
  }
}
