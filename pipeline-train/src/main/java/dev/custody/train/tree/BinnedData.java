package dev.custody.train.tree;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.classification.Label;

/**
 * Training rows with every feature replaced by its bin: at most {@code maxBins} bins a feature, one
 * per distinct value when there are few enough, else quantile bins over the rows. Each bin keeps
 * the largest training value in it ({@link #upper}), so a split "bin ≤ b" is the real threshold
 * "value ≤ upper[b]" and a tree predicts the same from raw values as from bins. An absent feature
 * counts as 0, as Tribuo's trees read it. Computed deterministically from the values alone.
 */
final class BinnedData {
  /** The most bins a feature may have: a bin code is one byte. */
  static final int MAX_BINS = 256;

  final int rows;
  final int classes;

  /** Bin code of each feature and row, {@code codes[feature][row] & 0xFF}. */
  final byte[][] codes;

  /** The largest training value of each bin, ascending, {@code upper[feature][bin]}. */
  final double[][] upper;

  /** Label index of each row. */
  final int[] label;

  /** Example weight of each row. */
  final double[] weight;

  private BinnedData(
      int rows, int classes, byte[][] codes, double[][] upper, int[] label, double[] weight) {
    this.rows = rows;
    this.classes = classes;
    this.codes = codes;
    this.upper = upper;
    this.label = label;
    this.weight = weight;
  }

  int features() {
    return codes.length;
  }

  /**
   * Bins a Tribuo dataset: feature indices are the dataset's feature ids, label indices its output
   * ids.
   *
   * @throws IllegalArgumentException if the dataset is empty or has unknown outputs
   */
  static BinnedData of(Dataset<Label> data, int maxBins) {
    return of(data, maxBins, false);
  }

  /**
   * Bins a Tribuo dataset as {@link #of(Dataset, int)} does, the features in parallel (in the
   * calling thread's fork-join pool) when {@code parallel}; the result is the same either way.
   */
  static BinnedData of(Dataset<Label> data, int maxBins, boolean parallel) {
    if (data.size() == 0) {
      throw new IllegalArgumentException("cannot train a tree on an empty dataset");
    }
    if (data.getOutputInfo().getUnknownCount() > 0) {
      throw new IllegalArgumentException("the dataset holds examples with an unknown label");
    }
    ImmutableFeatureMap featureIds = data.getFeatureIDMap();
    ImmutableOutputInfo<Label> labelIds = data.getOutputIDInfo();
    int n = data.size();
    int f = featureIds.size();
    int[] nonZero = new int[f];
    int[][] rowsOf = new int[f][8];
    double[][] valuesOf = new double[f][8];
    int[] label = new int[n];
    double[] weight = new double[n];
    int row = 0;
    for (Example<Label> example : data) {
      label[row] = labelIds.getID(example.getOutput());
      weight[row] = example.getWeight();
      for (Feature feature : example) {
        int id = featureIds.getID(feature.getName());
        if (id < 0) {
          continue; // not in the dataset's feature map: Tribuo's models ignore it too
        }
        int at = nonZero[id]++;
        if (at == rowsOf[id].length) {
          rowsOf[id] = Arrays.copyOf(rowsOf[id], at * 2);
          valuesOf[id] = Arrays.copyOf(valuesOf[id], at * 2);
        }
        rowsOf[id][at] = row;
        valuesOf[id][at] = feature.getValue();
      }
      row++;
    }
    return of(
        new FeatureColumns.Columns(n, nonZero, rowsOf, valuesOf, label, weight),
        labelIds.size(),
        maxBins,
        parallel);
  }

  /**
   * Bins sparse columns as {@link #of(Dataset, int, boolean)} bins the dataset they were read from
   * (the same columns give the same bins and codes).
   */
  static BinnedData of(FeatureColumns.Columns columns, int classes, int maxBins, boolean parallel) {
    int n = columns.rows();
    int f = columns.nonZero().length;
    int[] nonZero = columns.nonZero();
    int[][] rowsOf = columns.rowsOf();
    double[][] valuesOf = columns.valuesOf();
    byte[][] codes = new byte[f][];
    double[][] upper = new double[f][];
    IntStream features = IntStream.range(0, f);
    (parallel ? features.parallel() : features)
        .forEach(
            id -> {
              // Each task writes only its own feature's slots.
              codes[id] = new byte[n];
              upper[id] = edges(valuesOf[id], nonZero[id], n, maxBins, codes[id], rowsOf[id]);
            });
    return new BinnedData(n, classes, codes, upper, columns.label(), columns.weight());
  }

