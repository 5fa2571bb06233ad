package dev.custody.train.data;

import dev.custody.core.PipelineException;
import dev.custody.train.spec.PipelineSpec.CategoricalColumn;
import dev.custody.train.spec.PipelineSpec.Format;
import dev.custody.train.spec.PipelineSpec.NumericColumn;
import dev.custody.train.spec.PipelineSpec.Schema;
import dev.custody.train.spec.PipelineSpec.TextColumn;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Turns the records of one data file into validated rows: every rejection names the file, line,
 * column, what was expected and what was found.
 */
public final class RowReader {
  private static final Pattern DECIMAL =
      Pattern.compile("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?");
  private static final Pattern NON_FINITE =
      Pattern.compile("[-+]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);
  private static final int MAX_QUOTED = 40;

  private final Schema schema;
  private final Format format;
  private final List<String> canonicalColumns;

  /** A reader of rows of {@code schema} in {@code format}. */
  public RowReader(Schema schema, Format format) {
    this.schema = schema;
    this.format = format;
    this.canonicalColumns = schema.canonicalColumns();
  }

  /** Reads the rows of one file's bytes. */
  public List<ParsedRow> read(byte[] bytes, String source) throws PipelineException {
    String text = DelimitedText.decode(bytes, source);
    RowSink sink = new RowSink(source);
    if (format == Format.TSV_TEXT) {
      sink.header = List.of("label", "text");
      sink.index = new int[] {-1, 0, 1};
      DelimitedText.tsv(text, source, sink);
    } else {
      DelimitedText.csv(text, source, sink);
      if (sink.header == null) {
        throw DelimitedText.error(source, 1, "expected a header row, found an empty file");
      }
    }
    return sink.rows;
  }

  /** Takes the first CSV record as the header, and every other record as a row. */
  private final class RowSink implements DelimitedText.Sink {
    private final String source;
    private final List<ParsedRow> rows = new ArrayList<>();
    private List<String> header;
    private int[] index;

    RowSink(String source) {
      this.source = source;
    }

    @Override
    public void record(long line, List<String> fields) throws PipelineException {
      if (header == null) {
        header = fields;
        index = indexOf(source, line, fields);
      } else {
        rows.add(row(source, line, header, index, fields));
      }
    }
  }

  /**
   * For each schema column (id, then canonical columns), its index in the header; the id slot is -1
   * when the schema has no id.
   */
  private int[] indexOf(String source, long line, List<String> header) throws PipelineException {
    Map<String, Integer> at = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      Integer prev = at.putIfAbsent(header.get(i), i);
      if (prev != null) {
        throw DelimitedText.error(
            source,
            line,
            "column "
                + (i + 1)
                + ": expected unique column names, found \""
                + header.get(i)
                + "\" again (first in column "
                + (prev + 1)
                + ")");
      }
    }
    int[] index = new int[1 + canonicalColumns.size()];
    index[0] = -1;
    List<String> wanted = new ArrayList<>();
    if (schema.id() != null) {
      wanted.add(schema.id());
    }
    wanted.addAll(canonicalColumns);
    for (String col : wanted) {
      if (!at.containsKey(col)) {
        throw DelimitedText.error(
            source,
            line,
            "missing column \""
                + col
                + "\": expected it in the header, found "
                + quote(String.join(",", header)));
      }
    }
    if (schema.id() != null) {
      index[0] = at.get(schema.id());
    }
    for (int i = 0; i < canonicalColumns.size(); i++) {
      index[i + 1] = at.get(canonicalColumns.get(i));
    }
    return index;
  }

