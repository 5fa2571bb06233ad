package dev.custody.train.fit;

import dev.custody.train.data.TrainingTable;
import dev.custody.train.spec.TrainerSpec;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Run by {@link TribuoLoggingTest} in a fresh JVM, so that nothing else has configured logging:
 * trains a small random forest through {@link Trainers#train} and prints its content digest.
 */
public final class TrainForestMain {
  private TrainForestMain() {}

  public static void main(String[] args) throws Exception {
    // Two features (a forest samples half of them), 20 rows: "hi" when x + y is above 20.
    List<TrainingTable.Row> rows =
        IntStream.range(0, 20)
            .mapToObj(
                i ->
                    new TrainingTable.Row(
                        i + 2,
                        i * 2.0 + i % 3 > 20 ? "hi" : "lo",
                        List.of("x", "y"),
                        List.of(i * 1.0, i + i % 3 * 1.0)))
            .toList();
    TrainingTable table = new TrainingTable(List.of("x", "y"), List.of("lo", "hi"), rows);
    var model = Trainers.train(new TrainerSpec.RandomForest(10, 3, 1f, 0.5f, 7), table);
    System.out.println(ModelContent.digest(model));
  }
}
