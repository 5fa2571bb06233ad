package dev.custody.core.chain;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Valid records of each kind, for round trips and for breaking one field at a time. */
final class Samples {
  static final Sha256 R = sha("root");
  static final Sha256 D = sha("kept rows");
  static final Sha256 CONTENT = sha("content");
  static final Sha256 SPEC = sha("spec");

  private Samples() {}

  static Sha256 sha(String s) {
    return Sha256.of(s.getBytes(StandardCharsets.UTF_8));
  }

  static FeatureSchema schema() {
    return new FeatureSchema(
        "ID",
        new FeatureSchema.LabelColumn("DEFAULT", List.of("0", "1")),
        List.of(
            new FeatureSchema.NumericColumn("AGE", 18, 120),
            new FeatureSchema.NumericColumn("LIMIT_BAL", 0, Double.POSITIVE_INFINITY),
            new FeatureSchema.NumericColumn(
                "BILL_AMT1", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)),
        List.of(new FeatureSchema.CategoricalColumn("SEX", List.of("1", "2"))),
        List.of(new FeatureSchema.TextColumn("NOTE")));
  }

  static ModelCard card() {
    ObjectNode metrics = JsonNodeFactory.instance.objectNode();
    metrics.put("accuracy", 0.8157);
    metrics.put("rows", 400);
    return new ModelCard(
        "credit-rf",
        3,
        "random-forest",
        List.of("0", "1"),
        List.of("AGE", "BILL_AMT1", "LIMIT_BAL", "SEX@1", "SEX@2"),
        schema(),
        "1",
        new ModelCard.FileRef(ChainLayout.MODEL_FILE, sha("model")),
        CONTENT,
        D,
        new ModelCard.FileRef("credit-rf.yaml", SPEC),
        metrics);
  }

  static DatasetPredicate dataset() {
    Map<String, Long> labels = new LinkedHashMap<>();
    labels.put("0", 70L);
    labels.put("1", 30L);
    Map<String, Long> kept = new LinkedHashMap<>();
    kept.put("0", 68L);
    kept.put("1", 30L);
    Map<String, Double> stats = new LinkedHashMap<>();
    stats.put("groups", 2.0);
    stats.put("median", Double.NaN);
    stats.put("ceiling", Double.POSITIVE_INFINITY);
    return new DatasetPredicate(
        "credit-rf",
        3,
        SPEC,
        "csv",
        new DatasetPredicate.DataFile("data.lock", sha("lock"), 120, 0),
        List.of(
            new DatasetPredicate.DataFile("a.csv", sha("a"), 1000, 60),
            new DatasetPredicate.DataFile("sub/b.csv", sha("b"), 700, 40)),
        new DatasetPredicate.Rows(100, labels, sha("all rows")),
        new DatasetPredicate.Rows(98, kept, D),
        schema(),
        schema().canonicalColumns(),
        List.of(
            new DatasetPredicate.Screen(
                "duplicates",
                "drop",
                100,
                2,
                2,
                5,
                stats,
                List.of(
                    new DatasetPredicate.FlaggedRow("a.csv", 7, "17", "0", "same as line 3"),
                    new DatasetPredicate.FlaggedRow("a.csv", 9, "", "0", ""))),
            new DatasetPredicate.Screen("outliers", "warn", 98, 0, 0, Map.of(), List.of())));
  }

  static Provenance provenance() {
    return new Provenance(
        "credit-rf",
        R,
        new Provenance.Spec("credit-rf.yaml", SPEC, "name: credit-rf\n"),
        42,
        "17",
        "4.3.2",
        sha("dataset attestation"),
        D,
        List.of(
            new Provenance.DataEntry("a.csv", "a.csv", sha("a")),
            new Provenance.DataEntry("b.csv", "sub/b.csv", sha("b"))),
        Map.of("beta-2.0.jar", sha("beta"), "alpha-1.0.jar", sha("alpha")),
        Map.of("classes", sha("classes")),
        "0.1.0",
        "00000000-0000-4000-8000-000000000001",
        Instant.parse("2026-11-23T00:00:00.123Z"),
        Instant.parse("2026-11-23T00:00:01Z"),
        CONTENT,
        "{\"accuracy\":0.8}");
  }

  static GatePredicate gate() {
    return GatePredicate.of(
        "credit-rf",
        R,
        sha("provenance file"),
        CONTENT,
        List.of(
            new GatePredicate.Gate(
                "test-accuracy",
                "accuracy",
                ">=",
                0.81,
                0.8157,
                true,
                3000,
                new GatePredicate.Named("test-split", sha("test rows")),
                null),
            new GatePredicate.Gate(
                "max-change-auc",
                "auc-drop",
                "<=",
                0.01,
                Double.NaN,
                true,
                3000,
                new GatePredicate.Named("test-split", sha("test rows")),
                new GatePredicate.Named("../credit-rf-v2", sha("baseline")))));
  }

  static ReproductionSummary reproduction() {
    return new ReproductionSummary(
        "credit-rf",
        R,
        Instant.parse("2026-11-23T00:01:00Z"),
        SPEC,
        sha("provenance file"),
        ReproductionSummary.PASSED,
        CONTENT,
        CONTENT);
  }
}