  /**
   * Bins dense columns: {@code columns[feature][row]}.
   *
   * @throws IllegalArgumentException if there are no rows or the arrays disagree in length
   */
  static BinnedData of(double[][] columns, int[] label, double[] weight, int classes, int maxBins) {
    int n = label.length;
    if (n == 0 || weight.length != n) {
      throw new IllegalArgumentException("expected rows with one label and weight each");
    }
    byte[][] codes = new byte[columns.length][n];
    double[][] upper = new double[columns.length][];
    int[] everyRow = IntStream.range(0, n).toArray();
    for (int f = 0; f < columns.length; f++) {
      if (columns[f].length != n) {
        throw new IllegalArgumentException(
            "column " + f + " has " + columns[f].length + " rows, expected " + n);
      }
      upper[f] = edges(columns[f], n, n, maxBins, codes[f], everyRow);
    }
    return new BinnedData(n, classes, codes, upper, label.clone(), weight.clone());
  }

  /**
   * The bins' upper edges for a feature given by its first {@code count} explicit values out of
   * {@code rows} (the others are 0): one bin per distinct value if there are at most {@code
   * maxBins}, else bins closed as the running row count reaches each multiple of rows / maxBins.
   */
  static double[] edges(double[] values, int count, int rows, int maxBins) {
    checkBins(maxBins);
    // Only for a column with no implicit zeros: with them, the sort below has always counted one
    // zero too many and dropped one occurrence of the largest value, and the models it made
    // (hist-forest's) must stay the same.
    double[] few = count == rows ? fewDistinct(values, count, maxBins, null) : null;
    return few != null ? few : sortedEdges(values, count, rows, maxBins);
  }

  /**
   * The edges of {@link #edges(double[], int, int, int)}, and each row's bin in {@code codes}: row
   * {@code rowsOf[i]} holds {@code values[i]}, the rows not among them 0. The codes are those of
   * {@link #bin} against the edges; for a column of few distinct values they come from the hashing
   * that finds the values, without searching the edges row by row.
   */
  static double[] edges(
      double[] values, int count, int rows, int maxBins, byte[] codes, int[] rowsOf) {
    checkBins(maxBins);
    if (count == rows) {
      int[] rank = new int[count];
      double[] few = fewDistinct(values, count, maxBins, rank);
      if (few != null) {
        for (int i = 0; i < count; i++) {
          codes[rowsOf[i]] = (byte) rank[i];
        }
        return few;
      }
    }
    int[] order = sortOrder(values, count, rows);
    if (order == null) {
      // A NaN: the sort's order, and each row's bin searched.
      double[] upper = sortedEdges(values, count, rows, maxBins);
      byte zero = (byte) bin(upper, 0.0);
      if (zero != 0 && count < rows) {
        Arrays.fill(codes, zero);
      }
      for (int i = 0; i < count; i++) {
        codes[rowsOf[i]] = (byte) bin(upper, values[i]);
      }
      return upper;
    }
    // The values in the order of the sort (index count is the implicit zeros' entry), whose
    // edges are then those of sortedEdges, and the codes found walking that order once: a row's
    // bin is the first whose edge is at least its value, which only grows along the order.
    double[] sorted = new double[order.length];
    for (int i = 0; i < order.length; i++) {
      sorted[i] = order[i] < count ? values[order[i]] : 0.0;
    }
    double[] upper = edgesOfSorted(sorted, count, rows, maxBins);
    byte zero = (byte) bin(upper, 0.0);
    if (zero != 0 && count < rows) {
      Arrays.fill(codes, zero);
    }
    int last = upper.length - 1;
    int b = 0;
    for (int i = 0; i < order.length; i++) {
      double v = sorted[i];
      while (b < last && upper[b] < v) {
        b++;
      }
      if (order[i] < count) {
        codes[rowsOf[order[i]]] = (byte) b;
      }
    }
    return upper;
  }

  /**
   * The indices of the first {@code count} values, and {@code count} for the implicit zeros when
   * {@code count < rows}, in the order {@link Arrays#sort(double[])} puts their values (-0.0 before
   * 0.0); null if a value is NaN. A stable radix sort of the values' bits, skipping the bytes every
   * value shares (whole-number columns share most).
   */
  private static int[] sortOrder(double[] values, int count, int rows) {
    int m = count + (count < rows ? 1 : 0);
    long[] keys = new long[m];
    int[] histogram = new int[8 * 256];
    for (int i = 0; i < m; i++) {
      double v = i < count ? values[i] : 0.0;
      if (Double.isNaN(v)) {
        return null;
      }
      long bits = Double.doubleToRawLongBits(v);
      // Unsigned order of the keys is the sort's order of the values.
      long key = bits ^ ((bits >> 63) | Long.MIN_VALUE);
      keys[i] = key;
      for (int p = 0; p < 8; p++) {
        histogram[(p << 8) | (int) ((key >>> (p << 3)) & 0xFF)]++;
      }
    }
    int[] order = new int[m];
    for (int i = 0; i < m; i++) {
      order[i] = i;
    }
    long[] keysTo = new long[m];
    int[] orderTo = new int[m];
    int[] start = new int[256];
    for (int p = 0; p < 8; p++) {
      int shift = p << 3;
      if (histogram[(p << 8) | (int) ((keys[0] >>> shift) & 0xFF)] == m) {
        continue; // every key has this byte
      }
      int sum = 0;
      for (int digit = 0; digit < 256; digit++) {
        start[digit] = sum;
        sum += histogram[(p << 8) | digit];
      }
      for (int i = 0; i < m; i++) {
        int at = start[(int) ((keys[i] >>> shift) & 0xFF)]++;
        keysTo[at] = keys[i];
        orderTo[at] = order[i];
      }
      long[] k = keys;
      keys = keysTo;
      keysTo = k;
      int[] o = order;
      order = orderTo;
      orderTo = o;
    }
    return order;
  }

