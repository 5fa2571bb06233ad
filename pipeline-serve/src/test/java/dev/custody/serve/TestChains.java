package dev.custody.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.verify.TrustPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The golden signed chains of pipeline-verify's test-jar ({@code dev/custody/verify/chains/}, see
 * the README there), copied to a directory of the test's: {@code a} is credit-rf v2, {@code b} v1.
 */
final class TestChains {
  private static final String ROOT = "dev/custody/verify/chains";

  private TestChains() {}

  /** Copies every chain, key, policy and prediction file into {@code dir}; returns {@code dir}. */
  static Path copyTo(Path dir) throws IOException {
    URI readme;
    try {
      readme = TestChains.class.getClassLoader().getResource(ROOT + "/README.md").toURI();
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("the golden chains are not on the test classpath", e);
    }
    if (readme.getScheme().equals("jar")) {
      try (FileSystem fs = FileSystems.newFileSystem(readme, Map.of())) {
        copy(fs.getPath(ROOT), dir);
      }
    } else {
      copy(Path.of(readme).getParent(), dir);
    }
    return dir;
  }

  private static void copy(Path from, Path to) throws IOException {
    try (var walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  /** The committed policy: each stage's key, gate and reproduction, the signed lock. */
  static TrustPolicy lockedPolicy(Path chains) {
    return load(chains.resolve("policy.yaml"));
  }

  /** The committed policy without its dependency rule, for tests not about dependencies. */
  static TrustPolicy policy(Path chains) {
    Path p = chains.resolve("policy-no-deps.yaml");
    try {
      if (!Files.exists(p)) {
        String committed = Files.readString(chains.resolve("policy.yaml"), StandardCharsets.UTF_8);
        Files.writeString(
            p, committed.replaceAll("(?m)^dependencies:.*\\n", ""), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return load(p);
  }

  private static TrustPolicy load(Path p) {
    try {
      return TrustPolicy.load(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (dev.custody.core.PipelineException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One golden prediction: the raw row, and the label and scores training computed for it. */
  record Golden(Map<String, String> row, String label, Map<String, Double> scores) {}

  /** The golden predictions of chain {@code name}. */
  static List<Golden> predictions(Path chains, String name) throws Exception {
    JsonNode all =
        Json.parse(Files.readAllBytes(chains.resolve("predictions").resolve(name + ".json")), name);
    List<Golden> out = new ArrayList<>();
    for (JsonNode g : all) {
      Map<String, String> row = new TreeMap<>();
      g.get("row").properties().forEach(e -> row.put(e.getKey(), e.getValue().asText()));
      Map<String, Double> scores = new TreeMap<>();
      g.get("scores").properties().forEach(e -> scores.put(e.getKey(), e.getValue().asDouble()));
      out.add(new Golden(row, g.get("label").asText(), scores));
    }
    return out;
  }
}
