package dev.custody.train;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.custody.core.BundleSigner;
import dev.custody.core.SigningKey;
import dev.custody.core.VerificationKey;
import dev.custody.core.chain.Stage;
import dev.custody.train.spec.Fixtures;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.TrustPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Keys, policies, specs over the real credit data, and a progress recorder for pipeline tests. */
final class Chain {
  private Chain() {}

  /** The shared credit CSV; the calling test is skipped, saying why, when ../shared is absent. */
  static Path creditCsv() {
    String shared = System.getProperty("custody.shared");
    Path csv = shared == null ? null : Path.of(shared, "data", "default_credit_card.csv");
    assumeTrue(
        csv != null && Files.exists(csv),
        "skipped: ../shared/data/default_credit_card.csv is absent");
    return csv;
  }

  /** A policy trusting {@code key} for every stage. */
  static TrustPolicy trusting(VerificationKey key) {
    return trustingBuilder(key).build();
  }

  /** A policy builder trusting {@code key} for every stage. */
  static TrustPolicy.Builder trustingBuilder(VerificationKey key) {
    TrustPolicy.Builder b = TrustPolicy.builder();
    for (Stage s : Stage.values()) {
      b.trustKey(s, key);
    }
    return b;
  }

  static StageSigners signers(SigningKey key) {
    return StageSigners.of(BundleSigner.create(key));
  }

  /**
   * A credit spec in {@code dir} reading {@code csv} (pinned to its digest now; by a relative path
   * when it is inside {@code dir}, else by its absolute path): seed 000's features, a 10% test
   * split with seed 42, no screens (they are tested elsewhere), the given trainer, and {@code
   * extra} YAML (gates) appended.
   */
  static PipelineSpec creditSpec(Path dir, String name, Path csv, String trainer, String extra)
      throws Exception {
    Path spec = dir.resolve(name + ".yaml");
    Path abs = csv.toAbsolutePath();
    String path =
        abs.startsWith(dir.toAbsolutePath())
            ? dir.toAbsolutePath().relativize(abs).toString()
            : abs.toString();
    Files.writeString(
        spec,
        creditYaml(name, path, Fixtures.sha256(csv).hex(), trainer, extra),
        StandardCharsets.UTF_8);
    return PipelineSpec.load(spec);
  }

  /**
   * The spec text; {@code csv} is written as given (relative paths resolve against the spec's
   * directory).
   */
  static String creditYaml(String name, String csv, String sha256, String trainer, String extra) {
    return String.join(
        "\n",
        "name: " + name,
        "version: 1",
        "data:",
        "  - path: " + csv,
        "    sha256: " + sha256,
        "format: csv",
        "schema:",
        "  id: ID",
        "  label: {column: DEFAULT, allowed: [\"0\", \"1\"]}",
        "  numeric: [LIMIT_BAL, AGE, PAY_0, PAY_2, PAY_3, BILL_AMT1, BILL_AMT2, PAY_AMT1]",
        "  categorical:",
        "    - {column: SEX, allowed: [\"1\", \"2\"]}",
        "split: {testFraction: 0.1, seed: 42}",
        "trainer: " + trainer,
        extra.contains("gates:") ? extra : extra + "\n" + MINIMUM_GATE,
        "");
  }

  /**
   * The gate every test spec gets unless it names its own: exported models carry a real, passed
   * gate attestation, as the default trust policy requires.
   */
  static final String MINIMUM_GATE = "gates:\n  minimum: {accuracy: 0.5}";

  /** A one-tree spec that trains in well under a second on the credit data. */
  static final String FAST_TRAINER = "{type: cart, params: {maxDepth: 3, minLeaf: 100}}";

  /** Records every finished step as {@code name: detail (ms)}. */
  static final class Steps implements Progress {
    final List<String> lines = new ArrayList<>();

    @Override
    public synchronized void finished(String step, String detail, java.time.Duration elapsed) {
      lines.add(String.format(Locale.ROOT, "%-9s %6d ms  %s", step, elapsed.toMillis(), detail));
    }

    List<String> names() {
      return lines.stream().map(l -> l.substring(0, l.indexOf(' '))).toList();
    }
  }

  /** Copies a directory tree. */
  static void copyTree(Path from, Path to) throws IOException {
    try (var walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }
}
