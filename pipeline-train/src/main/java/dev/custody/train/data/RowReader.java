package dev.custody.train.data;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.chain.FeatureSchema;
import dev.custody.train.spec.PipelineSpec.Format;
import dev.custody.verify.FeatureEncoder;
import dev.custody.verify.Features;
import dev.custody.verify.InvalidInputException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Turns the records of one data file into validated rows: every rejection names the file, line,
 * column, what was expected and what was found. The features come from {@link FeatureEncoder}, the
 * encoder serving uses too.
 */
public final class RowReader {
  private static final int MAX_QUOTED = 40;

  /** Most rows a data file's error lists; the rest are counted. */
  public static final int MAX_LISTED_BAD_ROWS = 20;

  /** How many rows between two progress reports. */
  static final int PROGRESS_EVERY = 4096;

  /** The most distinct texts of one column that are shared between rows. */
  private static final int MAX_SHARED = 4096;

  private final FeatureSchema schema;
  private final Format format;
  private final List<String> canonicalColumns;
  private final FeatureEncoder encoder;

  /** Per canonical column, its distinct cell texts so far, up to {@value #MAX_SHARED} of them. */
  private final List<Map<String, String>> sharedCells = new ArrayList<>();

  /** The feature names of the last row, shared with the next row when equal (fixed columns). */
  private List<String> lastNames;

  /** A reader of rows of {@code schema} in {@code format}. */
  public RowReader(FeatureSchema schema, Format format) {
    this.schema = schema;
    this.format = format;
    this.canonicalColumns = schema.canonicalColumns();
    this.encoder = FeatureEncoder.of(schema);
  }

  /** Reads the rows of one file's bytes. */
  public List<ParsedRow> read(byte[] bytes, String source) throws PipelineException {
    return read(bytes, source, rows -> {});
  }

  /**
   * Reads the rows of one file's bytes, telling {@code rowsRead} the count of rows read so far
   * every {@value #PROGRESS_EVERY} rows.
   */
  public List<ParsedRow> read(byte[] bytes, String source, LongConsumer rowsRead)
      throws PipelineException {
    String text = DelimitedText.decode(bytes, source);
    RowSink sink = new RowSink(source, rowsRead);
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
    sink.badRows.throwIfAny();
    return sink.rows;
  }

  /**
   * The rows that break the schema, each with its line, column, expected and found value: all are
   * counted, the first {@link #MAX_LISTED_BAD_ROWS} listed, so one run shows what to fix and a file
   * of bad rows still gives one bounded line.
   */
  private static final class BadRows {
    private final String source;
    private final List<PipelineException> listed = new ArrayList<>();
    private long count;

    BadRows(String source) {
      this.source = source;
    }

    void add(PipelineException e) {
      count++;
      if (listed.size() < MAX_LISTED_BAD_ROWS) {
        listed.add(e);
      }
    }

    void throwIfAny() throws PipelineException {
      if (count == 0) {
        return;
      }
      if (count == 1) {
        throw listed.get(0);
      }
      StringBuilder b = new StringBuilder(source).append(": ").append(count).append(" bad rows: ");
      String prefix = source + " ";
      for (int i = 0; i < listed.size(); i++) {
        String m = listed.get(i).getMessage();
        b.append(i == 0 ? "" : "; ")
            .append(m.startsWith(prefix) ? m.substring(prefix.length()) : m);
      }
      if (count > listed.size()) {
        b.append("; ... and ")
            .append(count - listed.size())
            .append(" more (")
            .append(count)
            .append(" bad rows in all)");
      }
      throw new PipelineException(Reason.DATA_INVALID, b.toString(), listed.get(0));
    }
  }

  /**
   * One row from raw input values (a feedback record's {@code input}: every feature column, as the
   * infer endpoint takes them), validated and encoded exactly as a data file's row.
   *
   * @param source what messages name as the file (the feedback file)
   * @param line what messages name as the line (the record's sequence number)
   * @param label the row's label
   * @param input feature column → raw value; the caller checks the key set
   * @throws PipelineException {@code DATA_INVALID} naming the column, as for a data row
   */
  public ParsedRow input(String source, long line, String label, Map<String, String> input)
      throws PipelineException {
    int[] index = new int[1 + canonicalColumns.size()];
    index[0] = -1;
    List<String> fields = new ArrayList<>(canonicalColumns.size());
    fields.add(label);
    for (int i = 0; i < canonicalColumns.size(); i++) {
      index[i + 1] = i;
      if (i > 0) {
        String value = input.get(canonicalColumns.get(i));
        if (value == null) {
          throw DelimitedText.error(
              source, line, "missing column \"" + canonicalColumns.get(i) + "\" in the input");
        }
        fields.add(value);
      }
    }
    return row(source, line, canonicalColumns, index, fields);
  }

