package dev.custody.train.fit;

import dev.custody.train.data.TrainingTable;
import java.util.List;

/** A tiny separable table for the fit and evaluate tests. */
public final class TinyTable {
  private TinyTable() {}

  /** x below 5 is "lo", above is "hi"; separable. */
  public static TrainingTable create() {
    List<TrainingTable.Row> rows =
        java.util.stream.IntStream.range(0, 8)
            .mapToObj(
                i ->
                    new TrainingTable.Row(
                        i + 2, i < 4 ? "lo" : "hi", List.of("x"), List.of(i < 4 ? i : i + 2.0)))
            .toList();
    return new TrainingTable(List.of("x"), List.of("lo", "hi"), rows);
  }
}
