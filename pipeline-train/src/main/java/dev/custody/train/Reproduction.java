package dev.custody.train;

import dev.custody.core.Sha256;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * An independent re-run that gave the signed model: its content digest equals the signed one.
 *
 * @param directory the model directory
 * @param modelName the model's name
 * @param rootDigest the model root digest R
 * @param contentDigest the signed model content digest
 * @param reproducedContentDigest the content digest of the re-run (equal to {@code contentDigest})
 * @param datasetDigest the dataset digest D, signed and re-computed
 * @param summary where the signed verification summary was written
 * @param dependencyDifferences how the re-run's classpath differed from the signed one (jars added,
 *     removed or changed); informational: the model came out the same
 */
public record Reproduction(
    Path directory,
    String modelName,
    Sha256 rootDigest,
    Sha256 contentDigest,
    Sha256 reproducedContentDigest,
    Sha256 datasetDigest,
    Path summary,
    List<String> dependencyDifferences) {
  public Reproduction {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(rootDigest, "rootDigest");
    Objects.requireNonNull(contentDigest, "contentDigest");
    Objects.requireNonNull(reproducedContentDigest, "reproducedContentDigest");
    Objects.requireNonNull(datasetDigest, "datasetDigest");
    Objects.requireNonNull(summary, "summary");
    dependencyDifferences = List.copyOf(dependencyDifferences);
  }
}
