package dev.custody.train.tree;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.BooleanProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import dev.custody.train.data.TrainingTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.MutableDataset;
import org.tribuo.MutableFeatureMap;
import org.tribuo.MutableOutputInfo;
import org.tribuo.Tribuo;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.provenance.DataProvenance;
import org.tribuo.provenance.DatasetProvenance;

/**
 * A training table read straight into per-feature columns for the histogram trees, with the feature
 * map, label map and dataset provenance that Tribuo's {@link MutableDataset} of the same rows has
 * (the sparse one of {@code dev.custody.train.fit.TribuoTables}: the first row holds an explicit 0
 * for every feature it lacks). A model trained from these columns is the one trained from that
 * dataset, byte for byte, without making a Tribuo example per row: the feature map observes the
 * same values in the same order, and the columns hold what {@link BinnedData} reads from the
 * dataset.
 */
public final class FeatureColumns {
  private static final LabelFactory LABELS = new LabelFactory();

  /** The most values (features × rows) for which every column is allocated at full length. */
  private static final long FULL_COLUMNS_UP_TO = 4_194_304;

  /** Each feature's explicit values, in row order, by feature id. */
  static final class Columns {
    private final int rows;
    private final int[] nonZero;
    private final int[][] rowsOf;
    private final double[][] valuesOf;
    private final int[] label;
    private final double[] weight;

    /**
     * Feature {@code id}'s explicit values are {@code valuesOf[id][0, nonZero[id])}, of rows {@code
     * rowsOf[id]}; the other rows hold 0. Not copied.
     */
    Columns(
        int rows,
        int[] nonZero,
        int[][] rowsOf,
        double[][] valuesOf,
        int[] label,
        double[] weight) {
      this.rows = rows;
      this.nonZero = nonZero;
      this.rowsOf = rowsOf;
      this.valuesOf = valuesOf;
      this.label = label;
      this.weight = weight;
    }

    int rows() {
      return rows;
    }

    int[] nonZero() {
      return nonZero;
    }

    int[][] rowsOf() {
      return rowsOf;
    }

    double[][] valuesOf() {
      return valuesOf;
    }

    int[] label() {
      return label;
    }

    double[] weight() {
      return weight;
    }
  }

  final Columns columns;
  final ImmutableOutputInfo<Label> labelIds;
  final DatasetProvenance provenance;

  /** The feature names in id order (Tribuo numbers features in name order). */
  private final List<String> names;

  private ImmutableFeatureMap featureIds;

  private FeatureColumns(
      Columns columns,
      List<String> names,
      ImmutableOutputInfo<Label> labelIds,
      DatasetProvenance provenance) {
    this.columns = columns;
    this.names = names;
    this.labelIds = labelIds;
    this.provenance = provenance;
  }

  /**
   * The dataset's feature map: every feature observes its values in row order, the first row's
   * (with its explicit zeros) first and in name order, as {@code MutableDataset.add} observes them,
   * so that the map's statistics and order are the dataset's. Made on first use (the forest trainer
   * makes it while the trees grow).
   *
   * @throws IllegalStateException if Tribuo numbered the features otherwise than by name
   */
  synchronized ImmutableFeatureMap featureIds() {
    if (featureIds != null) {
      return featureIds;
    }
    MutableFeatureMap featureMap = new MutableFeatureMap();
    int f = names.size();
    for (int c = 0; c < f; c++) {
      featureMap.add(names.get(c), columns.valuesOf[c][0]);
    }
    for (int c = 0; c < f; c++) {
      String name = names.get(c);
      double[] v = columns.valuesOf[c];
      for (int i = 1; i < columns.nonZero[c]; i++) {
        featureMap.add(name, v[i]);
      }
    }
    ImmutableFeatureMap ids = new ImmutableFeatureMap(featureMap);
    for (int c = 0; c < f; c++) {
      if (ids.getID(names.get(c)) != c) {
        throw new IllegalStateException(
            "Tribuo numbered feature '" + names.get(c) + "' " + ids.getID(names.get(c)));
      }
    }
    featureIds = ids;
    return ids;
  }

