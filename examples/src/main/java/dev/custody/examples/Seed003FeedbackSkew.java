package dev.custody.examples;

import dev.custody.core.PipelineException;
import dev.custody.train.Ingest;
import dev.custody.train.IngestResult;
import dev.custody.train.data.Split;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.fit.Trainers;
import dev.custody.train.fit.TribuoTables;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.DeserializationFilter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

/**
 * Seed 003, feedback that skews the model: a spam filter that retrains on "not spam" clicks. On the
 * SMS spam example ({@code examples/sms-spam.yaml}: bag-of-words logistic regression, real Tribuo
 * training), the naive loop of the seed adds 20 "ham" copies of one held-out spam message to the
 * training rows, retrains on base + feedback and checks the message, once per target (per-target
 * retraining, as the seed does).
 *
 * <p>Usage: {@code Seed003FeedbackSkew [PROJECT_ROOT [WORK_DIR]]}
 */
public final class Seed003FeedbackSkew {
  private Seed003FeedbackSkew() {}

  /** Target spam messages, from the held-out split, that the served model classifies as spam. */
  static final int TARGETS = 20;

  /** "Not spam" clicks per target, as in the seed. */
  static final int CLICKS = 20;

  /** Seed of the choice of targets. */
  static final long TARGET_SEED = 3;

  static final String SPAM = "spam";
  static final String HAM = "ham";

  /** One message of the data: its text, its true label and its features. */
  record Message(String text, String label, TrainingTable.Row row) {}

  /**
   * One feedback claim as a client would send it: who says that {@code text} is {@code label}.
   *
   * @param client the account (its token is the client's own)
   * @param message the message the claim is about
   * @param label the label claimed
   */
  record Claim(String client, Message message, String label) {}

  /** A named list of claims, sent in order. */
  record Campaign(String name, List<Claim> claims) {}

  /**
   * The example's data and its served model.
   *
   * @param train the training split, as messages
   * @param test the held-out split, as messages
   * @param model the model trained on {@code train} (the one in service)
   */
  record Base(
      PipelineSpec spec,
      TrainingTable table,
      List<Message> train,
      List<Message> test,
      Model<Label> model) {}

  /** What the naive loop did to one target. */
  record NaiveOutcome(Message target, double spamBefore, double spamAfter) {
    boolean flipped() {
      return spamAfter < 0.5;
    }
  }

  /** What the demo measured. */
  public record Result(
      int trainRows,
      int testRows,
      double accuracyBefore,
      List<NaiveOutcome> naive,
      double naiveSeconds) {

    /** Targets the naive loop turned into ham. */
    public long naiveFlipped() {
      return naive.stream().filter(NaiveOutcome::flipped).count();
    }
  }

  public static void main(String[] args) throws Exception {
    DeserializationFilter.install(); // first thing: before anything creates an ObjectInputStream
    run(Demos.root(args), Demos.work(args, "seed003-"), System.out);
  }

  /** Runs the demo in {@code work}, printing each step to {@code out}. */
  public static Result run(Path root, Path work, PrintStream out) throws Exception {
    Path specFile = root.resolve("examples/sms-spam.yaml");
    Base base = base(PipelineSpec.load(specFile));
    double before = accuracy(base.model(), base.test());
    out.printf(
        Locale.ROOT,
        "== seed 003: feedback that skews the model (%s: %d training, %d held-out messages, test"
            + " accuracy %.4f)%n",
        specFile.getFileName(),
        base.train().size(),
        base.test().size(),
        before);
    List<Message> targets = targets(base);

    long start = System.nanoTime();
    List<NaiveOutcome> naive = new ArrayList<>();
    for (Message target : targets) {
      naive.add(naiveLoop(base, target));
    }
    double naiveSeconds = (System.nanoTime() - start) / 1e9;
    long flipped = naive.stream().filter(NaiveOutcome::flipped).count();
    out.printf(
        Locale.ROOT,
        "naive loop (the seed's): %d \"ham\" clicks per target, retrain on base + feedback, once per"
            + " target: %d of %d targets now ham (%.0f%%), %.1f s%n",
        CLICKS,
        flipped,
        naive.size(),
        100.0 * flipped / naive.size(),
        naiveSeconds);
    return new Result(base.train().size(), base.test().size(), before, naive, naiveSeconds);
  }

