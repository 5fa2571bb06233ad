package dev.custody.train;

import dev.custody.core.Sha256;
import dev.custody.train.screen.DatasetSummary;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A signed dataset attestation that {@link Pipeline#ingest} wrote.
 *
 * @param file where it was written
 * @param fileDigest the SHA-256 of the file's bytes (what a provenance names it by)
 * @param datasetDigest its subject D: the Merkle root of the rows kept after the screens
 * @param summary what ingest read and decided (the attestation's predicate)
 */
public record DatasetAttestation(
    Path file, Sha256 fileDigest, Sha256 datasetDigest, DatasetSummary summary) {
  public DatasetAttestation {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(fileDigest, "fileDigest");
    Objects.requireNonNull(datasetDigest, "datasetDigest");
    Objects.requireNonNull(summary, "summary");
  }
}