  /**
   * The table's columns, as {@code new MutableDataset<>(new ListDataSource<>(examples, labels,
   * source))} of its sparse examples would hold them; empty if that dataset cannot be made, or
   * would throw (no rows or no features, a label or feature the table does not declare, a value
   * that is not finite, a feature twice in a row, a row after the first without features): the
   * caller then builds the dataset, which throws its own message.
   */
  public static Optional<FeatureColumns> of(TrainingTable table, DataProvenance source) {
    List<TrainingTable.Row> rows = table.rows();
    int n = rows.size();
    List<String> sortedNames = table.featureNames().stream().sorted().distinct().toList();
    int f = sortedNames.size();
    if (n == 0
        || f == 0
        || f != table.featureNames().size()
        || table.labels().contains(LabelFactory.UNKNOWN_LABEL.getLabel())) {
      return Optional.empty();
    }
    Map<String, Integer> index = new HashMap<>(f * 2);
    for (int i = 0; i < f; i++) {
      index.put(sortedNames.get(i), i);
    }
    List<String> labelNames = List.copyOf(new LinkedHashSet<>(table.labels()));
    Map<String, Integer> labelIndex = new HashMap<>();
    for (int i = 0; i < labelNames.size(); i++) {
      labelIndex.put(labelNames.get(i), i);
    }
    MutableOutputInfo<Label> labelInfo = LABELS.generateInfo();
    Label[] labelObjects = new Label[labelNames.size()];
    int[] nonZero = new int[f];
    int[][] rowsOf = new int[f][];
    double[][] valuesOf = new double[f][];
    // A column per feature as long as the table, unless that is large (a text table has many
    // features, each in few rows): then grown as needed.
    int initial = (long) f * n <= FULL_COLUMNS_UP_TO ? n : 8;
    for (int i = 0; i < f; i++) {
      rowsOf[i] = new int[initial];
      valuesOf[i] = new double[initial];
    }
    int[] labelOf = new int[n];
    double[] weight = new double[n];
    int[] seenIn = new int[f];
    Arrays.fill(seenIn, -1);
    int[] slots = new int[0];
    List<String> lastNames = List.of();
    boolean dense = true;
    for (int r = 0; r < n; r++) {
      TrainingTable.Row row = rows.get(r);
      Integer l = labelIndex.get(row.label());
      if (l == null) {
        return Optional.empty();
      }
      if (labelObjects[l] == null) {
        labelObjects[l] = new Label(labelNames.get(l));
      }
      labelOf[r] = l;
      labelInfo.observe(labelObjects[l]);
      // Tribuo's examples hold their weight as a float.
      weight[r] = (float) row.weight();
      List<String> names = row.names();
      List<Double> values = row.values();
      int size = names.size();
      if (!sameNames(names, lastNames)) {
        slots = new int[size];
        for (int j = 0; j < size; j++) {
          Integer at = index.get(names.get(j));
          if (at == null) {
            return Optional.empty();
          }
          slots[j] = at;
        }
        lastNames = names;
      }
      if (r > 0 && size != f) {
        if (size == 0) {
          return Optional.empty();
        }
        dense = false;
      }
      for (int j = 0; j < size; j++) {
        int c = slots[j];
        double v = values.get(j);
        if (seenIn[c] == r || !Double.isFinite(v)) {
          return Optional.empty();
        }
        seenIn[c] = r;
        append(rowsOf, valuesOf, nonZero, c, r, v);
      }
      if (r == 0) {
        // The first example is densified: an explicit 0 for every feature it lacks.
        for (int c = 0; c < f; c++) {
          if (seenIn[c] != 0) {
            append(rowsOf, valuesOf, nonZero, c, 0, 0.0);
          }
        }
      }
    }
    ImmutableOutputInfo<Label> labelIds = labelInfo.generateImmutableOutputInfo();
    int[] labelId = new int[labelNames.size()];
    for (int i = 0; i < labelId.length; i++) {
      labelId[i] = labelObjects[i] == null ? -1 : labelIds.getID(labelObjects[i]);
    }
    for (int r = 0; r < n; r++) {
      labelOf[r] = labelId[labelOf[r]];
    }
    // The first row holds every feature, so the map has them all.
    return Optional.of(
        new FeatureColumns(
            new Columns(n, nonZero, rowsOf, valuesOf, labelOf, weight),
            sortedNames,
            labelIds,
            provenance(source, dense, n, f, labelInfo.size())));
  }

  private static void append(
      int[][] rowsOf, double[][] valuesOf, int[] nonZero, int c, int row, double value) {
    int at = nonZero[c]++;
    if (at == rowsOf[c].length) {
      rowsOf[c] = Arrays.copyOf(rowsOf[c], at * 2);
      valuesOf[c] = Arrays.copyOf(valuesOf[c], at * 2);
    }
    rowsOf[c][at] = row;
    valuesOf[c][at] = value;
  }

  /** Whether two rows name the same features (cheap when rows share the name strings). */
  private static boolean sameNames(List<String> a, List<String> b) {
    if (a == b) {
      return true;
    }
    int size = a.size();
    if (size != b.size()) {
      return false;
    }
    for (int j = 0; j < size; j++) {
      if (!a.get(j).equals(b.get(j))) {
        return false;
      }
    }
    return true;
  }

  /** What {@code MutableDataset.getProvenance()} records for such a dataset. */
  private static DatasetProvenance provenance(
      DataProvenance source, boolean dense, int examples, int features, int outputs) {
    Map<String, Provenance> map = new HashMap<>();
    map.put("class-name", new StringProvenance("class-name", MutableDataset.class.getName()));
    map.put("datasource", source);
    map.put("transformations", new ListProvenance<>(new ArrayList<>()));
    map.put("is-dense", new BooleanProvenance("is-dense", dense));
    map.put("is-sequence", new BooleanProvenance("is-sequence", false));
    map.put("num-examples", new IntProvenance("num-examples", examples));
    map.put("num-features", new IntProvenance("num-features", features));
    map.put("num-outputs", new IntProvenance("num-outputs", outputs));
    map.put("tribuo-version", new StringProvenance("tribuo-version", Tribuo.VERSION));
    return new DatasetProvenance(map);
  }
}