  /** Ingests the spec's data (its pins and screens), splits it as the pipeline does and trains. */
  static Base base(PipelineSpec spec) throws PipelineException, IOException {
    IngestResult r = Ingest.create().run(spec);
    List<Message> all = new ArrayList<>(r.table().rows().size());
    for (int i = 0; i < r.table().rows().size(); i++) {
      TrainingTable.Row row = r.table().rows().get(i);
      // Canonical fields of tsv-text: label, text.
      all.add(new Message(r.keptRows().get(i).fields().get(1), row.label(), row));
    }
    Split split = Split.seeded(r.table(), spec.split().testFraction(), spec.split().seed());
    List<Message> train = messagesOf(split.train(), r.table(), all);
    List<Message> test = messagesOf(split.test(), r.table(), all);
    return new Base(spec, r.table(), train, test, Trainers.train(spec.trainer(), split.train()));
  }

  /** The messages of a split's rows (split parts share the table's row objects). */
  private static List<Message> messagesOf(
      TrainingTable part, TrainingTable table, List<Message> all) {
    java.util.IdentityHashMap<TrainingTable.Row, Message> byRow = new java.util.IdentityHashMap<>();
    for (int i = 0; i < table.rows().size(); i++) {
      byRow.put(table.rows().get(i), all.get(i));
    }
    List<Message> out = new ArrayList<>(part.rows().size());
    for (TrainingTable.Row row : part.rows()) {
      out.add(byRow.get(row));
    }
    return out;
  }

  /**
   * {@link #TARGETS} held-out spam messages the model classifies as spam, in a seeded random order.
   */
  static List<Message> targets(Base base) {
    List<Message> spam = new ArrayList<>();
    for (Message m : base.test()) {
      if (m.label().equals(SPAM) && spamScore(base.model(), m) >= 0.5) {
        spam.add(m);
      }
    }
    Collections.shuffle(spam, new Random(TARGET_SEED));
    return List.copyOf(spam.subList(0, Math.min(TARGETS, spam.size())));
  }

  /** The seed's loop for one target: base + {@link #CLICKS} "ham" copies of it, retrained. */
  static NaiveOutcome naiveLoop(Base base, Message target) throws PipelineException {
    List<TrainingTable.Row> rows = new ArrayList<>(base.train().size() + CLICKS);
    for (Message m : base.train()) {
      rows.add(m.row());
    }
    TrainingTable.Row ham = relabel(target.row(), HAM);
    for (int i = 0; i < CLICKS; i++) {
      rows.add(ham);
    }
    Model<Label> skewed =
        Trainers.train(
            base.spec().trainer(),
            new TrainingTable(base.table().featureNames(), base.table().labels(), rows));
    return new NaiveOutcome(target, spamScore(base.model(), target), spamScore(skewed, target));
  }

  private static TrainingTable.Row relabel(TrainingTable.Row row, String label) {
    return new TrainingTable.Row(row.sourceLine(), label, row.names(), row.values());
  }

  /** The model's probability that {@code m} is spam. */
  static double spamScore(Model<Label> model, Message m) {
    Prediction<Label> p = model.predict(example(m));
    Label spam = p.getOutputScores().get(SPAM);
    return spam == null ? 0.0 : spam.getScore();
  }

  /** The fraction of {@code messages} the model labels correctly. */
  static double accuracy(Model<Label> model, List<Message> messages) {
    List<Example<Label>> examples = new ArrayList<>(messages.size());
    for (Message m : messages) {
      examples.add(example(m));
    }
    List<Prediction<Label>> predictions = model.predict(examples);
    int right = 0;
    for (int i = 0; i < messages.size(); i++) {
      if (predictions.get(i).getOutput().getLabel().equals(messages.get(i).label())) {
        right++;
      }
    }
    return (double) right / messages.size();
  }

  private static Example<Label> example(Message m) {
    TrainingTable one = new TrainingTable(m.row().names(), List.of(HAM, SPAM), List.of(m.row()));
    return TribuoTables.examples(one).get(0);
  }
}
