package dev.custody.serve;

import dev.custody.core.Json;
import dev.custody.serve.Inference.Columns;
import dev.custody.serve.Inference.Kind;
import dev.custody.serve.Inference.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the common OIP inference request straight from its bytes, building no tree and running no
 * general parser: Jackson's tokenizer alone was most of a one-row request's reading time. It reads
 * only a strict subset of JSON, to exactly the rows, id and outputs {@link Inference#read} reads:
 * ASCII text, strings without escapes, numbers as RFC 8259 writes them (at most 18 digits), the
 * fields {@code id}, {@code inputs} and {@code outputs} with {@code data} after its input's name,
 * datatype and shape. At anything else (malformed, over a bound, refused, a duplicate key, a {@code
 * parameters} object, an escape, a non-ASCII byte) it gives up and the caller reads the body as a
 * tree, so every refusal keeps its one message and reason. Within the subset every {@link Json}
 * bound holds by construction: ASCII is valid UTF-8 with no byte-order mark, nesting is at most 4
 * deep, and the body is shorter than {@link Json#MAX_TOKENS} bytes, so it holds fewer tokens.
 */
final class InferenceStream {
  /** The longest number read here: Jackson's own limit is 1,000 characters. */
  private static final int MAX_DIGITS = 18;

  /**
   * Powers of ten a double holds exactly: a decimal of at most 15 digits divided by one of them is
   * the correctly rounded value, as {@link Double#parseDouble} gives it (Clinger's fast path).
   */
  private static final double[] EXACT_POWERS_OF_TEN = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15
  };

  /** The datatypes a request may name, as constants: no string is made for one. */
  private static final List<String> DATATYPES = List.of("FP64", "FP32", "INT64", "INT32", "BYTES");

  /** {@link #DATATYPES} as bytes, compared with the body's bytes in place. */
  private static final byte[][] DATATYPE_BYTES =
      DATATYPES.stream().map(InferenceStream::bytes).toArray(byte[][]::new);

  // The keys, compared with the body's bytes in place: no string per key.
  private static final byte[] ID = bytes("id");
  private static final byte[] INPUTS = bytes("inputs");
  private static final byte[] OUTPUTS = bytes("outputs");
  private static final byte[] NAME = bytes("name");
  private static final byte[] DATATYPE = bytes("datatype");
  private static final byte[] SHAPE = bytes("shape");
  private static final byte[] DATA = bytes("data");

  /** The outputs of a request that names none, as the tree reader gives them. */
  private static final Set<String> ALL_OUTPUTS = Set.of(Inference.LABEL, Inference.PROBABILITIES);

  private final byte[] in;
  private int pos;

  /** Where the last string read starts and ends (before its closing quote). */
  private int from;

  private int to;

  /** Where {@link #column} looks first: after the last feature column found (requests in order). */
  private int nextFeature;

  /** Whether the last input name {@link #column} read is a feature column (one it knows). */
  private boolean feature;

  private InferenceStream(byte[] in) {
    this.in = in;
  }

  /** The request as {@link Inference#read} reads it, or null to read it as a tree instead. */
  static Request read(byte[] body, Columns schema, int maxRows) {
    if (body.length >= Json.MAX_TOKENS) {
      return null;
    }
    return new InferenceStream(body).request(schema, maxRows);
  }

  private Request request(Columns schema, int maxRows) {
    if (next() != '{') {
      return null;
    }
    String id = null;
    Set<String> outputs = null;
    Map<String, Object[]> columns = null;
    boolean seenId = false;
    if (peek() == '}') {
      return null; // no inputs
    }
    do {
      if (!key()) {
        return null;
      }
      if (is(ID)) {
        if (seenId || (id = string()) == null) {
          return null;
        }
        seenId = true;
      } else if (is(INPUTS)) {
        if (columns != null || next() != '[' || (columns = inputs(schema, maxRows)) == null) {
          return null;
        }
      } else if (is(OUTPUTS)) {
        if (outputs != null || next() != '[' || (outputs = outputs()) == null) {
          return null;
        }
      } else {
        // "parameters" too: a duplicate key deep inside it is the tree reader's to refuse.
        return null;
      }
    } while (more('}'));
    if (pos < 0 || skipSpace() != in.length || columns == null) {
      return null;
    }
    return rows(columns, schema, id, outputs);
  }

  /** The rows of per-column values, as the tree reader makes them; null if they disagree. */
  private static Request rows(
      Map<String, Object[]> columns, Columns schema, String id, Set<String> outputs) {
    int rows = -1;
    for (Object[] values : columns.values()) {
      if (rows >= 0 && values.length != rows) {
        return null;
      }
      rows = values.length;
    }
    // Every input is one of the schema's columns (data() refuses others), once; with every
    // feature column present, the encoder may take the values in its order without a map lookup.
    Object[][] byFeature = new Object[schema.features().size()][];
    for (int k = 0; k < byFeature.length; k++) {
      byFeature[k] = columns.get(schema.features().get(k));
      if (byFeature[k] == null) {
        return null;
      }
    }
    if (rows < 0) {
      return null;
    }
    List<Map<String, Object>> out = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      out.add(new ColumnRow(columns, i, byFeature));
    }
    return new Request(out, id, outputs == null ? ALL_OUTPUTS : outputs);
  }

  /** The inputs array after its {@code [}, column by column; null at anything else. */
  private Map<String, Object[]> inputs(Columns schema, int maxRows) {
    Map<String, Object[]> columns = new HashMap<>();
    if (peek() == ']') {
      pos++;
      return columns;
    }
    do {
      if (next() != '{' || peek() == '}') {
        return null;
      }
      String name = null;
      boolean known = false;
      String datatype = null;
      int n = -1;
      Object[] values = null;
      do {
        if (!key()) {
          return null;
        }
        if (is(NAME)) {
          if (name != null || (name = column(schema)) == null) {
            return null;
          }
          known = feature;
        } else if (is(DATATYPE)) {
          if (datatype != null || (datatype = datatype()) == null) {
            return null;
          }
        } else if (is(SHAPE)) {
          if (n >= 0 || next() != '[' || (n = shape(maxRows)) < 0) {
            return null;
          }
        } else if (is(DATA)) {
          // The values' checks need the column, datatype and row count first.
          if (values != null
              || name == null
              || datatype == null
              || n < 0
              || next() != '['
              || (values = data(schema, name, known, datatype, n)) == null) {
            return null;
          }
        } else {
          return null;
        }
      } while (more('}'));
      if (pos < 0 || values == null || columns.put(name, values) != null) {
        return null;
      }
    } while (more(']'));
    return pos < 0 ? null : columns;
  }

  /** The outputs asked for, after the array's {@code [}; null at anything else. */
  private Set<String> outputs() {
    Set<String> out = new HashSet<>();
    if (peek() == ']') {
      pos++;
      return out;
    }
    do {
      if (next() != '{' || !key() || !is(NAME)) {
        return null;
      }
      String name = string();
      if (next() != '}'
          || !(Inference.LABEL.equals(name) || Inference.PROBABILITIES.equals(name))) {
        return null;
      }
      out.add(name);
    } while (more(']'));
    return pos < 0 ? null : out;
  }

  /**
   * The row count of {@code [N]} or {@code [N, 1]} after the {@code [}, 1 <= N <= max rows, or -1.
   */
  private int shape(int maxRows) {
    long n = integer();
    if (n < 1 || n > maxRows) {
      return -1;
    }
    int c = next();
    if (c == ',') {
      if (integer() != 1) {
        return -1;
      }
      c = next();
    }
    return c == ']' ? (int) n : -1;
  }

  /**
   * Exactly {@code n} values after the {@code [}, as the tree reader keeps them, or null.
   *
   * @param feature whether {@code name} is known to be a feature column
   */
  private Object[] data(Columns schema, String name, boolean feature, String datatype, int n) {
    if (!feature && !schema.known().contains(name)) { // a feature column is one of the schema's
      return null;
    }
    Kind kind = schema.kinds().getOrDefault(name, Kind.TEXT);
    boolean bytes = datatype.equals("BYTES");
    if (kind == Kind.NUMERIC ? !Inference.NUMERIC_TYPES.contains(datatype) : !bytes) {
      return null;
    }
    boolean fp = datatype.equals("FP64") || datatype.equals("FP32");
    boolean int32 = datatype.equals("INT32");
    Object[] out = new Object[n];
    if (peek() == ']') {
      return null; // n >= 1
    }
    int count = 0;
    do {
      Object value = count < n ? (bytes ? string() : number(fp, int32)) : null;
      if (value == null) {
        return null;
      }
      out[count++] = value;
    } while (more(']'));
    return pos >= 0 && count == n ? out : null;
  }

  /**
   * A number as the tree reader keeps it: a fraction or exponent as its double (FP64 and FP32
   * only), an integer as its text the way an int or long node prints it ({@code -0} is {@code 0});
   * null for an INT32 beyond int or anything else.
   */
  private Object number(boolean fp, boolean int32) {
    int start = skipSpace();
    if (start < 0) {
      return null;
    }
    int p = start;
    boolean negative = p < in.length && in[p] == '-';
    if (negative) {
      p++;
    }
    int digits = p;
    long value = 0;
    while (p < in.length && in[p] >= '0' && in[p] <= '9') {
      value = value * 10 + (in[p] - '0');
      p++;
    }
    int intDigits = p - digits;
    if (intDigits == 0 || intDigits > MAX_DIGITS || (in[digits] == '0' && intDigits > 1)) {
      return null; // none, too many for a long here, or a leading zero (not JSON)
    }
    boolean fraction = false;
    long mantissa = value;
    int fractionDigits = 0;
    if (p < in.length && in[p] == '.') {
      fraction = true;
      int f = ++p;
      while (p < in.length && in[p] >= '0' && in[p] <= '9') {
        mantissa = mantissa * 10 + (in[p] - '0');
        p++;
      }
      fractionDigits = p - f;
      if (fractionDigits == 0) {
        return null;
      }
    }
    boolean exponent = p < in.length && (in[p] == 'e' || in[p] == 'E');
    if (exponent) {
      fraction = true;
      p++;
      if (p < in.length && (in[p] == '+' || in[p] == '-')) {
        p++;
      }
      int e = p;
      while (p < in.length && in[p] >= '0' && in[p] <= '9') {
        p++;
      }
      if (p == e) {
        return null;
      }
    }
    if (p - start > MAX_DIGITS + 12) {
      return null;
    }
    pos = p;
    if (fraction) {
      if (!fp) {
        return null;
      }
      if (exponent || intDigits + fractionDigits > 15) {
        return Double.parseDouble(ascii(start, p));
      }
      double v = mantissa / EXACT_POWERS_OF_TEN[fractionDigits];
      return negative ? -v : v;
    }
    long v = negative ? -value : value;
    if (int32 && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) {
      return null;
    }
    return Long.toString(v);
  }

  /** A non-negative integer of at most 9 digits (no sign, fraction or exponent), or -1. */
  private long integer() {
    int start = skipSpace();
    if (start < 0) {
      return -1;
    }
    int p = start;
    long value = 0;
    while (p < in.length && in[p] >= '0' && in[p] <= '9' && p - start < 10) {
      value = value * 10 + (in[p] - '0');
      p++;
    }
    int digits = p - start;
    if (digits == 0
        || digits > 9
        || (in[start] == '0' && digits > 1)
        || (p < in.length && (in[p] == '.' || in[p] == 'e' || in[p] == 'E'))) {
      return -1;
    }
    pos = p;
    return value;
  }

  /** A key and its colon, left in {@link #from} and {@link #to}; false at anything else. */
  private boolean key() {
    return span() && next() == ':';
  }

  /** Whether the last string read is {@code literal} (ASCII). */
  private boolean is(byte[] literal) {
    return Arrays.equals(in, from, to, literal, 0, literal.length);
  }

  /** Whether the last string read is {@code literal}, without making a string of it. */
  private boolean is(String literal) {
    if (to - from != literal.length()) {
      return false;
    }
    for (int i = 0; i < literal.length(); i++) {
      if (in[from + i] != literal.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** An input's name: the schema's own string for a feature column, else a new one; or null. */
  private String column(Columns schema) {
    if (!span()) {
      return null;
    }
    // Starting after the last column found, a request in the schema's order matches at once.
    List<String> features = schema.features();
    int n = features.size();
    for (int i = 0; i < n; i++) {
      int k = nextFeature + i < n ? nextFeature + i : nextFeature + i - n;
      String c = features.get(k);
      if (is(c)) {
        nextFeature = k + 1 < n ? k + 1 : 0;
        feature = true;
        return c;
      }
    }
    feature = false;
    return ascii(from, to);
  }

  /** One of the datatypes {@link Inference#read} knows; null for any other (it says why). */
  private String datatype() {
    if (!span()) {
      return null;
    }
    for (int i = 0; i < DATATYPE_BYTES.length; i++) {
      if (is(DATATYPE_BYTES[i])) {
        return DATATYPES.get(i);
      }
    }
    return null;
  }

  /** A string (see {@link #span}), or null. */
  private String string() {
    return span() ? ascii(from, to) : null;
  }

  /**
   * A string of printable ASCII without escapes, left in {@link #from} and {@link #to}; false at
   * anything else: an escape or any other byte is the tree reader's.
   */
  private boolean span() {
    if (next() != '"') {
      return false;
    }
    int start = pos;
    for (int p = start; p < in.length; p++) {
      byte b = in[p];
      if (b == '"') {
        from = start;
        to = p;
        pos = p + 1;
        return true;
      }
      if (b < 0x20 || b > 0x7E || b == '\\') {
        break;
      }
    }
    pos = -1;
    return false;
  }

  private static byte[] bytes(String ascii) {
    return ascii.getBytes(StandardCharsets.US_ASCII);
  }

  private String ascii(int from, int to) {
    return new String(in, from, to - from, StandardCharsets.US_ASCII);
  }

  /** After a member or element: true at a comma, false at {@code close}; else stops the read. */
  private boolean more(char close) {
    int c = next();
    if (c == ',') {
      return true;
    }
    if (c != close) {
      pos = -1;
    }
    return false;
  }

  /** The next byte after JSON whitespace, consumed; -1 at the end or once the read stopped. */
  private int next() {
    int p = skipSpace();
    if (p < 0 || p >= in.length) {
      pos = -1;
      return -1;
    }
    pos = p + 1;
    return in[p];
  }

  /** The next byte after JSON whitespace, not consumed; -1 at the end or once the read stopped. */
  private int peek() {
    int p = skipSpace();
    return p < 0 || p >= in.length ? -1 : in[p];
  }

  /** Skips JSON whitespace; the position after it, or -1 once the read stopped. */
  private int skipSpace() {
    if (pos < 0) {
      return -1;
    }
    while (pos < in.length) {
      byte b = in[pos];
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        break;
      }
      pos++;
    }
    return pos;
  }
}
