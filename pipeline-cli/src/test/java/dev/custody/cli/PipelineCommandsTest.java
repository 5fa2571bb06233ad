package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Shared;
import dev.custody.core.chain.ChainLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code custody ingest | train | run | reproduce} in-process, on the real credit data. */
class PipelineCommandsTest {
  @TempDir Path dir;
  Path csv;
  Path key;
  Path pub;
  Path policy;

  @BeforeEach
  void keyAndPolicy() throws Exception {
    csv = Shared.require("data/default_credit_card.csv");
    key = dir.resolve("signer.key");
    pub = dir.resolve("signer.key.pub");
    assertThat(Cli.run("keygen", "-o", key.toString()).exit()).isZero();
    policy = dir.resolve("policy.yaml");
    // The policy custody policy init writes: this key trusted for every stage.
    assertThat(Cli.run("policy", "init", "--key", pub.toString(), "-o", policy.toString()).exit())
        .isZero();
  }

  @Test
  void run_creditExample_trainsSignsVerifiesAndReproduces() throws Exception {
    Path root = Path.of(System.getProperty("custody.root"));
    Path model = dir.resolve("credit-rf-v1");

    Cli run =
        Cli.run(
            "run",
            root.resolve("examples/credit-rf.yaml").toString(),
            "--key",
            key.toString(),
            "-o",
            model.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out())
        .startsWith(
            "trained credit-rf v1 (hist-forest) on 27000 rows: test accuracy 0.8273, ROC AUC 0.7654 (3000 held-out rows)")
        .contains(
            "gate:    test-accuracy: observed 0.8273, required >= 0.8100 (test-split, 3000 rows): passed")
        .contains(
            "gate:    canary: observed 1.0000, required == 1.0000 (credit-canary.csv, 8 rows): passed")
        .contains(
            "content digest sha256:4e5f82447baee2aec7f22c5cfbf68e13bffb82317fe19a7059ae667177dc1871");
    for (String step :
        new String[] {
          "read",
          "screen",
          "merkle",
          "sign",
          "verify",
          "classpath",
          "train",
          "evaluate",
          "gates",
          "export"
        }) {
      assertThat(run.err()).containsPattern("(?m)^run +" + step + " +\\d+\\.\\d\\d s  ");
    }
    assertThat(run.err()).doesNotContain("INFO");

    Cli verify = Cli.run("verify-model", model.toString(), "--key", pub.toString());
    assertThat(verify.exit()).as(verify.err()).isZero();

    Cli reproduce =
        Cli.run(
            "reproduce",
            model.toString(),
            "--policy",
            policy.toString(),
            "--key",
            key.toString(),
            "--spec-dir",
            root.resolve("examples").toString(),
            "--json");
    assertThat(reproduce.exit()).as(reproduce.err()).isZero();
    JsonNode json = Json.parse(reproduce.out().getBytes(StandardCharsets.UTF_8), "output");
    assertThat(json.path("reproducedContentDigest").asText())
        .isEqualTo("sha256:4e5f82447baee2aec7f22c5cfbf68e13bffb82317fe19a7059ae667177dc1871");
    assertThat(model.resolve(ChainLayout.REPRODUCTION)).exists();
    assertThat(Cli.run("verify-model", model.toString(), "--key", pub.toString()).exit()).isZero();
  }

  @Test
  void ingestThenTrain_trustIngestKey_exportsAndPrintsJson() throws Exception {
    Path spec = fastSpec("");
    Path attestation = dir.resolve("credit-cart-dataset.sigstore.json");

    Cli ingest =
        Cli.run(
            "ingest",
            spec.toString(),
            "--key",
            key.toString(),
            "-o",
            attestation.toString(),
            "--quiet");
    assertThat(ingest.exit()).as(ingest.err()).isZero();
    assertThat(ingest.err()).isEmpty();
    assertThat(ingest.out())
        .startsWith("ingested credit-cart v1: 30000 rows, 30000 kept; dataset D sha256:e83e97d1");

    Path model = dir.resolve("model");
    Cli train =
        Cli.run(
            "train",
            spec.toString(),
            "--dataset",
            attestation.toString(),
            "--key",
            key.toString(),
            "--trust-ingest-key",
            pub.toString(),
            "-o",
            model.toString(),
            "--json");
    assertThat(train.exit()).as(train.err()).isZero();
    JsonNode json = Json.parse(train.out().getBytes(StandardCharsets.UTF_8), "output");
    assertThat(json.path("directory").asText()).isEqualTo(model.toString());
    assertThat(json.path("metrics").path("rows").asInt()).isEqualTo(3000);
    assertThat(json.path("datasetDigest").asText())
        .isEqualTo("sha256:e83e97d1c98e742894155f90a036157302e34e1344e63b0aafd669d9d9324e0c");
    List<String> steps = new ArrayList<>();
    for (JsonNode step : json.path("steps")) {
      steps.add(step.path("step").asText());
      assertThat(step.path("seconds").isNumber()).as(step.toString()).isTrue();
      assertThat(step.path("seconds").asDouble()).as(step.toString()).isNotNegative();
    }
    assertThat(steps)
        .containsExactly(
            "read",
            "screen",
            "merkle",
            "verify",
            "classpath",
            "train",
            "evaluate",
            "gates",
            "export");
    assertThat(Sha256.of(Files.readAllBytes(model.resolve(ChainLayout.DATASET_ATTESTATION))))
        .isEqualTo(Sha256.of(Files.readAllBytes(attestation)));
  }

