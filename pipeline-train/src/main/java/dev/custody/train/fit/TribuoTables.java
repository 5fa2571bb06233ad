package dev.custody.train.fit;

import dev.custody.train.data.TrainingTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.DataSourceProvenance;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/** Turns {@link TrainingTable} rows into Tribuo examples and datasets. */
public final class TribuoTables {
  private static final LabelFactory LABELS = new LabelFactory();

  private TribuoTables() {}

  /** Every row as an example; each row's label and feature names must belong to the table. */
  public static List<Example<Label>> examples(TrainingTable table) {
    return examples(table, false);
  }

  /**
   * Every row as an example. With {@code dense}, each example also holds an explicit 0 for every
   * table feature its row lacks.
   */
  static List<Example<Label>> examples(TrainingTable table, boolean dense) {
    Set<String> labels = Set.copyOf(table.labels());
    Set<String> features = new HashSet<>(table.featureNames());
    List<String> sortedFeatures = table.featureNames().stream().sorted().toList();
    List<Example<Label>> out = new ArrayList<>(table.rows().size());
    for (TrainingTable.Row row : table.rows()) {
      if (!labels.contains(row.label())) {
        throw new IllegalArgumentException(
            "row at line "
                + row.sourceLine()
                + ": label '"
                + row.label()
                + "' not in "
                + table.labels());
      }
      ArrayExample<Label> example = example(row, features);
      if (dense) {
        example.densify(sortedFeatures);
      }
      out.add(example);
    }
    return out;
  }

  /** One row as an example: its label and exactly its features, with their values. */
  static ArrayExample<Label> example(TrainingTable.Row row, Set<String> knownFeatures) {
    String[] names = row.names().toArray(new String[0]);
    double[] values = new double[names.length];
    for (int i = 0; i < names.length; i++) {
      if (!knownFeatures.contains(names[i])) {
        throw new IllegalArgumentException(
            "row at line " + row.sourceLine() + ": feature '" + names[i] + "' not in the table");
      }
      double v = row.values().get(i);
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException(
            "row at line " + row.sourceLine() + ": feature '" + names[i] + "' is " + v);
      }
      values[i] = v;
    }
    ArrayExample<Label> example = new ArrayExample<>(new Label(row.label()), names, values);
    // Tribuo's trainers scale each example's contribution (SGD loss, tree impurity) by its weight.
    example.setWeight((float) row.weight());
    return example;
  }

  /**
   * A Tribuo dataset of the table's rows, in order, dense (see {@link #examples(TrainingTable,
   * boolean)}) or as sparse as the rows. Its provenance describes the table by row and feature
   * counts; the data files themselves are recorded by the pipeline's own provenance.
   */
  static MutableDataset<Label> dataset(TrainingTable table, boolean dense) {
    return dataset(table, dense, sourceProvenance(table));
  }

  /** The dataset of {@link #dataset(TrainingTable, boolean)} with the given source provenance. */
  static MutableDataset<Label> dataset(
      TrainingTable table, boolean dense, DataSourceProvenance source) {
    List<Example<Label>> examples = examples(table, dense);
    if (!dense && !examples.isEmpty()) {
      // Explicit zeros in one example put every table feature in the model's feature map (their
      // weights stay 0): Tribuo refuses to predict an example none of whose features it knows,
      // such as a held-out message made only of tokens no training message has.
      ((ArrayExample<Label>) examples.get(0))
          .densify(table.featureNames().stream().sorted().toList());
    }
    return new MutableDataset<>(new ListDataSource<>(examples, LABELS, source));
  }

  /**
   * The provenance of a dataset of the table's rows: the table by row and feature counts and
   * labels.
   */
  static SimpleDataSourceProvenance sourceProvenance(TrainingTable table) {
    String description =
        "custody TrainingTable: "
            + table.rows().size()
            + " rows, "
            + table.featureNames().size()
            + " features, labels "
            + table.labels();
    return new SimpleDataSourceProvenance(description, LABELS);
  }
}
