package dev.custody.train.fit;

import dev.custody.core.PipelineException;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.spec.TrainerSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * The credit example's models, each trained once per test JVM on {@link CreditData#split()} and
 * shared by the tests that need them, with the wall time its training took.
 */
public final class CreditModels {
  /** Seed 000's random forest: 5 trees, depth 3, at least 100 rows a leaf. */
  public static final TrainerSpec RANDOM_FOREST =
      new TrainerSpec.RandomForest(5, 3, 100f, 0.5f, 42);

  /** Standardized logistic regression with the defaults. */
  public static final TrainerSpec LOGISTIC_REGRESSION =
      TrainerSpec.LogisticRegression.withDefaults(42);

  /** Standardized logistic regression by full-batch L-BFGS with the defaults. */
  public static final TrainerSpec LBFGS_LOGISTIC = TrainerSpec.LbfgsLogistic.withDefaults(42);

  /** One tree of depth 5, at least 100 rows a leaf. */
  public static final TrainerSpec CART = new TrainerSpec.Cart(5, 100f, 0f, 42);

  /** Seed 000's random forest settings on Custody's histogram forest (256 bins). */
  public static final TrainerSpec HIST_FOREST =
      new TrainerSpec.HistForest(5, 3, 100f, 0.5f, TrainerSpec.MAX_BINS, 42);

  /** One histogram tree of depth 5, at least 100 rows a leaf. */
  public static final TrainerSpec HIST_CART =
      new TrainerSpec.HistCart(5, 100f, TrainerSpec.MAX_BINS, 42);

  public record Trained(Model<Label> model, long trainMillis) {}

  private static final Map<TrainerSpec, Trained> TRAINED = new LinkedHashMap<>();

  private CreditModels() {}

  public static synchronized Trained trained(TrainerSpec spec) throws PipelineException {
    Trained t = TRAINED.get(spec);
    if (t == null) {
      TrainingTable train = CreditData.split().train();
      long start = System.nanoTime();
      Model<Label> model = Trainers.train(spec, train);
      t = new Trained(model, (System.nanoTime() - start) / 1_000_000);
      TRAINED.put(spec, t);
    }
    return t;
  }

  public static Model<Label> model(TrainerSpec spec) throws PipelineException {
    return trained(spec).model();
  }
}