  private ParsedRow row(
      String source, long line, List<String> header, int[] index, List<String> fields)
      throws PipelineException {
    if (fields.size() != header.size()) {
      throw DelimitedText.error(
          source,
          line,
          "expected "
              + header.size()
              + " columns"
              + (format == Format.TSV_TEXT ? " (label<TAB>text)" : "")
              + ", found "
              + fields.size());
    }
    String id = "";
    if (index[0] >= 0) {
      id = fields.get(index[0]);
      if (id.isEmpty()) {
        throw cell(
            source, line, index[0], schema.id(), "expected a non-empty id, found an empty value");
      }
    }
    int labelAt = index[1];
    String label = fields.get(labelAt);
    String labelCol = schema.label().column();
    if (label.isEmpty()) {
      throw cell(
          source,
          line,
          labelAt,
          labelCol,
          "missing label: expected one of " + schema.label().allowed() + ", found an empty value");
    }
    if (!schema.label().allowed().contains(label)) {
      throw cell(
          source,
          line,
          labelAt,
          labelCol,
          "label outside the allowed set: expected one of "
              + schema.label().allowed()
              + ", found "
              + quote(label));
    }

    List<String> canonical = new ArrayList<>(canonicalColumns.size());
    canonical.add(label);
    TreeMap<String, Double> features = new TreeMap<>();
    double[] numeric = new double[schema.numeric().size()];
    int k = 2;
    for (int i = 0; i < schema.numeric().size(); i++, k++) {
      NumericColumn col = schema.numeric().get(i);
      int at = index[k];
      String cell = fields.get(at);
      double v = number(source, line, at, col, cell);
      numeric[i] = v;
      canonical.add(canonicalNumber(cell));
      features.put(col.column(), v);
    }
    for (CategoricalColumn col : schema.categorical()) {
      int at = index[k++];
      String cell = fields.get(at);
      if (!col.allowed().contains(cell)) {
        throw cell(
            source,
            line,
            at,
            col.column(),
            "expected one of "
                + col.allowed()
                + ", found "
                + (cell.isEmpty() ? "an empty value" : quote(cell)));
      }
      canonical.add(cell);
      features.put(col.column() + "@" + cell, 1.0);
    }
    for (TextColumn col : schema.text()) {
      String cell = fields.get(index[k++]);
      canonical.add(cell);
      for (String token : tokens(cell)) {
        features.merge(col.column() + "@" + token, 1.0, Double::sum);
      }
    }
    if (features.isEmpty()) {
      int at = index[index.length - 1];
      throw cell(
          source,
          line,
          at,
          canonicalColumns.get(canonicalColumns.size() - 1),
          "row has no features: expected at least one token, found " + quote(fields.get(at)));
    }
    TrainingTable.Row row =
        new TrainingTable.Row(
            line, label, new ArrayList<>(features.keySet()), new ArrayList<>(features.values()));
    return new ParsedRow(new CanonicalRow(source, line, id, canonical), row, numeric);
  }

  private double number(String source, long line, int at, NumericColumn col, String cell)
      throws PipelineException {
    if (cell.isEmpty()) {
      throw cell(source, line, at, col.column(), "expected a number, found an empty value");
    }
    if (NON_FINITE.matcher(cell).matches()) {
      throw cell(source, line, at, col.column(), "expected a finite number, found " + quote(cell));
    }
    if (!DECIMAL.matcher(cell).matches()) {
      throw cell(source, line, at, col.column(), "expected a number, found " + quote(cell));
    }
    double v = Double.parseDouble(cell);
    if (!Double.isFinite(v) || (v == 0 && new BigDecimal(cell).signum() != 0)) {
      throw cell(
          source,
          line,
          at,
          col.column(),
          "expected a number within double range, found " + quote(cell));
    }
    v += 0.0; // -0.0 becomes 0.0
    if (v < col.min() || v > col.max()) {
      throw cell(
          source,
          line,
          at,
          col.column(),
          "value out of range: expected a value in ["
              + bound(col.min())
              + ", "
              + bound(col.max())
              + "], found "
              + cell);
    }
    return v;
  }

  /**
   * The canonical text of a decimal: its exact value, without exponent, sign of zero, leading zeros
   * or trailing fractional zeros ({@code "2.50e1"} → {@code "25"}, {@code "-0"} → {@code "0"}).
   */
  static String canonicalNumber(String cell) {
    BigDecimal d = new BigDecimal(cell.startsWith("+") ? cell.substring(1) : cell);
    if (d.signum() == 0) {
      return "0";
    }
    return d.stripTrailingZeros().toPlainString();
  }

  /**
   * Lower-cased (Locale.ROOT) tokens: maximal runs of letters and digits, and maximal runs of other
   * non-whitespace characters (so {@code "Call now!!"} gives {@code call, now, !!} and an emoticon
   * such as {@code ":-)"} is a token); whitespace separates tokens and is dropped.
   */
  static List<String> tokens(String text) {
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

  private static PipelineException cell(
      String source, long line, int index, String column, String message) {
    return DelimitedText.error(
        source, line, "column " + (index + 1) + " (" + column + "): " + message);
  }

  static String quote(String s) {
    String t = s.length() > MAX_QUOTED ? s.substring(0, MAX_QUOTED) + "…" : s;
    return "\"" + t + "\"";
  }

  /** Rejects a repeated id across all rows of all files. */
  public static void checkUniqueIds(List<ParsedRow> rows, String idColumn) throws PipelineException {
    if (idColumn == null) {
      return;
    }
    Map<String, CanonicalRow> seen = new HashMap<>();
    for (ParsedRow r : rows) {
      CanonicalRow prev = seen.putIfAbsent(r.canonical().id(), r.canonical());
      if (prev != null) {
        throw DelimitedText.error(
            r.canonical().source(),
            r.canonical().line(),
            "id column "
                + idColumn
                + ": expected a unique id, found "
                + quote(r.canonical().id())
                + " again (first at "
                + prev.source()
                + " line "
                + prev.line()
                + ")");
      }
    }
  }
}
