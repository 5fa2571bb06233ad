package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Sha256;
import dev.custody.core.SigningKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model made by a real {@code custody run} on 2,000 rows of the credit data plus one duplicate
 * row whose ID is hostile HTML and terminal text, so that the duplicates screen flags it and the ID
 * reaches every view of the dataset attestation.
 */
record ReportFixture(Path dir, Path spec, Path model, Path key, Path policy) {
  /** The ID of the duplicated row: markup, an entity and a bidi override. */
  static final String HOSTILE_ID = "<script>alert(1)</script>&amp;\u202e";

  static ReportFixture create(Path dir) throws Exception {
    byte[] subset = ChainFixture.creditSubset(2000);
    String csv = new String(subset, StandardCharsets.UTF_8);
    String firstRow = csv.lines().skip(1).findFirst().orElseThrow();
    String duplicate = HOSTILE_ID + firstRow.substring(firstRow.indexOf(','));
    Path data = dir.resolve("credit-small.csv");
    Files.writeString(data, csv + duplicate + "\n");
    Path spec = dir.resolve("credit-small.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "name: credit-small",
            "version: 1",
            "data:",
            "  - path: credit-small.csv",
            "    sha256: " + Sha256.of(Files.readAllBytes(data)).hex(),
            "format: csv",
            "schema:",
            "  id: ID",
            "  label: {column: DEFAULT, allowed: [\"0\", \"1\"]}",
            "  numeric: [LIMIT_BAL, AGE, PAY_0, PAY_2, BILL_AMT1, PAY_AMT1]",
            "  categorical:",
            "    - {column: SEX, allowed: [\"1\", \"2\"]}",
            "split: {testFraction: 0.2, seed: 42}",
            "trainer: {type: random-forest, params: {trees: 5, maxDepth: 3, minLeaf: 20, seed: 42}}",
            "screens:",
            "  duplicates: {policy: warn}",
            "gates:",
            "  minimum: {accuracy: 0.5}",
            ""));
    Path key = dir.resolve("signer.key");
    assertThat(Cli.run("keygen", "-o", key.toString()).exit()).isZero();
    Path policy = dir.resolve("policy.yaml");
    // The policy custody policy init writes: this key trusted for every stage.
    assertThat(
            Cli.run(
                    "policy",
                    "init",
                    "--key",
                    SigningKey.publicKeyFile(key).toString(),
                    "-o",
                    policy.toString())
                .exit())
        .isZero();
    Path model = dir.resolve("credit-small-v1");
    Cli run =
        Cli.run("run", spec.toString(), "--key", key.toString(), "-o", model.toString(), "--quiet");
    assertThat(run.exit()).as(run.err()).isZero();
    return new ReportFixture(dir, spec, model, key, policy);
  }
}
