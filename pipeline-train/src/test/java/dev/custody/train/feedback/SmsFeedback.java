package dev.custody.train.feedback;

import dev.custody.core.Sha256;
import dev.custody.core.feedback.FeedbackEntry;
import dev.custody.core.feedback.FeedbackJson;
import dev.custody.core.feedback.FeedbackRecord;
import dev.custody.core.feedback.FeedbackStatus;
import dev.custody.train.Ingest;
import dev.custody.train.IngestResult;
import dev.custody.train.data.CanonicalRow;
import dev.custody.train.data.Split;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.spec.Fixtures;
import dev.custody.train.spec.PipelineSpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SMS spam data with a feedback file: writes canonical feedback records and a spec naming the
 * shared data and that file, both pinned.
 */
final class SmsFeedback {
  static final Sha256 MODEL = Sha256.of("sms-spam v1".getBytes(StandardCharsets.UTF_8));
  private static final Instant T0 = Instant.parse("2026-12-07T14:00:00Z");

  /** The base data, split as training splits it: texts of the training and test rows. */
  record Base(List<Text> train, List<Text> test) {}

  /** A message and its label. */
  record Text(String text, String label) {}

  private SmsFeedback() {}

  /** The training and test texts of a spec's data, split as training splits them. */
  static Base base(PipelineSpec spec) throws Exception {
    IngestResult r = Ingest.create().run(spec);
    IdentityHashMap<TrainingTable.Row, CanonicalRow> canonical = new IdentityHashMap<>();
    for (int i = 0; i < r.table().rows().size(); i++) {
      canonical.put(r.table().rows().get(i), r.keptRows().get(i));
    }
    Split split = r.split();
    return new Base(texts(split.train(), canonical), texts(split.test(), canonical));
  }

  private static List<Text> texts(
      TrainingTable t, IdentityHashMap<TrainingTable.Row, CanonicalRow> canonical) {
    List<Text> out = new ArrayList<>();
    t.rows().forEach(r -> out.add(new Text(canonical.get(r).fields().get(1), r.label())));
    return out;
  }

  /** An accepted feedback entry. */
  static FeedbackEntry entry(
      String client, String text, String label, String served, double confidence) {
    return entry(client, text, label, served, confidence, FeedbackStatus.ACCEPTED);
  }

  static FeedbackEntry entry(
      String client,
      String text,
      String label,
      String served,
      double confidence,
      FeedbackStatus status) {
    Map<String, String> input = Map.of("text", text);
    return new FeedbackEntry(
        client,
        T0,
        "sms-spam",
        MODEL,
        input,
        FeedbackJson.inputDigest(input),
        label,
        served,
        confidence,
        status,
        status == FeedbackStatus.ACCEPTED ? "recorded" : "contradicts a confident prediction",
        Optional.empty());
  }

  /** The canonical lines of {@code entries}, chained as a journal writes them. */
  static byte[] journal(List<FeedbackEntry> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Sha256 prev = FeedbackRecord.GENESIS;
    long seq = 1;
    for (FeedbackEntry e : entries) {
      byte[] line = FeedbackJson.line(seq, "journal", e, prev);
      out.writeBytes(line);
      out.write('\n');
      prev = FeedbackJson.record(seq, "journal", e, prev).hash();
      seq++;
    }
    return out.toByteArray();
  }

  /**
   * Writes {@code feedback.jsonl} (when {@code entries} is not null) and {@code sms.yaml} into
   * {@code dir} and loads the spec.
   *
   * @param feedbackYaml lines under {@code feedback:} after path and sha256 (indented 2)
   */
  static PipelineSpec spec(Path dir, List<FeedbackEntry> entries, String feedbackYaml)
      throws Exception {
    return spec(dir, entries, feedbackYaml, "");
  }

  static PipelineSpec spec(
      Path dir, List<FeedbackEntry> entries, String feedbackYaml, String extraYaml)
      throws Exception {
    return spec(
        dir,
        Fixtures.shared("data/sms_spam.tsv").toAbsolutePath(),
        Fixtures.SMS_SHA256,
        entries,
        feedbackYaml,
        extraYaml);
  }

  /**
   * A small synthetic spam corpus (deterministic; trains in milliseconds): ham is everyday
   * messages, spam offers prizes. Written to {@code dir/mini.tsv}.
   */
  static Path miniData(Path dir) throws Exception {
    String[] places = {"cafe", "station", "office", "gym", "park", "library", "cinema", "shop"};
    String[] people = {"mum", "tom", "anna", "the boss", "dad", "sara", "the team", "joe"};
    String[] prizes = {"iphone", "holiday", "cash prize", "voucher", "car", "laptop", "cruise"};
    java.util.Random random = new java.util.Random(3);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 240; i++) {
      b.append("ham\t")
          .append(
              String.format(
                  java.util.Locale.ROOT,
                  "see you at the %s at %d pm with %s",
                  places[random.nextInt(places.length)],
                  1 + random.nextInt(11),
                  people[random.nextInt(people.length)]))
          .append(" ")
          .append(i)
          .append('\n');
    }
    for (int i = 0; i < 160; i++) {
      b.append("spam\t")
          .append(
              String.format(
                  java.util.Locale.ROOT,
                  "WINNER you won a free %s call 0800%04d now to claim",
                  prizes[random.nextInt(prizes.length)],
                  random.nextInt(10_000)))
          .append(" ")
          .append(i)
          .append('\n');
    }
    Path file = dir.resolve("mini.tsv");
    Files.writeString(file, b.toString());
    return file;
  }

  /** The synthetic corpus of {@link #miniData} with a feedback file. */
  static PipelineSpec mini(Path dir, List<FeedbackEntry> entries, String feedbackYaml)
      throws Exception {
    Path data = miniData(dir);
    return spec(dir, data, Fixtures.sha256(data).hex(), entries, feedbackYaml, "");
  }

  static PipelineSpec spec(
      Path dir,
      Path data,
      String sha256,
      List<FeedbackEntry> entries,
      String feedbackYaml,
      String extraYaml)
      throws Exception {
    StringBuilder y = new StringBuilder();
    y.append("name: sms-spam\nversion: 1\n")
        .append("data:\n  - path: ")
        .append(data)
        .append("\n    sha256: ")
        .append(sha256)
        .append("\nformat: tsv-text\n")
        .append(
            "schema:\n  label:\n    column: label\n    allowed: [ham, spam]\n  text:\n    - text\n")
        .append("split:\n  testFraction: 0.2\n  seed: 7\n")
        .append("trainer:\n  type: logistic\n  params: {epochs: 10, seed: 7}\n")
        .append("screens:\n  duplicates: {policy: drop}\n  conflicts: {policy: fail}\n")
        .append(extraYaml);
    if (entries != null) {
      byte[] lines = journal(entries);
      Files.write(dir.resolve("feedback.jsonl"), lines);
      y.append("feedback:\n  path: feedback.jsonl\n  sha256: ")
          .append(Sha256.of(lines).hex())
          .append('\n')
          .append(feedbackYaml);
    }
    Path spec = dir.resolve("sms.yaml");
    Files.writeString(spec, y.toString());
    return PipelineSpec.load(spec);
  }
}
