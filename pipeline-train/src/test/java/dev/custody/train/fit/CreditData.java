package dev.custody.train.fit;

import dev.custody.train.data.Split;
import dev.custody.train.data.TrainingTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The credit example of seed 000, read in place from {@code ../shared/data}: features LIMIT_BAL,
 * AGE, PAY_0, PAY_2, PAY_3, BILL_AMT1, BILL_AMT2, PAY_AMT1 and SEX one-hot ({@code SEX@1}, {@code
 * SEX@2}, Tribuo's naming, present only when set); label DEFAULT. A deliberately small reader for
 * this one file (CRLF, no final newline, header, no quoting), standing in for ingest in the tests.
 */
public final class CreditData {
  static final List<String> NUMERIC =
      List.of("LIMIT_BAL", "AGE", "PAY_0", "PAY_2", "PAY_3", "BILL_AMT1", "BILL_AMT2", "PAY_AMT1");
  static final List<String> SEX_VALUES = List.of("1", "2");
  public static final List<String> LABELS = List.of("0", "1");
  public static final String POSITIVE = "1";
  static final double TEST_FRACTION = 0.1;
  static final long SPLIT_SEED = 42;

  private static TrainingTable table;
  private static Split split;
  private static Split exampleSplit;

  private CreditData() {}

  static Path csv() {
    String shared = System.getProperty("custody.shared");
    if (shared == null) {
      throw new IllegalStateException("system property custody.shared is not set");
    }
    return Path.of(shared, "data", "default_credit_card.csv");
  }

  /** The whole file as a table, read once per JVM. */
  static synchronized TrainingTable table() {
    if (table == null) {
      try {
        table = parse(Files.readAllBytes(csv()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return table;
  }

  /** The seed notebook's split: 10% test, seed 42. */
  public static synchronized Split split() {
    if (split == null) {
      split = Split.seeded(table(), TEST_FRACTION, SPLIT_SEED);
    }
    return split;
  }

  /**
   * The split of the credit example, examples/credit-rf.yaml: 10% test, seed 42, stratified by
   * label (a spec's default).
   */
  public static synchronized Split exampleSplit() {
    if (exampleSplit == null) {
      exampleSplit = Split.stratified(table(), TEST_FRACTION, SPLIT_SEED);
    }
    return exampleSplit;
  }

  static TrainingTable parse(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.indexOf('"') >= 0) {
      throw new IllegalArgumentException("this reader does not handle quoted fields");
    }
    String[] lines = text.split("\r?\n", -1);
    String[] header = lines[0].split(",", -1);
    Map<String, Integer> column = new HashMap<>();
    for (int i = 0; i < header.length; i++) {
      column.put(header[i], i);
    }
    List<String> featureNames = new ArrayList<>(NUMERIC);
    SEX_VALUES.forEach(v -> featureNames.add("SEX@" + v));
    List<TrainingTable.Row> rows = new ArrayList<>(lines.length - 1);
    // As the pipeline's RowReader does, rows share their label's text and, when equal, their
    // feature names: a bench on this table pays what training pays in the pipeline, not for
    // 27,000 copies of the same strings.
    Map<List<String>, List<String>> sharedNames = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      long line = i + 1L;
      if (lines[i].isEmpty() && i == lines.length - 1) {
        break; // a final newline, should the file ever gain one
      }
      String[] cells = lines[i].split(",", -1);
      if (cells.length != header.length) {
        throw new IllegalArgumentException(
            "line " + line + ": " + cells.length + " cells, header has " + header.length);
      }
      TreeMap<String, Double> features = new TreeMap<>();
      for (String name : NUMERIC) {
        features.put(name, Double.parseDouble(cells[col(column, name)]));
      }
      String sex = cells[col(column, "SEX")];
      if (!SEX_VALUES.contains(sex)) {
        throw new IllegalArgumentException("line " + line + ": SEX is '" + sex + "'");
      }
      features.put("SEX@" + sex, 1.0);
      String label = cells[col(column, "DEFAULT")];
      if (!LABELS.contains(label)) {
        throw new IllegalArgumentException("line " + line + ": DEFAULT is '" + label + "'");
      }
      List<String> names = List.copyOf(features.keySet());
      rows.add(
          new TrainingTable.Row(
              line,
              LABELS.get(LABELS.indexOf(label)),
              sharedNames.computeIfAbsent(names, k -> k),
              List.copyOf(features.values())));
    }
    return new TrainingTable(featureNames, LABELS, rows);
  }

  private static int col(Map<String, Integer> column, String name) {
    Integer i = column.get(name);
    if (i == null) {
      throw new IllegalArgumentException(
          "no column " + name + " in " + Arrays.toString(column.keySet().toArray()));
    }
    return i;
  }
}
