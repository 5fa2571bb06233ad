package dev.custody.train.fit;

import com.sun.management.OperatingSystemMXBean;
import dev.custody.train.data.Split;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.spec.TrainerSpec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

/**
 * Run by {@code scripts/bench-trees}: trains and predicts with the seed's forest settings (5 trees,
 * depth 3, at least 100 rows a leaf, half the features at each split) on the credit data's seed
 * split, through {@link Trainers#train} (the pipeline's path: the Tribuo dataset is built from the
 * table each time) and {@link Model#predict} on the test rows, warm: {@code WARMUP} untimed rounds,
 * then {@code ROUNDS} timed ones. Prints one line a trainer: {@code bench-trees <type> median_ms
 * min_ms accuracy cpu_ms example_accuracy}: CPU time is the JVM process's over the timed rounds
 * divided by their number (every thread, the tree-growing pool's and the collector's included; the
 * process clock ticks every 10 ms, too coarse for one round), and the last figure the accuracy on
 * the credit example's stratified split ({@link CreditData#exampleSplit}, what {@code
 * examples/credit-rf.yaml} trains on), trained once more after the timed rounds, then the accuracy
 * on Custody's own seed split ({@link CreditData#split}). Arguments: WARMUP ROUNDS TYPE... ({@code
 * hist-forest}, {@code random-forest}).
 *
 * <p>With {@code -Dcustody.bench.split=FILE} (two lines of 0-based data-row numbers, the training
 * rows then the test rows: scikit-learn's {@code train_test_split} as {@code scripts/bench-trees}
 * writes it) the timed rounds train and test on exactly scikit-learn's rows; without it, on {@link
 * CreditData#split}, a different shuffle.
 */
public final class BenchTreesMain {
  private BenchTreesMain() {}

  public static void main(String[] args) throws Exception {
    int warmup = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    String rowsFile = System.getProperty("custody.bench.split");
    Split split = rowsFile == null ? CreditData.split() : rows(Path.of(rowsFile));
    List<Example<Label>> test = TribuoTables.examples(split.test());
    for (String type : List.of(args).subList(2, args.length)) {
      TrainerSpec spec = spec(type);
      double accuracy = 0;
      for (int i = 0; i < warmup; i++) {
        accuracy = trainAndScore(spec, split.train(), test);
      }
      double[] millis = new double[rounds];
      long cpu = processCpuNanos();
      for (int i = 0; i < rounds; i++) {
        long start = System.nanoTime();
        accuracy = trainAndScore(spec, split.train(), test);
        millis[i] = (System.nanoTime() - start) / 1e6;
      }
      double cpuMillis = (processCpuNanos() - cpu) / 1e6 / rounds;
      Arrays.sort(millis);
      Split example = CreditData.exampleSplit();
      double exampleAccuracy =
          trainAndScore(spec, example.train(), TribuoTables.examples(example.test()));
      Split seed = CreditData.split();
      double seedAccuracy = trainAndScore(spec, seed.train(), TribuoTables.examples(seed.test()));
      System.out.printf(
          Locale.ROOT,
          "bench-trees %s %.1f %.1f %.4f %.1f %.4f %.4f%n",
          type,
          millis[rounds / 2],
          millis[0],
          accuracy,
          cpuMillis,
          exampleAccuracy,
          seedAccuracy);
    }
  }

  /**
   * The credit table's rows named by {@code file}: a line of training rows, a line of test rows.
   */
  private static Split rows(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    TrainingTable all = CreditData.table();
    return new Split(pick(all, lines.get(0)), pick(all, lines.get(1)));
  }

  private static TrainingTable pick(TrainingTable all, String line) {
    List<TrainingTable.Row> rows = new ArrayList<>();
    for (String n : line.trim().split(" ", -1)) {
      rows.add(all.rows().get(Integer.parseInt(n)));
    }
    return new TrainingTable(all.featureNames(), all.labels(), rows);
  }

  /** CPU time of the whole JVM process so far. */
  private static long processCpuNanos() {
    return ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class).getProcessCpuTime();
  }

  private static TrainerSpec spec(String type) {
    return switch (type) {
      case "hist-forest" -> new TrainerSpec.HistForest(5, 3, 100f, 0.5f, 256, 42);
      case "random-forest" -> new TrainerSpec.RandomForest(5, 3, 100f, 0.5f, 42);
      default -> throw new IllegalArgumentException("unknown trainer type: " + type);
    };
  }

  private static double trainAndScore(
      TrainerSpec spec, TrainingTable train, List<Example<Label>> test) throws Exception {
    Model<Label> model = Trainers.train(spec, train);
    int right = 0;
    for (Prediction<Label> p : model.predict(test)) {
      right += p.getOutput().getLabel().equals(p.getExample().getOutput().getLabel()) ? 1 : 0;
    }
    return (double) right / test.size();
  }
}
