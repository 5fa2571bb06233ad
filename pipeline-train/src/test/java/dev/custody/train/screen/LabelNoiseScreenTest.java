package dev.custody.train.screen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.train.data.CanonicalRow;
import dev.custody.train.data.ParsedRow;
import dev.custody.train.data.RowReader;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.spec.Fixtures;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.train.spec.ScreenSpec;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The label screen against known label flips: 5% of the training rows (after holding out the spec's
 * test fraction) get the other label, chosen with a fixed seed.
 *
 * <p>On the credit data the precision floor is 0.15, not 0.5: a flag is right with probability
 * P(flipped | x, label), which for a row labelled "1" is 0.05·(1−η(x)) / (0.05·(1−η(x)) +
 * 0.95·η(x)), η(x) = P(default | x). That is at least 1/2 only where η(x) ≤ 0.05 (and, for rows
 * labelled "0", only where η(x) ≥ 0.95); on held-out data the lowest default rate of any sizeable
 * region of these features is about 0.08 and the highest about 0.8, so no detector reaches
 * precision 0.5 at recall 0.5. Ranking rows by that posterior with the true flip rate gives about
 * 0.26–0.29 at recall 0.5 on these out-of-fold probabilities. On the SMS data, where labels are
 * learnable from the features, the screen meets both floors of 0.5.
 */
class LabelNoiseScreenTest {
  private static final double FLIP_RATE = 0.05;

  record Measured(int flipped, int flagged, int truePositives) {
    double precision() {
      return flagged == 0 ? 0 : truePositives / (double) flagged;
    }

    double recall() {
      return truePositives / (double) flipped;
    }
  }

  @Test
  void run_credit5PercentFlipped_flagsMostFlipsAtThreeTimesTheBaseRate() throws Exception {
    Measured m = measure("examples/credit-rf.yaml", "data/default_credit_card.csv", 2024);

    assertThat(m.recall()).isGreaterThanOrEqualTo(0.5);
    assertThat(m.precision()).isGreaterThanOrEqualTo(0.15);
  }

  @Test
  void run_sms5PercentFlipped_meetsRecallAndPrecisionOfHalf() throws Exception {
    Measured m = measure("examples/sms-spam.yaml", "data/sms_spam.tsv", 2024);

    assertThat(m.recall()).isGreaterThanOrEqualTo(0.5);
    assertThat(m.precision()).isGreaterThanOrEqualTo(0.5);
  }

  @Test
  void run_sameSeed_sameFlags() throws Exception {
    PipelineSpec spec = PipelineSpec.load(Fixtures.projectRoot().resolve("examples/sms-spam.yaml"));
    List<ParsedRow> rows = rows(spec, "data/sms_spam.tsv").subList(0, 1500);
    LabelNoiseScreen screen = new LabelNoiseScreen(spec.schema(), 5, 10, 7, 10);

    Screening.Outcome first = screen.run(rows);
    Screening.Outcome second = screen.run(rows);

    assertThat(second).isEqualTo(first);
  }

  @Test
  void run_tooFewRows_skipsAndFlagsNothing() throws Exception {
    PipelineSpec spec = Fixtures.spec("data/good-lf.csv", "");
    List<ParsedRow> rows =
        new RowReader(spec.schema(), spec.format())
            .read(Files.readAllBytes(Fixtures.resource("data/good-lf.csv")), "good-lf.csv");

    Screening.Outcome o = new LabelNoiseScreen(spec.schema(), 5, 10, 1, 10).run(rows);

    assertThat(o.flags()).isEmpty();
    assertThat(o.statistics()).containsEntry("skipped", 1.0);
  }

  private static Measured measure(String specPath, String data, long flipSeed) throws Exception {
    PipelineSpec spec = PipelineSpec.load(Fixtures.projectRoot().resolve(specPath));
    List<ParsedRow> all = rows(spec, data);
    // Hold out the spec's test fraction; flip 5% of the remaining (training) rows.
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(spec.split().seed()));
    int test = (int) Math.round(all.size() * spec.split().testFraction());
    List<Integer> train = new ArrayList<>(order.subList(test, order.size()));
    Collections.sort(train);
    List<Integer> shuffled = new ArrayList<>(train);
    Collections.shuffle(shuffled, new Random(flipSeed));
    Set<Integer> flip =
        new HashSet<>(shuffled.subList(0, (int) Math.round(train.size() * FLIP_RATE)));
    List<String> labels = spec.schema().label().allowed();
    List<ParsedRow> rows = new ArrayList<>();
    Set<Integer> flippedPositions = new HashSet<>();
    for (int i : train) {
      ParsedRow r = all.get(i);
      if (flip.contains(i)) {
        String other = r.label().equals(labels.get(0)) ? labels.get(1) : labels.get(0);
        r = withLabel(r, other, spec.schema().numeric().size());
        flippedPositions.add(rows.size());
      }
      rows.add(r);
    }

    long start = System.nanoTime();
    Screening.Outcome o =
        new LabelNoiseScreen(spec.schema(), spec.screen(ScreenSpec.LabelNoise.class).orElseThrow())
            .run(rows);
    double seconds = (System.nanoTime() - start) / 1e9;

    int tp = 0;
    for (Screening.Flag f : o.flags()) {
      if (flippedPositions.contains(f.index())) {
        tp++;
      }
    }
    Measured m = new Measured(flippedPositions.size(), o.flags().size(), tp);
    System.out.printf(
        Locale.ROOT,
        "label screen on %s: %d training rows, %d flipped, %d flagged, %d flagged flips:"
            + " precision %.3f, recall %.3f (%s, %.1f s)%n",
        data,
        rows.size(),
        m.flipped(),
        m.flagged(),
        m.truePositives(),
        m.precision(),
        m.recall(),
        o.statistics(),
        seconds);
    return m;
  }

  private static List<ParsedRow> rows(PipelineSpec spec, String data) throws Exception {
    return new RowReader(spec.schema(), spec.format())
        .read(Files.readAllBytes(Fixtures.shared(data)), data);
  }

  private static ParsedRow withLabel(ParsedRow r, String label, int numericColumns) {
    TrainingTable.Row row =
        new TrainingTable.Row(r.row().sourceLine(), label, r.row().names(), r.row().values());
    List<String> fields = new ArrayList<>(r.canonical().fields());
    fields.set(0, label);
    double[] numeric = new double[numericColumns];
    for (int c = 0; c < numericColumns; c++) {
      numeric[c] = r.numeric(c);
    }
    return new ParsedRow(
        new CanonicalRow(r.canonical().source(), r.canonical().line(), r.canonical().id(), fields),
        row,
        numeric);
  }
}
