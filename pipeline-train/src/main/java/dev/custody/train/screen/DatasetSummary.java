package dev.custody.train.screen;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Sha256;
import dev.custody.core.chain.FeatureSchema.CategoricalColumn;
import dev.custody.core.chain.FeatureSchema.NumericColumn;
import dev.custody.core.chain.FeatureSchema;
import dev.custody.core.chain.FeatureSchema.TextColumn;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What ingest read and decided, for the dataset attestation: per-file digests, row and label
 * counts, the row-level Merkle roots, the schema and the screen reports.
 *
 * @param specName the pipeline (model) name
 * @param specVersion the pipeline (model) version
 * @param specDigest SHA-256 of the spec file's bytes
 * @param format {@code csv} or {@code tsv-text}
 * @param lock the data lock file, or null when the spec lists the files itself
 * @param files each data file, in order
 * @param rows rows read and validated
 * @param labelCounts rows per label, in allowed-label order
 * @param rowsRoot the Merkle root over all rows read ({@link Merkle})
 * @param keptRows rows left after the screens' drops (the training table)
 * @param keptLabelCounts kept rows per label, in allowed-label order
 * @param keptRoot the Merkle root over the kept rows
 * @param schema the schema the rows were checked against
 * @param canonicalColumns the names of a canonical row's fields, in order
 * @param screens the reports of the screens that ran, in run order
 */
public record DatasetSummary(
    String specName,
    int specVersion,
    Sha256 specDigest,
    String format,
    DataFile lock,
    List<DataFile> files,
    long rows,
    Map<String, Long> labelCounts,
    Sha256 rowsRoot,
    long keptRows,
    Map<String, Long> keptLabelCounts,
    Sha256 keptRoot,
    FeatureSchema schema,
    List<String> canonicalColumns,
    List<ScreenReport> screens) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public DatasetSummary {
    Objects.requireNonNull(specDigest, "specDigest");
    Objects.requireNonNull(rowsRoot, "rowsRoot");
    Objects.requireNonNull(keptRoot, "keptRoot");
    Objects.requireNonNull(schema, "schema");
    files = List.copyOf(files);
    labelCounts = Collections.unmodifiableMap(new LinkedHashMap<>(labelCounts));
    keptLabelCounts = Collections.unmodifiableMap(new LinkedHashMap<>(keptLabelCounts));
    canonicalColumns = List.copyOf(canonicalColumns);
    screens = List.copyOf(screens);
  }

  /**
   * One input file.
   *
   * @param source the path or URL as written in the spec or lock
   * @param sha256 the digest of its bytes (equal to the pin)
   * @param bytes its size
   * @param rows data rows read from it (0 for a lock file)
   */
  public record DataFile(String source, Sha256 sha256, long bytes, long rows) {
    public DataFile {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(sha256, "sha256");
    }
  }

  /**
   * The summary as JSON with a fixed key order (the body of the dataset attestation's predicate).
   * Digests are {@code {"sha256": hex}} objects; an unbounded range end is null.
   */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode spec = root.putObject("spec");
    spec.put("name", specName);
    spec.put("version", specVersion);
    spec.set("digest", digest(specDigest));
    root.put("format", format);
    if (lock != null) {
      root.set("lock", file(lock));
    }
    ArrayNode fileArray = root.putArray("files");
    files.forEach(f -> fileArray.add(file(f)));
    ObjectNode all = root.putObject("rows");
    all.put("count", rows);
    counts(all.putObject("labels"), labelCounts);
    all.set("merkleRoot", digest(rowsRoot));
    ObjectNode kept = root.putObject("kept");
    kept.put("count", keptRows);
    counts(kept.putObject("labels"), keptLabelCounts);
    kept.set("merkleRoot", digest(keptRoot));
    root.set("schema", schema(schema));
    ArrayNode cols = root.putArray("canonicalColumns");
    canonicalColumns.forEach(cols::add);
    ArrayNode screenArray = root.putArray("screens");
    for (ScreenReport s : screens) {
      ObjectNode o = screenArray.addObject();
      o.put("screen", s.screen());
      o.put("policy", s.policy());
      o.put("rowsChecked", s.rowsChecked());
      o.put("flagged", s.flagged());
      o.put("dropped", s.dropped());
      ObjectNode st = o.putObject("statistics");
      s.statistics().forEach(st::put);
      ArrayNode first = o.putArray("firstRows");
      for (ScreenReport.FlaggedRow f : s.firstRows()) {
        ObjectNode r = first.addObject();
        r.put("source", f.source());
        r.put("line", f.line());
        if (!f.id().isEmpty()) {
          r.put("id", f.id());
        }
        r.put("label", f.label());
        r.put("detail", f.detail());
      }
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of plain values always serialises", e);
    }
  }

  private static ObjectNode digest(Sha256 d) {
    ObjectNode o = JSON.createObjectNode();
    o.put("sha256", d.hex());
    return o;
  }

  private static ObjectNode file(DataFile f) {
    ObjectNode o = JSON.createObjectNode();
    o.put("source", f.source());
    o.set("digest", digest(f.sha256()));
    o.put("bytes", f.bytes());
    o.put("rows", f.rows());
    return o;
  }

  private static void counts(ObjectNode o, Map<String, Long> counts) {
    counts.forEach(o::put);
  }

  private static ObjectNode schema(FeatureSchema s) {
    ObjectNode o = JSON.createObjectNode();
    if (s.id() != null) {
      o.put("id", s.id());
    }
    ObjectNode label = o.putObject("label");
    label.put("column", s.label().column());
    ArrayNode allowed = label.putArray("allowed");
    s.label().allowed().forEach(allowed::add);
    ArrayNode numeric = o.putArray("numeric");
    for (NumericColumn n : s.numeric()) {
      ObjectNode c = numeric.addObject();
      c.put("column", n.column());
      if (Double.isInfinite(n.min())) {
        c.putNull("min");
      } else {
        c.put("min", n.min());
      }
      if (Double.isInfinite(n.max())) {
        c.putNull("max");
      } else {
        c.put("max", n.max());
      }
    }
    ArrayNode categorical = o.putArray("categorical");
    for (CategoricalColumn cc : s.categorical()) {
      ObjectNode c = categorical.addObject();
      c.put("column", cc.column());
      ArrayNode values = c.putArray("allowed");
      cc.allowed().forEach(values::add);
    }
    ArrayNode text = o.putArray("text");
    for (TextColumn t : s.text()) {
      text.addObject().put("column", t.column());
    }
    return o;
  }
}
