package dev.custody.verify;

import dev.custody.core.chain.FeatureSchema;
import dev.custody.core.chain.FeatureSchema.CategoricalColumn;
import dev.custody.core.chain.FeatureSchema.NumericColumn;
import dev.custody.core.chain.FeatureSchema.TextColumn;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns a row of raw column values into model features, as the signed {@link FeatureSchema} says:
 * the one implementation of the encoding, used by training (ingest reads every data row through it)
 * and by serving ({@link VerifiedModel#predict}), so the two cannot disagree.
 *
 * <ul>
 *   <li>a numeric column is the feature of its own name; its value must be a decimal ({@code
 *       [-+]digits[.digits][e[-+]digits]}), finite, within double range (a non-zero value that
 *       rounds to 0 is refused too) and within the column's {@code [min, max]}; {@code -0} is 0;
 *   <li>a categorical column is one-hot: feature {@code column@value} = 1, the value one of the
 *       column's allowed values;
 *   <li>a text column is its lower-cased {@linkplain #tokens tokens}, counted: features {@code
 *       column@token};
 *   <li>a row must have at least one feature; the names are sorted.
 * </ul>
 *
 * <pre>{@code
 * FeatureEncoder encoder = FeatureEncoder.of(schema);
 * Features f = encoder.encode(Map.of("AGE", 42, "HOUSING", "own"));
 * }</pre>
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class FeatureEncoder {
  private static final Pattern NON_FINITE =
      Pattern.compile("[-+]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);
  private static final int MAX_QUOTED = 40;

  private final FeatureSchema schema;
  private final List<String> featureColumns;
  private final Set<String> knownColumns;
  private final NumericColumn[] numeric;
  private final CategoricalColumn[] categorical;
  private final TextColumn[] text;

  /** Per categorical column: allowed value → its feature name, built once. */
  private final List<Map<String, String>> oneHot;

  /** Per categorical column: allowed value → the rank of its feature name among fixed names. */
  private final List<Map<String, Integer>> oneHotRank;

  /** The rank of each numeric feature name among the fixed names. */
  private final int[] numericRank;

  /** Whether ranks order every row's fixed features (no text, no name shared by two features). */
  private final boolean ranked;

  private FeatureEncoder(FeatureSchema schema) {
    this.schema = schema;
    this.featureColumns = schema.featureColumns();
    this.knownColumns = new HashSet<>(schema.columns());
    this.numeric = schema.numeric().toArray(new NumericColumn[0]);
    this.categorical = schema.categorical().toArray(new CategoricalColumn[0]);
    this.text = schema.text().toArray(new TextColumn[0]);

    List<String> fixed = schema.fixedFeatureNames();
    TreeSet<String> sorted = new TreeSet<>(fixed);
    Map<String, Integer> rank = new HashMap<>();
    for (String name : sorted) {
      rank.put(name, rank.size());
    }
    this.numericRank = new int[numeric.length];
    for (int i = 0; i < numeric.length; i++) {
      numericRank[i] = rank.get(numeric[i].column());
    }
    List<Map<String, String>> names = new ArrayList<>();
    List<Map<String, Integer>> ranks = new ArrayList<>();
    for (CategoricalColumn c : categorical) {
      Map<String, String> n = new HashMap<>();
      Map<String, Integer> r = new HashMap<>();
      for (String v : c.allowed()) {
        String feature = c.column() + FeatureSchema.SEPARATOR + v;
        n.put(v, feature);
        r.put(v, rank.get(feature));
      }
      names.add(Map.copyOf(n));
      ranks.add(Map.copyOf(r));
    }
    this.oneHot = List.copyOf(names);
    this.oneHotRank = List.copyOf(ranks);
    this.ranked = text.length == 0 && sorted.size() == fixed.size();
  }

  /** The encoder for {@code schema}. */
  public static FeatureEncoder of(FeatureSchema schema) {
    return new FeatureEncoder(Objects.requireNonNull(schema, "schema"));
  }

  /** The schema this encoder follows. */
  public FeatureSchema schema() {
    return schema;
  }

  /** The columns an input row must hold, in order: numeric, categorical, then text columns. */
  public List<String> featureColumns() {
    return featureColumns;
  }

  /**
   * The raw text of one feature column of a row, for {@link #encodeCells}.
   *
   * <p>Training reads cells straight from a data file's fields, without copying them into a map.
   */
  @FunctionalInterface
  public interface Cells {
    /** The raw value of {@link #featureColumns()}{@code .get(featureColumn)}, never null. */
    String cell(int featureColumn);
  }

  /**
   * Encodes one input row of raw values.
   *
   * @param row column name → value: a {@link String}, or a finite {@link Number} (read as its
   *     decimal text, so {@code 42} and {@code "42"} encode alike). The id and label columns are
   *     ignored if present; every feature column must be present.
   * @return the row's features
   * @throws InvalidInputException naming the column, if the row has a column the schema does not
   *     declare, lacks a feature column, or holds a value the schema refuses (see the class
   *     comment), or a value of another type
   */
  public Features encode(Map<String, ?> row) throws InvalidInputException {
    Objects.requireNonNull(row, "row");
    List<String> unknown = new ArrayList<>();
    for (String column : row.keySet()) {
      if (!knownColumns.contains(column)) {
        unknown.add(String.valueOf(column));
      }
    }
    if (!unknown.isEmpty()) {
      unknown.sort(null);
      throw new InvalidInputException(
          unknown.get(0),
          InvalidInputException.NO_FEATURE_COLUMN,
          "unknown column: expected only the schema's columns "
              + schema.columns()
              + ", found "
              + quoteAll(unknown));
    }
    Object[] values = new Object[featureColumns.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.get(featureColumns.get(i));
    }
    return encodeValues(values, row);
  }

  /**
   * Encodes one input row whose feature-column values a caller has already found by name: {@link
   * #encode(Map)} after its check of the row's column names, for a caller that made the row from
   * the schema's columns (the model server's request reader), without a map lookup per column.
   *
   * @param values the value of each of {@link #featureColumns()}, in that order: as {@link
   *     #encode(Map)} takes them
   * @return the row's features
   * @throws InvalidInputException naming the column, if a value is null ({@code missing column}) or
   *     one the schema refuses, as {@link #encode(Map)} says
   * @throws IllegalArgumentException if there are not as many values as feature columns
   */
  public Features encodeFeatureValues(Object[] values) throws InvalidInputException {
    if (values.length != featureColumns.size()) {
      throw new IllegalArgumentException(
          "expected " + featureColumns.size() + " feature values, found " + values.length);
    }
    return encodeValues(values, null);
  }

  /**
   * Encodes the values of the feature columns, checked in column order; a null value is a missing
   * column ("null" if {@code row}, when given, holds the column with a null value).
   */
  private Features encodeValues(Object[] values, Map<String, ?> row) throws InvalidInputException {
    String[] cells = new String[values.length];
    double[] given = null;
    for (int i = 0; i < cells.length; i++) {
      String column = featureColumns.get(i);
      Object value = values[i];
      if (value == null) {
        throw new InvalidInputException(
            column,
            i,
            "missing column: expected a value for every feature column "
                + featureColumns
                + ", found "
                + (row != null && row.containsKey(column) ? "null" : "none"));
      }
      if (value instanceof String s) {
        cells[i] = s;
      } else if (value instanceof Double d && i < numeric.length) {
        // Already parsed: checked as a double, the same rules as its text without the regexes.
        given = given == null ? new double[numeric.length] : given;
        given[i] = d;
      } else if (value instanceof Number n) {
        cells[i] = n.toString();
      } else {
        throw new InvalidInputException(
            column,
            i,
            "expected a string or a finite number, found a " + value.getClass().getSimpleName());
      }
    }
    return encode(i -> cells[i], given, null);
  }

  /**
   * Encodes one row from the raw text of its feature columns: what ingest calls for each row of a
   * data file, keeping the file, line and column context for its own messages.
   *
   * @param cells the raw text of each of {@link #featureColumns()}
   * @param numericOut if not null, receives each numeric column's value, in schema order (its
   *     length is at least the number of numeric columns)
   * @return the row's features
   * @throws InvalidInputException naming the first column (in {@link #featureColumns()} order)
   *     whose value the schema refuses, or the last column if the row has no feature at all
   */
  public Features encodeCells(Cells cells, double[] numericOut) throws InvalidInputException {
    return encode(cells, null, numericOut);
  }

  /** As {@link #encodeCells}; a numeric cell that is null is {@code given}'s value at its index. */
  private Features encode(Cells cells, double[] given, double[] numericOut)
      throws InvalidInputException {
    if (!ranked) {
      return encodeSorted(cells, given, numericOut);
    }
    int n = numeric.length + categorical.length;
    String[] names = new String[n];
    double[] values = new double[n];
    int[] ranks = new int[n];
    int k = 0;
    for (int i = 0; i < numeric.length; i++, k++) {
      double v = number(k, numeric[i], cells.cell(k), given);
      if (numericOut != null) {
        numericOut[i] = v;
      }
      names[k] = numeric[i].column();
      values[k] = v;
      ranks[k] = numericRank[i];
    }
    for (int i = 0; i < categorical.length; i++, k++) {
      String cell = cells.cell(k);
      String feature = category(k, i, cell);
      names[k] = feature;
      values[k] = 1.0;
      ranks[k] = oneHotRank.get(i).get(cell);
    }
    // Insertion sort by rank: rows have few fixed features, and this allocates nothing.
    for (int i = 1; i < n; i++) {
      int r = ranks[i];
      String name = names[i];
      double value = values[i];
      int j = i - 1;
      while (j >= 0 && ranks[j] > r) {
        ranks[j + 1] = ranks[j];
        names[j + 1] = names[j];
        values[j + 1] = values[j];
        j--;
      }
      ranks[j + 1] = r;
      names[j + 1] = name;
      values[j + 1] = value;
    }
    return new Features(names, values, n);
  }

  /** The general path: text tokens, or feature names shared by two columns (later ones win). */
  private Features encodeSorted(Cells cells, double[] given, double[] numericOut)
      throws InvalidInputException {
    TreeMap<String, Double> features = new TreeMap<>();
    int k = 0;
    for (int i = 0; i < numeric.length; i++, k++) {
      double v = number(k, numeric[i], cells.cell(k), given);
      if (numericOut != null) {
        numericOut[i] = v;
      }
      features.put(numeric[i].column(), v);
    }
    for (int i = 0; i < categorical.length; i++, k++) {
      features.put(category(k, i, cells.cell(k)), 1.0);
    }
    String last = null;
    for (TextColumn col : text) {
      last = cells.cell(k++);
      for (String token : tokens(last)) {
        features.merge(col.column() + FeatureSchema.SEPARATOR + token, 1.0, Double::sum);
      }
    }
    if (features.isEmpty()) {
      throw new InvalidInputException(
          featureColumns.get(k - 1),
          k - 1,
          "row has no features: expected at least one token, found " + quote(last));
    }
    String[] names = new String[features.size()];
    double[] values = new double[names.length];
    int i = 0;
    for (Map.Entry<String, Double> e : features.entrySet()) {
      names[i] = e.getKey();
      values[i++] = e.getValue();
    }
    return new Features(names, values, names.length);
  }

  /** The one-hot feature name of an allowed value of the i-th categorical column. */
  private String category(int featureColumn, int i, String cell) throws InvalidInputException {
    String feature = oneHot.get(i).get(cell);
    if (feature == null) {
      CategoricalColumn col = categorical[i];
      throw new InvalidInputException(
          col.column(),
          featureColumn,
          "expected one of "
              + col.allowed()
              + ", found "
              + (cell.isEmpty() ? "an empty value" : quote(cell)));
    }
    return feature;
  }

  /** A numeric cell's value: its text's, or if it has none, the already-parsed {@code given}'s. */
  private static double number(int featureColumn, NumericColumn col, String cell, double[] given)
      throws InvalidInputException {
    if (cell != null) {
      return number(featureColumn, col, cell);
    }
    double v = given[featureColumn];
    if (!Double.isFinite(v)) {
      throw new InvalidInputException(
          col.column(),
          featureColumn,
          "expected a finite number, found " + quote(Double.toString(v)));
    }
    return inRange(featureColumn, col, v + 0.0, v); // -0.0 becomes 0.0
  }

  /** A numeric cell's value, by the rules of the class comment. */
  private static double number(int featureColumn, NumericColumn col, String cell)
      throws InvalidInputException {
    if (cell.isEmpty()) {
      throw new InvalidInputException(
          col.column(), featureColumn, "expected a number, found an empty value");
    }
    // One scan instead of two regexes per cell (every cell of a data file comes here); a plain
    // integer of up to 15 digits is exact as a long, so it skips parseDouble.
    int digits = decimalDigits(cell);
    if (digits < 0) {
      if (NON_FINITE.matcher(cell).matches()) {
        throw new InvalidInputException(
            col.column(), featureColumn, "expected a finite number, found " + quote(cell));
      }
      throw new InvalidInputException(
          col.column(), featureColumn, "expected a number, found " + quote(cell));
    }
    double v = digits > 0 ? integer(cell) : Double.parseDouble(cell);
    if (!Double.isFinite(v) || (v == 0 && new BigDecimal(cell).signum() != 0)) {
      throw new InvalidInputException(
          col.column(),
          featureColumn,
          "expected a number within double range, found " + quote(cell));
    }
    return inRange(featureColumn, col, v + 0.0, cell); // -0.0 becomes 0.0
  }

  /**
   * Whether {@code cell} is a decimal ({@code
   * [-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?}): -1 if not, the count of its digits if it
   * is a plain integer of at most 15 digits (exact as a double), else 0.
   */
  static int decimalDigits(String cell) {
    int n = cell.length();
    int i = 0;
    if (i < n && (cell.charAt(i) == '-' || cell.charAt(i) == '+')) {
      i++;
    }
    int intStart = i;
    while (i < n && isDigit(cell.charAt(i))) {
      i++;
    }
    int intDigits = i - intStart;
    if (i == n) {
      return intDigits == 0 ? -1 : intDigits <= 15 ? intDigits : 0;
    }
    int fracDigits = 0;
    if (cell.charAt(i) == '.') {
      i++;
      int fracStart = i;
      while (i < n && isDigit(cell.charAt(i))) {
        i++;
      }
      fracDigits = i - fracStart;
    }
    if (intDigits == 0 && fracDigits == 0) {
      return -1;
    }
    if (i < n && (cell.charAt(i) == 'e' || cell.charAt(i) == 'E')) {
      i++;
      if (i < n && (cell.charAt(i) == '-' || cell.charAt(i) == '+')) {
        i++;
      }
      int expStart = i;
      while (i < n && isDigit(cell.charAt(i))) {
        i++;
      }
      if (i == expStart) {
        return -1;
      }
    }
    return i == n ? 0 : -1;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /**
   * The value of a cell {@link #decimalDigits} found to be a plain integer of at most 15 digits.
   */
  private static double integer(String cell) {
    char first = cell.charAt(0);
    int i = first == '-' || first == '+' ? 1 : 0;
    long v = 0;
    for (; i < cell.length(); i++) {
      v = v * 10 + (cell.charAt(i) - '0');
    }
    return first == '-' ? -(double) v : (double) v;
  }

  /** {@code v}, if within the column's bounds; {@code found} is how the refusal shows it. */
  private static double inRange(int featureColumn, NumericColumn col, double v, Object found)
      throws InvalidInputException {
    if (v < col.min() || v > col.max()) {
      throw new InvalidInputException(
          col.column(),
          featureColumn,
          "value out of range: expected a value in ["
              + bound(col.min())
              + ", "
              + bound(col.max())
              + "], found "
              + found);
    }
    return v;
  }

  /**
   * Lower-cased (Locale.ROOT) tokens: maximal runs of letters and digits, and maximal runs of other
   * non-whitespace characters (so {@code "Call now!!"} gives {@code call, now, !!} and an emoticon
   * such as {@code ":-)"} is a token); whitespace separates tokens and is dropped.
   */
  public static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    String lower = text.toLowerCase(Locale.ROOT);
    int start = -1;
    int startKind = 0;
    for (int i = 0; i < lower.length(); ) {
      int cp = lower.codePointAt(i);
      int kind =
          Character.isWhitespace(cp) || Character.isSpaceChar(cp)
              ? 0
              : Character.isLetterOrDigit(cp) ? 1 : 2;
      if (start >= 0 && kind != startKind) {
        out.add(lower.substring(start, i));
        start = -1;
      }
      if (start < 0 && kind != 0) {
        start = i;
        startKind = kind;
      }
      i += Character.charCount(cp);
    }
    if (start >= 0) {
      out.add(lower.substring(start));
    }
    return out;
  }

  private static String bound(double b) {
    if (Double.isInfinite(b)) {
      return b < 0 ? "-inf" : "+inf";
    }
    return BigDecimal.valueOf(b).stripTrailingZeros().toPlainString();
  }

  private static String quote(String s) {
    String t = s.length() > MAX_QUOTED ? s.substring(0, MAX_QUOTED) + "…" : s;
    return "\"" + t + "\"";
  }

  private static String quoteAll(List<String> names) {
    List<String> out = new ArrayList<>();
    for (String n : names.subList(0, Math.min(names.size(), 10))) {
      out.add(quote(n));
    }
    return out + (names.size() > 10 ? " and " + (names.size() - 10) + " more" : "");
  }

  @Override
  public String toString() {
    return "FeatureEncoder" + featureColumns;
  }
}