  @Test
  void train_withoutPolicyOrTrustedIngestKey_exitsUsage() throws Exception {
    Cli train =
        Cli.run("train", fastSpec("").toString(), "--dataset", "d.json", "--key", key.toString());

    assertThat(train.exit()).isEqualTo(2);
    assertThat(train.err()).contains("--policy").contains("--trust-ingest-key");
  }

  @Test
  void train_datasetSignedByAnotherKey_exitsUntrustedSignerInOneLine() throws Exception {
    Path spec = fastSpec("");
    Path other = dir.resolve("other.key");
    assertThat(Cli.run("keygen", "-o", other.toString()).exit()).isZero();
    Path attestation = dir.resolve("d.sigstore.json");
    assertThat(
            Cli.run(
                    "ingest",
                    spec.toString(),
                    "--key",
                    other.toString(),
                    "-o",
                    attestation.toString())
                .exit())
        .isZero();
    Path model = dir.resolve("model");

    Cli train =
        Cli.run(
            "train",
            spec.toString(),
            "--dataset",
            attestation.toString(),
            "--key",
            key.toString(),
            "--policy",
            policy.toString(),
            "-o",
            model.toString(),
            "--quiet");

    assertThat(train.exit()).isEqualTo(Reason.UNTRUSTED_SIGNER.exitCode());
    assertThat(train.err().strip())
        .startsWith("custody train: UNTRUSTED_SIGNER: ")
        .doesNotContain("\n");
    assertThat(model).doesNotExist();
  }

  @Test
  void run_gateFails_exitsGateFailedNamingItAndExportsNothing() throws Exception {
    Path spec = fastSpec("gates:\n  minimum: {accuracy: 0.95}");
    Path model = dir.resolve("model");

    Cli run = Cli.run("run", spec.toString(), "--key", key.toString(), "-o", model.toString());

    assertThat(run.exit()).isEqualTo(31);
    assertThat(run.err()).containsPattern("(?m)^run +gates +failed$");
    String last = run.err().strip().lines().reduce((a, b) -> b).orElseThrow();
    assertThat(last)
        .startsWith(
            "custody run: GATE_FAILED: gate failed, nothing exported: test-accuracy: observed 0.8")
        .contains("required >= 0.9500");
    assertThat(model).doesNotExist();
  }

  @Test
  void reproduce_modelFileSwapped_exitsManifestMismatch() throws Exception {
    Path spec = fastSpec("");
    Path model = dir.resolve("model");
    Path otherModel = dir.resolve("other");
    assertThat(
            Cli.run(
                    "run",
                    spec.toString(),
                    "--key",
                    key.toString(),
                    "-o",
                    model.toString(),
                    "--quiet")
                .exit())
        .isZero();
    Path otherSpec = dir.resolve("other.yaml");
    Files.writeString(otherSpec, Files.readString(spec).replace("maxDepth: 3", "maxDepth: 2"));
    assertThat(
            Cli.run(
                    "run",
                    otherSpec.toString(),
                    "--key",
                    key.toString(),
                    "-o",
                    otherModel.toString(),
                    "--quiet")
                .exit())
        .isZero();
    Files.copy(
        otherModel.resolve(ChainLayout.MODEL_FILE),
        model.resolve(ChainLayout.MODEL_FILE),
        StandardCopyOption.REPLACE_EXISTING);

    Cli reproduce =
        Cli.run(
            "reproduce",
            model.toString(),
            "--policy",
            policy.toString(),
            "--key",
            key.toString(),
            "--quiet");

    assertThat(reproduce.exit()).isEqualTo(Reason.MANIFEST_MISMATCH.exitCode());
    assertThat(reproduce.err()).contains("changed: model.tribuo");
    assertThat(model.resolve(ChainLayout.REPRODUCTION)).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ingest", "train", "run", "reproduce"})
  void help_everyPipelineVerb_exitsZeroAndDocumentsItsOptions(String verb) {
    Cli help = Cli.run(verb, "--help");

    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("Usage: custody " + verb).contains("--key").contains("--json");
  }

  /** A one-tree credit spec in the temp directory, reading the shared CSV by absolute path. */
  private Path fastSpec(String gates) throws Exception {
    Path spec = dir.resolve("credit-cart.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "name: credit-cart",
            "version: 1",
            "data:",
            "  - path: " + csv,
            "    sha256: " + Sha256.of(Files.readAllBytes(csv)).hex(),
            "format: csv",
            "schema:",
            "  id: ID",
            "  label: {column: DEFAULT, allowed: [\"0\", \"1\"]}",
            "  numeric: [LIMIT_BAL, AGE, PAY_0, PAY_2, PAY_3, BILL_AMT1, BILL_AMT2, PAY_AMT1]",
            "  categorical:",
            "    - {column: SEX, allowed: [\"1\", \"2\"]}",
            "split: {testFraction: 0.1, seed: 42}",
            "trainer: {type: cart, params: {maxDepth: 3, minLeaf: 100}}",
            gates,
            ""));
    return spec;
  }
}
