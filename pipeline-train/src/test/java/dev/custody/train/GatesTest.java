package dev.custody.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.SigningKey;
import dev.custody.core.Statement;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.Stage;
import dev.custody.train.evaluate.GateResult;
import dev.custody.train.spec.Fixtures;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.TrustPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Release gates on the real credit data: a failed golden, canary or max-change gate exports nothing
 * and names the gate with observed and required values; a passing max-change gate records its
 * verified baseline.
 */
class GatesTest {
  @TempDir static Path shared;
  static Path csv;
  static SigningKey key;
  static TrustPolicy policy;
  static TrainedModel baseline;

  @TempDir Path dir;

  @BeforeAll
  static void baselineModel() throws Exception {
    csv = Chain.creditCsv();
    key = SigningKey.generate();
    policy = Chain.trusting(key.publicKey());
    PipelineSpec spec = Chain.creditSpec(shared, "baseline", csv, Chain.FAST_TRAINER, "");
    baseline =
        Pipeline.create().run(spec, policy, Chain.signers(key), shared.resolve("baseline-v1"));
  }

  @Test
  void run_specWithoutGates_writesNoGateAttestationSoAGateRequiringPolicyRefusesIt()
      throws Exception {
    // An empty "gates" list is not written here, so the chain has no gate attestation (see
    // Chain.MINIMUM_GATE).
    Path spec = dir.resolve("ungated.yaml");
    Files.writeString(
        spec,
        Chain.creditYaml(
                "ungated",
                csv.toAbsolutePath().toString(),
                Fixtures.sha256(csv).hex(),
                Chain.FAST_TRAINER,
                "screens: {}")
            .replace("\ngates:\n  minimum: {accuracy: 0.5}", ""));
    assertThat(Files.readString(spec)).doesNotContain("gates:");
    TrainedModel m =
        Pipeline.create()
            .run(PipelineSpec.load(spec), policy, Chain.signers(key), dir.resolve("ungated-v1"));

    assertThat(m.directory().resolve(ChainLayout.GATE)).doesNotExist();
    var refused =
        catchThrowableOfType(
            dev.custody.core.VerificationException.class,
            () -> dev.custody.verify.ChainVerifier.builder(policy).build().verify(m.directory()));
    assertThat(refused.reason()).isEqualTo(Reason.CHAIN_INCOMPLETE);
    TrustPolicy noGate =
        Chain.trustingBuilder(key.publicKey()).insecureAcceptUngatedModels().build();
    assertThat(
            dev.custody.verify.ChainVerifier.builder(noGate).build().verify(m.directory()).gate())
        .isEmpty();
  }

  @Test
  void run_goldenSetBelowMinimum_exportsNothingAndNamesTheGate() throws Exception {
    Path golden = dir.resolve("golden.csv");
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    Files.write(golden, lines.subList(0, 301), StandardCharsets.UTF_8);
    String gates =
        "gates:\n  golden:\n    path: golden.csv\n    sha256: "
            + Fixtures.sha256(golden).hex()
            + "\n    minimum: {accuracy: 0.99}";

    PipelineException e = refused(Chain.creditSpec(dir, "golden", csv, Chain.FAST_TRAINER, gates));

    assertThat(e.reason()).isEqualTo(Reason.GATE_FAILED);
    assertThat(e.getMessage())
        .startsWith("gate failed, nothing exported: golden-accuracy: observed 0.")
        .contains("required >= 0.9900 (golden.csv, 300 rows)");
  }

  @Test
  void run_canaryRowChangesLabel_exportsNothingAndNamesTheRows() throws Exception {
    // Real rows that defaulted although they paid duly last month: a shallow tree predicts 0.
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    List<String> header = List.of(lines.get(0).split(",", -1));
    int pay0 = header.indexOf("PAY_0");
    int label = header.indexOf("DEFAULT");
    List<String> canary = new ArrayList<>(List.of(lines.get(0)));
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      if (cells[pay0].equals("-1") && cells[label].equals("1") && canary.size() < 4) {
        canary.add(line);
      }
    }
    Path file = dir.resolve("canary.csv");
    Files.write(file, canary, StandardCharsets.UTF_8);
    String gates =
        "gates:\n  canary:\n    path: canary.csv\n    sha256: " + Fixtures.sha256(file).hex();

    PipelineException e = refused(Chain.creditSpec(dir, "canary", csv, Chain.FAST_TRAINER, gates));

