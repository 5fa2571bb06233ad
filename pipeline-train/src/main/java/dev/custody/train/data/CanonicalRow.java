package dev.custody.train.data;

import java.util.List;
import java.util.Objects;

/**
 * A data row in canonical form: what the row-level Merkle tree hashes and what {@link DataDiff}
 * compares. The fields are the label, then each feature column of the schema in order (numeric,
 * categorical, text); a numeric value is written as its exact decimal value without exponent,
 * trailing fractional zeros or a sign on zero ({@code "2.50e1"} becomes {@code "25"}); categorical
 * and text values are kept as written. Columns the schema does not name are not part of the row.
 *
 * <p>The canonical encoding ({@link #encode()}) is {@code u32(k) || (u32(len(s_i)) || s_i) for i =
 * 1..k}, with big-endian 32-bit lengths and UTF-8 strings {@code s = [id, label, feature...]},
 * where id is the empty string when the schema has no id column.
 *
 * @param source the data file (path or URL as written in the spec)
 * @param line the 1-based line the row starts on in that file
 * @param id the id column's value, or the empty string when the schema has no id column (ingest
 *     rejects empty ids, so the two cannot be confused)
 * @param fields the label, then the feature values, canonicalised
 */
public record CanonicalRow(String source, long line, String id, List<String> fields) {
  public CanonicalRow {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(id, "id");
    fields = List.copyOf(fields);
  }

  /** Whether the row has an id (the schema declares an id column). */
  public boolean hasId() {
    return !id.isEmpty();
  }

  /** The label (the first field). */
  public String label() {
    return fields.get(0);
  }

  /** The canonical encoding of the id and fields (source and line are not part of it). */
  public byte[] encode() {
    RowEncoder out = new RowEncoder();
    encodeInto(out);
    return out.toByteArray();
  }

  /** Writes the canonical encoding into {@code out}, which the Merkle tree reuses across rows. */
  void encodeInto(RowEncoder out) {
    out.writeInt(fields.size() + 1);
    out.writeString(id);
    for (String f : fields) {
      out.writeString(f);
    }
  }
}