  /** Takes the first CSV record as the header, and every other record as a row. */
  private final class RowSink implements DelimitedText.Sink {
    private final String source;
    private final LongConsumer rowsRead;
    private final List<ParsedRow> rows = new ArrayList<>();
    private final BadRows badRows;
    private List<String> header;
    private int[] index;

    RowSink(String source, LongConsumer rowsRead) {
      this.source = source;
      this.badRows = new BadRows(source);
      this.rowsRead = rowsRead;
    }

    @Override
    public void record(long line, List<String> fields) throws PipelineException {
      if (header == null) {
        header = fields;
        index = indexOf(source, line, fields);
      } else {
        try {
          rows.add(row(source, line, header, index, fields));
          if (rows.size() % PROGRESS_EVERY == 0) {
            rowsRead.accept(rows.size());
          }
        } catch (PipelineException e) {
          badRows.add(e);
        }
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

    // The feature columns follow the label in the canonical columns, so at index[2 + i].
    double[] numeric = new double[schema.numeric().size()];
    Features features;
    try {
      features = encoder.encodeCells(i -> fields.get(index[i + 2]), numeric);
    } catch (InvalidInputException e) {
      throw cell(source, line, index[e.featureColumn() + 2], e.column(), e.detail());
    }
    // Rows are held until training: each cell's text is shared with equal cells of its column
    // (labels, categories, small integers) instead of kept once per row.
    List<String> canonical = new ArrayList<>(canonicalColumns.size());
    label = shared(0, label);
    canonical.add(label);
    int k = 2;
    for (int i = 0; i < schema.numeric().size(); i++, k++) {
      canonical.add(shared(k - 1, canonicalNumber(fields.get(index[k]))));
    }
    for (; k < index.length; k++) {
      canonical.add(shared(k - 1, fields.get(index[k])));
    }
    double[] values = new double[features.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = features.value(i);
    }
    List<String> names = features.names();
    if (names.equals(lastNames)) {
      names = lastNames;
    }
    lastNames = names;
    TrainingTable.Row row =
        new TrainingTable.Row(line, label, names, TrainingTable.doubles(values), 1.0);
    return new ParsedRow(new CanonicalRow(source, line, id, canonical), row, numeric);
  }

  /**
   * The instance of {@code cell} already held for canonical column {@code column}, or {@code cell}
   * itself (then held, while the column has fewer than {@value #MAX_SHARED} distinct texts: past
   * that a column is mostly distinct values, which sharing would not shrink).
   */
  private String shared(int column, String cell) {
    while (sharedCells.size() <= column) {
      sharedCells.add(new HashMap<>());
    }
    Map<String, String> seen = sharedCells.get(column);
    String held = seen.get(cell);
    if (held != null) {
      return held;
    }
    if (seen.size() < MAX_SHARED) {
      seen.put(cell, cell);
    }
    return cell;
  }

  /**
   * The canonical text of a decimal: its exact value, without exponent, sign of zero, leading zeros
   * or trailing fractional zeros ({@code "2.50e1"} → {@code "25"}, {@code "-0"} → {@code "0"}).
   */
  static String canonicalNumber(String cell) {
    if (isCanonicalInteger(cell)) {
      return cell; // most cells: no BigDecimal to build for them
    }
    BigDecimal d = new BigDecimal(cell.startsWith("+") ? cell.substring(1) : cell);
    if (d.signum() == 0) {
      return "0";
    }
    return d.stripTrailingZeros().toPlainString();
  }

  /** Whether {@code cell} is {@code 0} or {@code -?[1-9][0-9]*}: its own canonical text. */
  private static boolean isCanonicalInteger(String cell) {
    int n = cell.length();
    int i = n > 1 && cell.charAt(0) == '-' ? 1 : 0;
    if (i == n || (cell.charAt(i) == '0' && n > 1)) {
      return false;
    }
    for (; i < n; i++) {
      char c = cell.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
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
  public static void checkUniqueIds(List<ParsedRow> rows, String idColumn)
      throws PipelineException {
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