  private static void checkBins(int maxBins) {
    if (maxBins < 2 || maxBins > MAX_BINS) {
      throw new IllegalArgumentException(
          "bins: expected an integer in [2, " + MAX_BINS + "], found " + maxBins);
    }
  }

  /** The edges found by sorting the values, with one entry for the implicit zeros if any. */
  private static double[] sortedEdges(double[] values, int count, int rows, int maxBins) {
    double[] sorted = new double[count + (count < rows ? 1 : 0)];
    System.arraycopy(values, 0, sorted, 0, count);
    Arrays.sort(sorted);
    return edgesOfSorted(sorted, count, rows, maxBins);
  }

  /** The edges of {@link #sortedEdges} from its sorted values. */
  private static double[] edgesOfSorted(double[] sorted, int count, int rows, int maxBins) {
    // Distinct values and how many rows hold each; the implicit zeros are one more entry.
    double[] distinct = new double[sorted.length];
    long[] held = new long[sorted.length];
    int d = 0;
    long zeros = rows - (long) count;
    boolean zerosPlaced = zeros == 0;
    for (int i = 0; i < count; i++) {
      double v = sorted[i];
      if (!zerosPlaced && v >= 0) {
        d = add(distinct, held, d, 0.0, zeros);
        zerosPlaced = true;
      }
      d = add(distinct, held, d, v, 1);
    }
    if (!zerosPlaced) {
      d = add(distinct, held, d, 0.0, zeros);
    }
    if (d <= maxBins) {
      return Arrays.copyOf(distinct, d);
    }
    double[] edges = new double[maxBins];
    int bins = 0;
    long cumulative = 0;
    for (int i = 0; i < d; i++) {
      cumulative += held[i];
      if (i == d - 1 || (double) cumulative * maxBins >= (double) (bins + 1) * rows) {
        edges[bins++] = distinct[i];
      }
    }
    return Arrays.copyOf(edges, bins);
  }

  /**
   * The sorted distinct values of the first {@code count} when there are at most {@code maxBins},
   * found by hashing instead of sorting every row (most columns are codes or small counts); else
   * null, as it is for a column holding -0.0 or NaN, which only the sort merges as {@link #edges}
   * always has. The result is then the same as the sort's.
   */
  private static double[] fewDistinct(double[] values, int count, int maxBins, int[] rank) {
    int capacity = Integer.highestOneBit(maxBins * 4 - 1) << 1;
    int mask = capacity - 1;
    long[] keys = new long[capacity];
    boolean[] used = new boolean[capacity];
    double[] distinct = new double[maxBins];
    int d = 0;
    for (int i = 0; i < count; i++) {
      double v = values[i];
      long bits = Double.doubleToRawLongBits(v);
      if (bits == NEGATIVE_ZERO || Double.isNaN(v)) {
        return null;
      }
      int slot = (int) (((bits ^ (bits >>> 32)) * 0x9E3779B97F4A7C15L) >>> 40) & mask;
      while (used[slot] && keys[slot] != bits) {
        slot = (slot + 1) & mask;
      }
      if (!used[slot]) {
        if (d == maxBins) {
          return null;
        }
        used[slot] = true;
        keys[slot] = bits;
        distinct[d++] = v;
      }
      if (rank != null) {
        rank[i] = slot;
      }
    }
    double[] out = Arrays.copyOf(distinct, d);
    Arrays.sort(out);
    if (rank != null) {
      // Each value's slot becomes its value's index among the sorted distinct values.
      int[] rankOfSlot = new int[capacity];
      for (int slot = 0; slot < capacity; slot++) {
        if (used[slot]) {
          rankOfSlot[slot] = Arrays.binarySearch(out, Double.longBitsToDouble(keys[slot]));
        }
      }
      for (int i = 0; i < count; i++) {
        rank[i] = rankOfSlot[rank[i]];
      }
    }
    return out;
  }

  private static final long NEGATIVE_ZERO = Double.doubleToRawLongBits(-0.0);

  /** Appends {@code v} with {@code rows} rows, merging it with the last value when equal. */
  private static int add(double[] distinct, long[] held, int d, double v, long rows) {
    if (d > 0 && distinct[d - 1] == v) {
      held[d - 1] += rows;
      return d;
    }
    distinct[d] = v;
    held[d] = rows;
    return d + 1;
  }

  /** The first bin whose upper edge is at least {@code v} (the last bin above every edge). */
  static int bin(double[] upper, double v) {
    int lo = 0;
    int hi = upper.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (upper[mid] >= v) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }
}
