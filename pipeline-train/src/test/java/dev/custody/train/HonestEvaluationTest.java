package dev.custody.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.SigningKey;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.DatasetPredicate;
import dev.custody.core.chain.GatePredicate;
import dev.custody.core.chain.Stage;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.evaluate.CrossValidator;
import dev.custody.train.spec.Fixtures;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.TrustPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Split first, then screen the training rows only (issue 11): on a skewed table where an outlier
 * screen with policy drop removes mostly the positive class, the test split the gates judge is the
 * same rows with and without the screen.
 */
class HonestEvaluationTest {
  /** The setting: one median for all rows, so the skewed class is flagged most. */
  private static final String DROP_OUTLIERS =
      "screens: {outliers: {policy: drop, params: {perClass: false}}}";

  @TempDir static Path tmp;
  private static Path csv;
  private static SigningKey key;
  private static TrustPolicy policy;

  /**
   * 400 rows, 80 positives whose {@code x} is heavy-tailed (most beyond the negatives' spread), so
   * the outlier screen flags mostly positives, as on the 30-feature table; and 14 noisy
   * positives that look negative.
   */
  @BeforeAll
  static void data() throws Exception {
    Random random = new Random(11);
    StringBuilder b = new StringBuilder("id,x,y,label\n");
    for (int i = 1; i <= 400; i++) {
      boolean positive = i % 5 == 0;
      double x = positive ? 10 + Math.exp(3 * random.nextDouble()) * 2 : 10 + random.nextGaussian();
      // Label noise: a few positives that look negative, so no model is perfect on every fold.
      positive |= i % 23 == 0;
      double y = random.nextGaussian();
      b.append(String.format(Locale.ROOT, "%d,%.4f,%.4f,%s%n", i, x, y, positive ? "1" : "0"));
    }
    csv = tmp.resolve("skewed.csv");
    Files.writeString(csv, b.toString(), StandardCharsets.UTF_8);
    key = SigningKey.generate();
    policy = Chain.trusting(key.publicKey());
  }