    assertThat(e.reason()).isEqualTo(Reason.GATE_FAILED);
    assertThat(e.getMessage())
        .contains("canary: observed 0.0000, required == 1.0000 (canary.csv, 3 rows)")
        .contains("3 of 3 canary rows changed label: line 2 expected 1, predicted 0");
  }

  @Test
  void run_aucDropsMoreThanAllowedAgainstBaseline_exportsNothingAndNamesBaseline()
      throws Exception {
    String gates =
        "gates:\n  maxChange:\n    baseline: "
            + baseline.directory()
            + "\n    metrics: {auc: 0.01}";

    PipelineException e =
        refused(
            Chain.creditSpec(
                dir, "stump", csv, "{type: cart, params: {maxDepth: 1, minLeaf: 100}}", gates));

    assertThat(e.reason()).isEqualTo(Reason.GATE_FAILED);
    assertThat(e.getMessage())
        .contains("max-change-auc: observed 0.")
        .contains(
            "required <= 0.0100 (test-split, 3000 rows, baseline "
                + baseline.directory()
                + " "
                + baseline.rootDigest()
                + ")");
  }

  @Test
  void run_baselineSignedByUntrustedKey_refusedBeforeLoading() throws Exception {
    String gates =
        "gates:\n  maxChange:\n    baseline: "
            + baseline.directory()
            + "\n    metrics: {accuracy: 0.5}";
    SigningKey otherKey = SigningKey.generate();
    TrustPolicy trustsOtherForTrain =
        TrustPolicy.builder()
            .trustKey(Stage.INGEST, key.publicKey())
            .trustKey(Stage.TRAIN, otherKey.publicKey())
            .trustKey(Stage.EVALUATE, key.publicKey())
            .build();
    PipelineSpec spec = Chain.creditSpec(dir, "untrusted-baseline", csv, Chain.FAST_TRAINER, gates);
    Path out = dir.resolve("out");

    PipelineException e =
        catchThrowableOfType(
            PipelineException.class,
            () -> Pipeline.create().run(spec, trustsOtherForTrain, Chain.signers(key), out));

    assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_SIGNER);
    assertThat(e.getMessage())
        .contains(key.publicKey().hint())
        .contains(otherKey.publicKey().hint());
    assertThat(out).doesNotExist();
  }

  @Test
  void run_sameTrainerAsBaselineAndGoldenAboveMinimum_passesAndRecordsTheBaseline()
      throws Exception {
    Path golden = dir.resolve("golden.csv");
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    Files.write(golden, lines.subList(0, 1001), StandardCharsets.UTF_8);
    String gates =
        String.join(
            "\n",
            "gates:",
            "  minimum: {accuracy: 0.8}",
            "  golden:",
            "    path: golden.csv",
            "    sha256: " + Fixtures.sha256(golden).hex(),
            "    minimum: {accuracy: 0.7, recall:1: 0.2}",
            "  maxChange:",
            "    baseline: " + baseline.directory(),
            "    metrics: {accuracy: 0.0, auc: 0.0}");
    PipelineSpec spec = Chain.creditSpec(dir, "same", csv, Chain.FAST_TRAINER, gates);

    TrainedModel m =
        Pipeline.create().run(spec, policy, Chain.signers(key), dir.resolve("same-v1"));

    assertThat(m.gates())
        .extracting(GateResult::name)
        .containsExactly(
            "test-accuracy",
            "golden-accuracy",
            "golden-recall:1",
            "max-change-accuracy",
            "max-change-auc");
    assertThat(m.gates()).allMatch(GateResult::passed);
    assertThat(m.card().contentDigest()).isEqualTo(baseline.card().contentDigest());
    Statement gate =
        policy
            .verifyStatement(
                Stage.EVALUATE,
                Files.readAllBytes(m.directory().resolve(ChainLayout.GATE)),
                m.rootDigest())
            .statement();
    JsonNode maxChange = gate.predicate().path("gates").path(3);
    assertThat(maxChange.path("metric").asText()).isEqualTo("accuracy-drop");
    assertThat(maxChange.path("observed").asDouble()).isZero();
    assertThat(maxChange.path("baseline").path("sha256").asText())
        .isEqualTo(baseline.rootDigest().hex());
    assertThat(gate.predicate().path("gates").path(1).path("dataset").path("sha256").asText())
        .isEqualTo(Fixtures.sha256(golden).hex());
    assertThat(gate.predicate().path("gates").path(1).path("sampleSize").asLong()).isEqualTo(1000);
  }

  private PipelineException refused(PipelineSpec spec) throws Exception {
    Path out = dir.resolve("out-v1");
    PipelineException e =
        catchThrowableOfType(
            PipelineException.class,
            () -> Pipeline.create().run(spec, policy, Chain.signers(key), out));
    assertThat(e).as("a failed gate must refuse").isNotNull();
    assertThat(out).doesNotExist();
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("staging"));
    }
    return e;
  }
}
