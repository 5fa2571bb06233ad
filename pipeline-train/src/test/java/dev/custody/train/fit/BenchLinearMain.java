package dev.custody.train.fit;

import com.sun.management.OperatingSystemMXBean;
import dev.custody.train.data.Split;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.spec.TrainerSpec;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

/**
 * Run by {@code scripts/bench-linear}: trains and predicts a standardized logistic regression on
 * the credit example's features and split (examples/credit-rf.yaml: 10% test, seed 42, stratified),
 * through {@link Trainers#train} (the pipeline's path: the Tribuo dataset is built from the table
 * each time) and {@link Model#predict} on the test rows, warm: {@code WARMUP} untimed rounds, then
 * {@code ROUNDS} timed ones. Prints one line a trainer: {@code bench-linear <type> median_ms min_ms
 * median_cpu_ms accuracy mean_process_cpu_ms} (CPU: this thread's, which does most of the work;
 * process CPU: every thread's, a mean over the timed rounds as the process clock ticks coarsely,
 * the L-BFGS sums' second thread, the garbage collector and the JIT included, as Python's {@code
 * process_time} counts OpenBLAS's threads). Arguments: WARMUP ROUNDS TYPE... ({@code
 * logistic-lbfgs}, {@code logistic}).
 */
public final class BenchLinearMain {
  private BenchLinearMain() {}

  public static void main(String[] args) throws Exception {
    int warmup = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    Split split = CreditData.exampleSplit();
    List<Example<Label>> test = TribuoTables.examples(split.test());
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (String type : List.of(args).subList(2, args.length)) {
      TrainerSpec spec = spec(type);
      double accuracy = 0;
      for (int i = 0; i < warmup; i++) {
        accuracy = trainAndScore(spec, split.train(), test);
      }
      double[] millis = new double[rounds];
      double[] cpu = new double[rounds];
      long processStart = processCpuNanos();
      for (int i = 0; i < rounds; i++) {
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        accuracy = trainAndScore(spec, split.train(), test);
        millis[i] = (System.nanoTime() - start) / 1e6;
        cpu[i] = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6;
      }
      double processCpu = (processCpuNanos() - processStart) / 1e6 / rounds;
      Arrays.sort(millis);
      Arrays.sort(cpu);
      System.out.printf(
          Locale.ROOT,
          "bench-linear %s %.2f %.2f %.2f %.4f %.2f%n",
          type,
          millis[rounds / 2],
          millis[0],
          cpu[rounds / 2],
          accuracy,
          processCpu);
    }
  }

  private static long processCpuNanos() {
    return ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class).getProcessCpuTime();
  }

  private static TrainerSpec spec(String type) {
    return switch (type) {
      case "logistic-lbfgs" -> TrainerSpec.LbfgsLogistic.withDefaults(42);
      case "logistic" -> TrainerSpec.LogisticRegression.withDefaults(42);
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
