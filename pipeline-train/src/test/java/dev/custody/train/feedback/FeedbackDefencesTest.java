package dev.custody.train.feedback;

import static dev.custody.train.feedback.SmsFeedback.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.chain.DatasetPredicate;
import dev.custody.core.feedback.FeedbackEntry;
import dev.custody.core.feedback.FeedbackStatus;
import dev.custody.train.Ingest;
import dev.custody.train.IngestResult;
import dev.custody.train.data.RowReader;
import dev.custody.train.data.Split;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.evaluate.GateEvaluator;
import dev.custody.train.evaluate.GateResult;
import dev.custody.train.fit.Trainers;
import dev.custody.train.fit.TribuoTables;
import dev.custody.train.spec.PipelineSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * Each feedback defence on its own, through the real ingest and real Tribuo training, on a small
 * synthetic spam corpus (the seed-003 numbers on the SMS data are the demo's).
 */
class FeedbackDefencesTest {
  private static final String NO_IMPACT = "  defences:\n    impact: {maxGroups: 0}\n";

  private static SmsFeedback.Base base;
  private static String target;
  private static String hamText;

  @TempDir Path dir;

  @BeforeAll
  static void split() throws Exception {
    Path d = Files.createTempDirectory("mini-base");
    base = SmsFeedback.base(SmsFeedback.mini(d, null, ""));
    target =
        base.test().stream().filter(t -> t.label().equals("spam")).findFirst().orElseThrow().text();
    hamText =
        base.test().stream().filter(t -> t.label().equals("ham")).findFirst().orElseThrow().text();
  }

  private IngestResult ingest(List<FeedbackEntry> entries, String yaml) throws Exception {
    return Ingest.create().run(SmsFeedback.mini(dir, entries, yaml));
  }

  private static DatasetPredicate.Screen report(IngestResult r, String name) {
    return r.summary().screens().stream()
        .filter(s -> s.screen().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static List<FeedbackEntry> clicks(
      String clientPrefix, int accounts, int each, String text) {
    List<FeedbackEntry> out = new ArrayList<>();
    for (int a = 0; a < accounts; a++) {
      for (int i = 0; i < each; i++) {
        out.add(entry(accounts == 1 ? clientPrefix : clientPrefix + a, text, "ham", "spam", 0.6));
      }
    }
    return out;
  }

  @Test
  void influenceCap_oneAccountTwentyClicksAndNearDuplicates_isOneExampleAtInitialTrust()
      throws Exception {
    List<FeedbackEntry> entries = clicks("mallory", 1, 20, target);
    entries.add(
        entry("mallory", target.toUpperCase(java.util.Locale.ROOT) + "!!!", "ham", "spam", 0.6));
    entries.add(entry("mallory", "  " + target.replace(" ", "   ") + " ", "ham", "spam", 0.6));
    entries.add(entry("mallory", target + " please", "ham", "spam", 0.6));

    IngestResult r = ingest(entries, NO_IMPACT);

    assertThat(r.feedbackRows()).hasSize(1);
    assertThat(r.feedbackRows().get(0).label()).isEqualTo("ham");
    assertThat(r.feedbackRows().get(0).weight()).isEqualTo(0.05);
    DatasetPredicate.Screen cap = report(r, "feedback-influenceCap");
    assertThat(cap.statistics())
        .containsEntry("records", 23.0)
        .containsEntry("items", 1.0)
        .containsEntry("examples", 1.0);
    assertThat(cap.firstRows().get(0).detail())
        .contains("one example for 23 record(s) from 1 client(s), weight 0.0500");
  }

  @Test
  void influenceCap_manyAccountsEachWithEarnedTrust_stillOneExampleOfWeightAtMostOne()
      throws Exception {
    List<FeedbackEntry> entries = new ArrayList<>();
    for (int a = 0; a < 40; a++) {
      for (int j = 0; j < 30; j++) {
        SmsFeedback.Text t = base.train().get((a * 30 + j) % base.train().size());
        entries.add(entry("sybil" + a, t.text(), t.label(), t.label(), 0.99));
      }
    }
    entries.addAll(clicks("sybil", 40, 1, target));

    IngestResult r = ingest(entries, NO_IMPACT);

    assertThat(r.feedbackRows()).hasSize(1);
    assertThat(r.feedbackRows().get(0).weight()).isEqualTo(1.0);
    assertThat(report(r, "feedback-trust").statistics()).containsEntry("weight:sybil0", 0.25);
  }

  @Test
  void trust_agreementWithTrainingSet_earnsWeightUpToMaxAndAddsNoExample() throws Exception {
    List<FeedbackEntry> entries = new ArrayList<>();
    for (int j = 0; j < 10; j++) {
      SmsFeedback.Text t = base.train().get(j);
      entries.add(entry("alice", t.text(), t.label(), t.label(), 0.99));
    }
    for (int j = 0; j < 40; j++) {
      SmsFeedback.Text t = base.train().get(j);
      entries.add(entry("bob", t.text(), t.label(), t.label(), 0.99));
    }
    entries.add(entry("alice", hamText, "ham", "spam", 0.6));
    entries.add(entry("carol", target, "spam", "ham", 0.6));

    IngestResult r = ingest(entries, NO_IMPACT);

    Map<String, Double> stats = report(r, "feedback-trust").statistics();
    assertThat(stats.get("weight:alice"))
        .isCloseTo(0.15, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(stats).containsEntry("weight:bob", 0.25).containsEntry("weight:carol", 0.05);
    assertThat(stats).containsEntry("agreements:alice", 10.0);
    assertThat(r.feedbackRows())
        .extracting(TrainingTable.Row::weight)
        .usingElementComparator((a, b) -> Math.abs(a - b) < 1e-9 ? 0 : 1)
        .containsExactly(0.15, 0.05);
  }

  @Test
  void quarantine_confidentContradictionServerQuarantineAndTrainingSetConflict_heldOut()
      throws Exception {
    SmsFeedback.Text trainSpam =
        base.train().stream().filter(t -> t.label().equals("spam")).findFirst().orElseThrow();
    List<FeedbackEntry> entries =
        List.of(
            entry("mallory", target, "ham", "spam", 0.97),
            entry("eve", hamText, "spam", "ham", 0.99, FeedbackStatus.QUARANTINED),
            entry("trudy", trainSpam.text(), "ham", "spam", 0.5),
            entry("honest", hamText, "ham", "spam", 0.6));

    IngestResult r = ingest(entries, NO_IMPACT);

    DatasetPredicate.Screen q = report(r, "feedback-quarantine");
    assertThat(q.statistics())
        .containsEntry("confident", 1.0)
        .containsEntry("server", 1.0)
        .containsEntry("contradictsTrainingSet", 1.0);
    assertThat(q.firstRows())
        .extracting(DatasetPredicate.FlaggedRow::detail)
        .anyMatch(d -> d.startsWith("client mallory: claims ham against a served spam at"))
        .anyMatch(d -> d.startsWith("client eve: quarantined by the server"))
        .anyMatch(d -> d.startsWith("client trudy: contradicts the training set"));
    assertThat(r.feedbackRows()).hasSize(1);
    assertThat(r.feedbackRows().get(0).label()).isEqualTo("ham");
  }

  @Test
  void canary_contestedItems_joinWithServedLabelAndGateFailsWhenOneFlips() throws Exception {
    List<FeedbackEntry> entries = new ArrayList<>(clicks("sybil", 30, 1, target));
    entries.add(entry("alice", hamText, "spam", "ham", 0.6));

    IngestResult r = ingest(entries, NO_IMPACT);

    assertThat(r.contestedCanary()).hasSize(1);
    assertThat(r.contestedCanary().get(0).label()).isEqualTo("spam");
    assertThat(report(r, "feedback-canary").statistics()).containsEntry("rowsAdded", 1.0);

    Model<Label> withoutFeedback = train(ingest(List.of(), NO_IMPACT), List.of());
    Model<Label> flipped = train(r, List.of());
    assertThat(
            GateEvaluator.contestedCanary(
                    withoutFeedback, r.contestedCanary(), "feedback.jsonl", SmsFeedback.MODEL)
                .passed())
        .isTrue();
    GateResult gate =
        GateEvaluator.contestedCanary(
            flipped, r.contestedCanary(), "feedback.jsonl", SmsFeedback.MODEL);
    assertThat(gate.name()).isEqualTo("canary-contested");
    assertThat(gate.passed()).isFalse();
  }

  @Test
  void impact_sourceWhoseRemovalFlipsAContestedItem_isRemovedAndCandidateRetrainedWithout()
      throws Exception {
    // Trust is generous here so that the campaign does flip its target: the impact test must see
    // it.
    String yaml =
        "  defences:\n    trust: {initial: 1, max: 1}\n    quarantine: {above: 1}\n"
            + "    impact: {maxChange: 0.02, maxGroups: 10}\n";
    // Five accounts call every held-out spam message ham: one campaign, one source.
    List<FeedbackEntry> entries = new ArrayList<>();
    base.test().stream()
        .filter(t -> t.label().equals("spam"))
        .forEach(t -> entries.addAll(clicks("sybil", 5, 1, t.text())));
    entries.add(entry("alice", hamText, "ham", "ham", 0.8));

    IngestResult r = ingest(entries, yaml);

    DatasetPredicate.Screen impact = report(r, "feedback-impact");
    assertThat(impact.flagged()).isEqualTo(5);
    assertThat(impact.firstRows().get(0).detail())
        .contains("sybil0, sybil1, sybil2, sybil3, sybil4");
    assertThat(r.feedbackRows()).extracting(TrainingTable.Row::label).containsExactly("ham");
    assertThat(predict(train(r, List.of()), target)).isEqualTo("spam");
  }

  @Test
  void weights_honouredButCannotStopOneExampleFlippingItsOwnItem() throws Exception {
    IngestResult r = ingest(List.of(), NO_IMPACT);
    List<TrainingTable.Row> heavy = copies(target, "ham", 1);
    List<TrainingTable.Row> light = List.of(heavy.get(0).withWeight(0.01));

    double none = score(train(r, List.of()), target);
    double lightScore = score(train(r, light), target);
    double heavyScore = score(train(r, heavy), target);

    // The weight scales the loss (a heavier example moves the model further), but AdaGrad
    // normalises each feature's steps by its own gradient history: tokens only this example has
    // are learnt whatever its weight. Hence the cap of one example per item, and the quarantine,
    // contested canary and impact test for the protected direction, rather than weights alone.
    assertThat(none).isLessThan(0.5);
    assertThat(heavyScore).isGreaterThan(lightScore);
    assertThat(lightScore).isGreaterThan(0.5);
  }

  @Test
  void read_recordForAnotherModel_refusedAsFeedbackInvalid() throws Exception {
    FeedbackEntry e = entry("alice", target, "ham", "spam", 0.5);
    FeedbackEntry other =
        new FeedbackEntry(
            e.client(),
            e.time(),
            "credit-rf",
            e.modelDigest(),
            e.input(),
            e.inputDigest(),
            e.label(),
            e.servedLabel(),
            e.servedConfidence(),
            e.status(),
            e.why(),
            e.predictionId());

    PipelineException x =
        catchThrowableOfType(PipelineException.class, () -> ingest(List.of(other), NO_IMPACT));

    assertThat(x.reason()).isEqualTo(Reason.FEEDBACK_INVALID);
    assertThat(x.getMessage())
        .isEqualTo(
            "feedback.jsonl record journal#1: expected feedback on model sms-spam, found credit-rf");
  }

  @Test
  void read_lineThatIsNotCanonical_refusedAsFeedbackInvalid() {
    byte[] bad = "{\"seq\":1}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    PipelineException x =
        catchThrowableOfType(PipelineException.class, () -> FeedbackFile.records(bad, "fb.jsonl"));

    assertThat(x.reason()).isEqualTo(Reason.FEEDBACK_INVALID);
    assertThat(x.getMessage()).startsWith("fb.jsonl line 1");
  }

  @Test
  void ingest_feedback_isAFileOfTheDatasetAndChangesItsDigest() throws Exception {
    IngestResult without = Ingest.create().run(spec());
    IngestResult with = ingest(List.of(entry("alice", target, "spam", "ham", 0.6)), NO_IMPACT);

    assertThat(with.summary().files()).extracting(f -> f.source()).endsWith("feedback.jsonl");
    assertThat(with.summary().keptRows()).isEqualTo(without.summary().keptRows() + 1);
    assertThat(with.summary().keptRoot()).isNotEqualTo(without.summary().keptRoot());
    assertThat(with.table().rows()).hasSameSizeAs(without.table().rows());
    assertThat(with.summary().screens())
        .extracting(DatasetPredicate.Screen::screen)
        .containsSequence(
            "feedback-quarantine",
            "feedback-trust",
            "feedback-influenceCap",
            "feedback-impact",
            "feedback-canary");
  }

  private PipelineSpec spec() throws Exception {
    Path d = dir.resolve("base");
    Files.createDirectories(d);
    return SmsFeedback.mini(d, null, "");
  }

  private List<TrainingTable.Row> copies(String text, String label, int n) throws Exception {
    TrainingTable.Row row =
        new RowReader(spec().schema(), spec().format())
            .input("x", 1, label, Map.of("text", text))
            .row();
    List<TrainingTable.Row> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(row);
    }
    return out;
  }

  /** A candidate as training makes it: the data's training split plus {@code extra} rows. */
  private Model<Label> train(IngestResult r, List<TrainingTable.Row> extra) throws Exception {
    Split split = r.split();
    List<TrainingTable.Row> rows = new ArrayList<>(split.train().rows());
    rows.addAll(r.feedbackRows());
    rows.addAll(extra);
    java.util.Set<String> names = new java.util.LinkedHashSet<>(r.table().featureNames());
    extra.forEach(x -> names.addAll(x.names()));
    return Trainers.train(
        spec().trainer(), new TrainingTable(new ArrayList<>(names), r.table().labels(), rows));
  }

  private String predict(Model<Label> m, String text) throws Exception {
    return prediction(m, text).getOutput().getLabel();
  }

  private double score(Model<Label> m, String text) throws Exception {
    return prediction(m, text).getOutputScores().get("ham").getScore();
  }

  private org.tribuo.Prediction<Label> prediction(Model<Label> m, String text) throws Exception {
    TrainingTable.Row row =
        new RowReader(spec().schema(), spec().format())
            .input("x", 1, "ham", Map.of("text", text))
            .row();
    TrainingTable t = new TrainingTable(row.names(), List.of("ham", "spam"), List.of(row));
    return m.predict(TribuoTables.examples(t)).get(0);
  }
}
