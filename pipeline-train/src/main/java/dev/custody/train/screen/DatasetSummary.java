package dev.custody.train.screen;

import dev.custody.core.Sha256;
import dev.custody.core.chain.DatasetPredicate;
import dev.custody.core.chain.FeatureSchema;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What ingest read and decided, for the dataset attestation ({@link #predicate()}): per-file
 * digests, row and label counts, the row-level Merkle roots, the schema and the screen reports.
 *
 * @param specName the pipeline (model) name
 * @param specVersion the pipeline (model) version
 * @param specDigest SHA-256 of the spec file's bytes
 * @param format {@code csv} or {@code tsv-text}
 * @param lock the data lock file, or null when the spec lists the files itself
 * @param files each data file, in order
 * @param rows rows read and validated
 * @param labelCounts rows per label, in allowed-label order
 * @param rowsRoot the Merkle root over all rows read ({@link dev.custody.train.data.Merkle})
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
    List<DatasetPredicate.Screen> screens) {
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
   * The dataset attestation's predicate for this summary: what {@link DatasetPredicate#statement()}
   * signs, subject {@code SPEC-dataset} with digest {@link #keptRoot()}.
   */
  public DatasetPredicate predicate() {
    return new DatasetPredicate(
        specName,
        specVersion,
        specDigest,
        format,
        lock == null ? null : file(lock),
        files.stream().map(DatasetSummary::file).toList(),
        new DatasetPredicate.Rows(rows, labelCounts, rowsRoot),
        new DatasetPredicate.Rows(keptRows, keptLabelCounts, keptRoot),
        featureSchema(),
        canonicalColumns,
        screens);
  }

  /** The schema, as the model card signs it. */
  public FeatureSchema featureSchema() {
    return schema;
  }

  private static DatasetPredicate.DataFile file(DataFile f) {
    return new DatasetPredicate.DataFile(f.source(), f.sha256(), f.bytes(), f.rows());
  }
}
