package dev.custody.train.evaluate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;

/**
 * How a model did on a labelled test set.
 *
 * @param rows number of test rows
 * @param accuracy fraction of rows whose predicted label is the true label
 * @param positiveLabel the label ROC AUC treats as positive
 * @param rocAuc area under the ROC curve of the model's score for {@code positiveLabel} (ties count
 *     half, as in scikit-learn's {@code roc_auc_score}); {@code NaN} if the test rows are all
 *     positive or all negative
 * @param classes per-label precision, recall and F1, in the table's label order
 * @param confusion counts of true label (row) against predicted label (column)
 */
public record Metrics(
    long rows,
    double accuracy,
    String positiveLabel,
    double rocAuc,
    List<ClassMetrics> classes,
    ConfusionMatrix confusion) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public Metrics {
    Objects.requireNonNull(positiveLabel, "positiveLabel");
    classes = List.copyOf(classes);
    Objects.requireNonNull(confusion, "confusion");
  }

  /**
   * Precision, recall and F1 of one label. A ratio whose denominator is zero is 0, as scikit-learn
   * reports it by default.
   *
   * @param label the label
   * @param precision of the rows predicted {@code label}, the fraction that are {@code label}
   * @param recall of the rows that are {@code label}, the fraction predicted {@code label}
   * @param f1 harmonic mean of precision and recall
   * @param support number of test rows whose true label is {@code label}
   */
  public record ClassMetrics(
      String label, double precision, double recall, double f1, long support) {
    public ClassMetrics {
      Objects.requireNonNull(label, "label");
    }
  }

  /**
   * A confusion matrix.
   *
   * @param labels the labels, in the order of both rows and columns
   * @param counts {@code counts.get(t).get(p)}: rows of true label {@code labels.get(t)} predicted
   *     as {@code labels.get(p)}
   */
  public record ConfusionMatrix(List<String> labels, List<List<Long>> counts) {
    public ConfusionMatrix {
      labels = List.copyOf(labels);
      counts = counts.stream().map(List::copyOf).toList();
      int k = labels.size();
      if (counts.size() != k || counts.stream().anyMatch(r -> r.size() != k)) {
        throw new IllegalArgumentException("a confusion matrix of " + k + " labels must be square");
      }
    }

    /** Rows of true label {@code truth} predicted as {@code predicted}. */
    public long count(String truth, String predicted) {
      int t = labels.indexOf(truth);
      int p = labels.indexOf(predicted);
      if (t < 0 || p < 0) {
        throw new IllegalArgumentException("unknown label: " + (t < 0 ? truth : predicted));
      }
      return counts.get(t).get(p);
    }
  }

  /** The metrics of {@code label}. */
  public ClassMetrics of(String label) {
    return classes.stream()
        .filter(c -> c.label().equals(label))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no metrics for label " + label));
  }

  /**
   * These metrics as compact JSON with a fixed key order: {@code rows, accuracy, positiveLabel,
   * rocAuc, classes[{label, precision, recall, f1, support}], confusion{labels, counts}}. An
   * undefined ROC AUC is {@code null}.
   */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("rows", rows);
    root.put("accuracy", accuracy);
    root.put("positiveLabel", positiveLabel);
    if (Double.isNaN(rocAuc)) {
      root.putNull("rocAuc");
    } else {
      root.put("rocAuc", rocAuc);
    }
    ArrayNode cls = root.putArray("classes");
    for (ClassMetrics c : classes) {
      cls.addObject()
          .put("label", c.label())
          .put("precision", c.precision())
          .put("recall", c.recall())
          .put("f1", c.f1())
          .put("support", c.support());
    }
    ObjectNode cm = root.putObject("confusion");
    ArrayNode labels = cm.putArray("labels");
    confusion.labels().forEach(labels::add);
    ArrayNode counts = cm.putArray("counts");
    for (List<Long> row : confusion.counts()) {
      ArrayNode r = counts.addArray();
      row.forEach(r::add);
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e); // a tree of numbers and strings always serialises
    }
  }
}
