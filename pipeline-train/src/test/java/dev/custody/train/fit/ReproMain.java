package dev.custody.train.fit;

import dev.custody.train.data.Split;
import dev.custody.train.spec.TrainerSpec;
import java.util.List;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * Run by {@link ReproducibilityTest} in a fresh JVM: trains the credit example's five models for
 * each seed given as an argument and prints one line {@code <trainer> <seed> <content digest>} per
 * model on standard output, and each training's wall time on standard error.
 */
public final class ReproMain {
  private ReproMain() {}

  public static void main(String[] args) throws Exception {
    Split split = CreditData.split();
    for (String arg : args) {
      long seed = Long.parseLong(arg);
      for (TrainerSpec spec : specs(seed)) {
        long start = System.nanoTime();
        Model<Label> model = Trainers.train(spec, split.train());
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.err.println("custody-timing " + spec + " trained in " + millis + " ms");
        System.out.println(
            spec.getClass().getSimpleName() + " " + seed + " " + ModelContent.digest(model));
      }
    }
  }

  static List<TrainerSpec> specs(long seed) {
    return List.of(
        TrainerSpec.LogisticRegression.withDefaults(seed),
        TrainerSpec.LbfgsLogistic.withDefaults(seed),
        new TrainerSpec.Cart(5, 100f, 0f, seed),
        new TrainerSpec.RandomForest(5, 3, 100f, 0.5f, seed),
        new TrainerSpec.HistCart(5, 100f, TrainerSpec.MAX_BINS, seed),
        new TrainerSpec.HistForest(5, 3, 100f, 0.5f, TrainerSpec.MAX_BINS, seed));
  }
}