  private static PipelineSpec spec(String name, String screens) throws Exception {
    Path spec = tmp.resolve(name + ".yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "name: " + name,
            "version: 1",
            "data:",
            "  - path: skewed.csv",
            "    sha256: " + Fixtures.sha256(csv).hex(),
            "format: csv",
            "schema:",
            "  id: id",
            "  label: {column: label, allowed: [\"0\", \"1\"]}",
            "  numeric: [x, y]",
            "split: {testFraction: 0.25, seed: 3}",
            "trainer: " + Chain.FAST_TRAINER,
            screens,
            Chain.MINIMUM_GATE,
            ""),
        StandardCharsets.UTF_8);
    return PipelineSpec.load(spec);
  }

  private static List<Long> lines(TrainingTable t) {
    return t.rows().stream().map(TrainingTable.Row::sourceLine).toList();
  }

  @Test
  void ingest_dropScreen_screensOnlyTheTrainingSplitAndReportsTheTestSplit() throws Exception {
    IngestResult plain = Ingest.create().run(spec("plain", ""));
    IngestResult dropped = Ingest.create().run(spec("dropped", DROP_OUTLIERS));

    DatasetPredicate.Screen report = dropped.summary().screens().get(0);
    assertThat(report.rowsChecked()).isEqualTo(300);
    assertThat(report.dropped()).isPositive();
    assertThat(report.testFlagged()).as("what the screen would have dropped").isPositive();
    assertThat(lines(dropped.split().test())).isEqualTo(lines(plain.split().test())).hasSize(100);
    assertThat(dropped.split().test().rows()).isEqualTo(plain.split().test().rows());
    assertThat(dropped.split().train().rows()).hasSize(300 - (int) report.dropped());
    assertThat(dropped.summary().keptRows()).isEqualTo(400 - report.dropped());
  }

  @Test
  void run_dropScreen_leavesTheGatedTestSplitUnchanged() throws Exception {
    JsonNode plain = testGate(run("plain-run", ""));
    JsonNode dropped = testGate(run("dropped-run", DROP_OUTLIERS));

    assertThat(dropped.path("sampleSize").asLong())
        .isEqualTo(plain.path("sampleSize").asLong())
        .isEqualTo(100);
    assertThat(dropped.path("dataset").path("sha256").asText())
        .as("the test split's content digest")
        .isEqualTo(plain.path("dataset").path("sha256").asText());
  }

  @Test
  void run_dropScreen_attestsTestFlaggedAndReproduces() throws Exception {
    TrainedModel m = run("attested", DROP_OUTLIERS);
    byte[] bundle = Files.readAllBytes(m.directory().resolve(ChainLayout.DATASET_ATTESTATION));
    JsonNode screen =
        policy
            .verifyStatement(Stage.INGEST, bundle, m.card().dataset())
            .statement()
            .predicate()
            .path("screens")
            .path(0);

    assertThat(screen.path("rowsChecked").asLong()).isEqualTo(300);
    assertThat(screen.path("testFlagged").asLong()).isPositive();
    Reproduction r = Pipeline.create().reproduce(m.directory(), tmp, policy, Chain.signers(key));
    assertThat(r.reproducedContentDigest()).isEqualTo(m.card().contentDigest());
  }

  private static TrainedModel run(String name, String screens) throws Exception {
    return Pipeline.create()
        .run(spec(name, screens), policy, Chain.signers(key), tmp.resolve(name + "-v1"));
  }

  private static JsonNode testGate(TrainedModel m) throws Exception {
    byte[] bundle = Files.readAllBytes(m.directory().resolve(ChainLayout.GATE));
    JsonNode gates =
        policy
            .verifyStatement(Stage.EVALUATE, bundle, m.rootDigest())
            .statement()
            .predicate()
            .path("gates");
    for (JsonNode g : gates) {
      if (g.path("dataset").path("name").asText().equals("test-split")) {
        return g;
      }
    }
    throw new AssertionError("no test-split gate in " + gates);
  }

  @Test
  void outliers_perClassDefault_flagsFarFewerRowsOfTheSkewedClass() throws Exception {
    DatasetPredicate.Screen global =
        Ingest.create()
            .run(spec("global", "screens: {outliers: {policy: warn, params: {perClass: false}}}"))
            .summary()
            .screens()
            .get(0);
    DatasetPredicate.Screen perClass =
        Ingest.create()
            .run(spec("per-class", "screens: {outliers: {policy: warn}}"))
            .summary()
            .screens()
            .get(0);

    assertThat(global.flagged()).as("a third of the training positives").isGreaterThan(20);
    assertThat(perClass.flagged()).isLessThan(global.flagged() / 3);
  }

  private static final String CV = "evaluation: {crossValidation: {folds: 5, minimum: {%s: %s}}}";

  @Test
  void run_crossValidation_recordsFoldMetricsAndGatesOnTheMean() throws Exception {
    TrainedModel m = run("cv", String.format(Locale.ROOT, CV, "accuracy", "0.5"));
    byte[] bundle = Files.readAllBytes(m.directory().resolve(ChainLayout.GATE));
    GatePredicate gate =
        GatePredicate.read(
            policy.verifyStatement(Stage.EVALUATE, bundle, m.rootDigest()).statement());

    GatePredicate.CrossValidation cv = gate.crossValidation();
    assertThat(cv.folds()).isEqualTo(5);
    assertThat(cv.seed()).as("the split's seed by default").isEqualTo(3);
    assertThat(cv.rows()).isEqualTo(300);
    assertThat(cv.metrics()).containsOnlyKeys("accuracy", "auc");
    GatePredicate.FoldMetric accuracy = cv.metrics().get("accuracy");
    assertThat(accuracy.perFold()).hasSize(5).allSatisfy(a -> assertThat(a).isBetween(0.5, 1.0));
    assertThat(accuracy.mean())
        .isCloseTo(
            accuracy.perFold().stream().mapToDouble(Double::doubleValue).average().orElseThrow(),
            org.assertj.core.data.Offset.offset(1e-12));
    assertThat(gate.gates())
        .filteredOn(g -> g.name().equals("cv-accuracy"))
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.observed()).isEqualTo(accuracy.mean());
              assertThat(g.dataset().name()).isEqualTo("cross-validation");
              assertThat(g.passed()).isTrue();
            });
  }

  @Test
  void run_crossValidationMeanBelowMinimum_failsTheGateAndExportsNothing() throws Exception {
    Path dir = tmp.resolve("cv-strict-v1");
    PipelineSpec spec = spec("cv-strict", String.format(Locale.ROOT, CV, "auc", "1.0"));

    PipelineException e =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            PipelineException.class,
            () -> Pipeline.create().run(spec, policy, Chain.signers(key), dir));

    assertThat(e.reason()).isEqualTo(Reason.GATE_FAILED);
    assertThat(e.getMessage()).contains("cv-auc: observed ");
    assertThat(dir).doesNotExist();
  }

  @Test
  void folds_stratifiedAndSeeded_eachClassWithinOneRowOfItsShare() {
    List<String> labels = new java.util.ArrayList<>();
    for (int i = 0; i < 103; i++) {
      labels.add(i % 7 == 0 ? "rare" : "common");
    }

    int[] a = CrossValidator.folds(labels, 5, 9);
    int[] b = CrossValidator.folds(labels, 5, 9);

    assertThat(a).isEqualTo(b);
    assertThat(a).isNotEqualTo(CrossValidator.folds(labels, 5, 10));
    for (String label : List.of("rare", "common")) {
      long total = labels.stream().filter(label::equals).count();
      for (int f = 0; f < 5; f++) {
        int fold = f;
        long inFold =
            java.util.stream.IntStream.range(0, a.length)
                .filter(i -> a[i] == fold && labels.get(i).equals(label))
                .count();
        assertThat((double) inFold).isBetween(total / 5.0 - 1, total / 5.0 + 1);
      }
    }
  }
}
