package dev.custody.train.feedback;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.chain.DatasetPredicate;
import dev.custody.core.feedback.FeedbackRecord;
import dev.custody.core.feedback.FeedbackStatus;
import dev.custody.train.data.ParsedRow;
import dev.custody.train.data.RowReader;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.evaluate.Evaluator;
import dev.custody.train.fit.Trainers;
import dev.custody.train.fit.TribuoTables;
import dev.custody.train.spec.FeedbackSpec;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.FeatureEncoder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

/**
 * The train stage's defences between a feedback dataset and the training table (seed 003: clicks on
 * "not spam" must not flip a spam message, however many accounts send them).
 *
 * <ol>
 *   <li><b>Read</b>: every record must be for the spec's model, with exactly its feature columns
 *       and an allowed label; its input is validated and encoded like a data row.
 *   <li><b>Quarantine</b>: records the server quarantined, and records claiming a protected label
 *       against a served prediction at or above the confidence threshold, are held out and listed.
 *   <li><b>Trust</b>: a record on an item of the base training split agrees or disagrees with a
 *       confirmed label. Agreement adds no example (the row is already there) but earns its client
 *       trust; disagreement is held out. A client weighs {@code min(max, initial + perAgreement *
 *       distinct agreed items)}.
 *   <li><b>Influence cap</b>: the remaining records are grouped into items (equal item key, equal
 *       features, or token sets with Jaccard similarity at or above the threshold); each client has
 *       one vote per item, the label with the largest trust sum wins (a tie adds nothing), and the
 *       item is <em>one</em> training example whose weight is {@code min(1, that sum)}.
 *   <li><b>Contested canary</b>: every item with feedback claiming a protected label against the
 *       served label joins the canary gate with the served label.
 *   <li><b>Impact</b>: the candidate is retrained without each tested source (a client, or the
 *       clients that pushed one contested item together, so a Sybil campaign is one source), and a
 *       source whose removal changes test or golden accuracy, or the predictions on canary and
 *       contested rows, by more than {@code maxChange} is quarantined.
 * </ol>
 *
 * Each step's report is a {@link DatasetPredicate.Screen} named {@code feedback-...} in the dataset
 * attestation. Everything is deterministic: the same spec, data and feedback give the same
 * examples.
 */
public final class FeedbackDefences {
  /** How many rows each report lists at most (the attestation has a size limit). */
  static final int REPORT_ROWS = 200;

  /** How many times flipped contested items are removed and the candidate retrained. */
  private static final int MAX_FLIP_ROUNDS = 3;

  /**
   * The base data the feedback is judged against.
   *
   * @param train the rows of the base training split (the confirmed labels)
   * @param test the held-out rows of the base data
   * @param golden the golden set, or null
   * @param canary the canary set, or null
   * @param featureNames every feature name of the base data (feedback may add tokens)
   */
  public record Base(
      List<ParsedRow> train,
      TrainingTable test,
      TrainingTable golden,
      TrainingTable canary,
      List<String> featureNames) {
    public Base {
      train = List.copyOf(train);
      Objects.requireNonNull(test, "test");
      featureNames = List.copyOf(featureNames);
    }
  }

  /**
   * What the defences decided.
   *
   * @param examples the training examples feedback adds (one per item, weighted), in record order
   * @param canary the contested rows for the canary gate, each with the served label
   * @param reports one report per defence, for the dataset attestation
   */
  public record Outcome(
      List<ParsedRow> examples,
      List<TrainingTable.Row> canary,
      List<DatasetPredicate.Screen> reports) {
    public Outcome {
      examples = List.copyOf(examples);
      canary = List.copyOf(canary);
      reports = List.copyOf(reports);
    }
  }

  private final PipelineSpec spec;
  private final FeedbackSpec config;
  private final RowReader reader;
  private final ItemKey keys;
  private final List<String> featureColumns;
  private final String positiveLabel;

  /** The defences of {@code spec}'s feedback section. */
  public FeedbackDefences(PipelineSpec spec) {
    this.spec = spec;
    this.config =
        spec.feedback()
            .orElseThrow(() -> new IllegalArgumentException(spec + " names no feedback dataset"));
    this.reader = new RowReader(spec.schema(), spec.format());
    this.keys = new ItemKey(spec.schema(), config.influenceCap().normalise());
    this.featureColumns = FeatureEncoder.of(spec.schema()).featureColumns();
    List<String> allowed = spec.schema().label().allowed();
    this.positiveLabel = allowed.get(allowed.size() - 1);
  }

  /** One feedback record, read. */
  private record Vote(int index, FeedbackRecord record, ParsedRow row, String key) {
    String client() {
      return record.entry().client();
    }

    String label() {
      return row.label();
    }
  }

  /** An item: the votes about one input and its near-duplicates, in record order. */
  private static final class Item {
    final List<Vote> all = new ArrayList<>();
    final List<Vote> candidates = new ArrayList<>();
  }

  /** An item's training example and who backed it. */
  private record Example(
      Item item, ParsedRow row, Map<String, Double> tally, Set<String> backers) {}

  /** A source for the impact test. */
  private record Group(String name, Set<String> clients, double influence) {}

  /**
   * Applies the defences to the records of one feedback file.
   *
   * @param records the file's records, in file order
   * @param source the feedback file as the spec names it (for messages and reports)
   * @throws PipelineException {@link Reason#FEEDBACK_INVALID} for a record of another model, with
   *     other input columns or an unknown label; {@code DATA_INVALID} for a value the schema
   *     refuses; {@code TRAINING_FAILED} if an impact-test model cannot be trained
   */
  public Outcome apply(List<FeedbackRecord> records, String source, Base base)
      throws PipelineException {
    List<Vote> votes = read(records, source);

    Map<String, ParsedRow> confirmedByKey = new HashMap<>();
    Map<FeatureKey, ParsedRow> confirmedByFeatures = new HashMap<>();
    for (ParsedRow r : base.train()) {
      confirmedByKey.putIfAbsent(keys.of(r.canonical()), r);
      confirmedByFeatures.putIfAbsent(FeatureKey.of(r.row()), r);
    }

    FeedbackSpec.Quarantine q = config.quarantine();
    List<DatasetPredicate.FlaggedRow> held = new ArrayList<>();
    long heldByServer = 0;
    long heldConfident = 0;
    long heldContradicting = 0;
    Map<String, Set<String>> agreed = new TreeMap<>();
    List<Vote> open = new ArrayList<>();
    Set<Vote> candidates = new HashSet<>();
    for (Vote v : votes) {
      agreed.computeIfAbsent(v.client(), c -> new TreeSet<>());
      var e = v.record().entry();
      if (e.status() == FeedbackStatus.QUARANTINED) {
        heldByServer++;
        held.add(flag(source, v, "quarantined by the server: " + e.why()));
        continue;
      }
      ParsedRow confirmed = confirmedByKey.get(v.key());
      if (confirmed == null) {
        confirmed = confirmedByFeatures.get(FeatureKey.of(v.row().row()));
      }
      if (confirmed != null) {
        if (confirmed.label().equals(v.label())) {
          agreed.get(v.client()).add(v.key());
        } else {
          heldContradicting++;
          held.add(
              flag(
                  source,
                  v,
                  "contradicts the training set: "
                      + confirmed.canonical().source()
                      + " line "
                      + confirmed.canonical().line()
                      + " is "
                      + confirmed.label()));
        }
        continue;
      }
      open.add(v);
      if (contested(v) && e.servedConfidence() >= q.above()) {
        heldConfident++;
        held.add(
            flag(
                source,
                v,
                String.format(
                    Locale.ROOT,
                    "claims %s against a served %s at confidence %.4f >= %s",
                    v.label(),
                    e.servedLabel(),
                    e.servedConfidence(),
                    q.above())));
      } else {
        candidates.add(v);
      }
    }

    Map<String, Double> trust = new TreeMap<>();
    agreed.forEach((c, items) -> trust.put(c, config.trust().weight(items.size())));

    List<Item> items = group(open);
    for (Item item : items) {
      for (Vote v : item.all) {
        if (candidates.contains(v)) {
          item.candidates.add(v);
        }
      }
    }

    List<TrainingTable.Row> canary = new ArrayList<>();
    List<DatasetPredicate.FlaggedRow> canaryReport = new ArrayList<>();
    Map<Item, Vote> contestedItems = new LinkedHashMap<>();
    if (config.canary().contested()) {
      for (Item item : items) {
        for (Vote v : item.all) {
          if (contested(v)) {
            String served = v.record().entry().servedLabel();
            ParsedRow row = reader.input(source, v.record().sequence(), served, input(v));
            canary.add(row.row());
            contestedItems.put(item, v);
            if (canaryReport.size() < REPORT_ROWS) {
              canaryReport.add(
                  new DatasetPredicate.FlaggedRow(
                      source,
                      v.record().sequence(),
                      "",
                      served,
                      "contested: claimed " + v.label() + ", served " + served));
            }
            break;
          }
        }
      }
    }

    Set<String> removed = new TreeSet<>();
    List<DatasetPredicate.FlaggedRow> impactReport = new ArrayList<>();
    Map<String, Double> impactStats = new LinkedHashMap<>();
    List<Example> examples = aggregate(items, trust, Set.of());
    int tested = 0;
    if (config.impact().maxGroups() > 0 && !examples.isEmpty()) {
      ImpactTest test = new ImpactTest(base, canary);
      Measurement full = test.measure(examples);
      List<Item> contestedOrder = new ArrayList<>(contestedItems.keySet());
      // A contested item the candidate flips is what the canary gate would refuse: its backers are
      // removed at once (one retraining, however many such items) and the candidate measured again.
      for (int round = 0; round < MAX_FLIP_ROUNDS; round++) {
        Set<String> backers = new TreeSet<>();
        for (Example x : examples) {
          int at = contestedOrder.indexOf(x.item());
          if (at >= 0 && full.flipped(at)) {
            backers.addAll(x.backers());
            if (impactReport.size() < REPORT_ROWS) {
              impactReport.add(
                  new DatasetPredicate.FlaggedRow(
                      source,
                      x.row().canonical().line(),
                      "",
                      x.row().label(),
                      "the candidate predicts "
                          + x.row().label()
                          + " for this contested item against the served "
                          + canary.get(at).label()
                          + ": its "
                          + x.backers().size()
                          + " backer(s) removed: "
                          + String.join(", ", x.backers())));
            }
          }
        }
        if (backers.isEmpty()) {
          break;
        }
        tested++;
        removed.addAll(backers);
        examples = aggregate(items, trust, removed);
        impactStats.put("flippedRound" + (round + 1) + "Removed", (double) backers.size());
        if (examples.isEmpty()) {
          break;
        }
        full = test.measure(examples);
      }
      List<Group> groups =
          examples.isEmpty() ? List.of() : groups(examples, trust, contestedItems.keySet());
      int budget = Math.min(groups.size(), config.impact().maxGroups());
      Set<String> impactRemoved = new TreeSet<>();
      for (Group g : groups.subList(0, budget)) {
        tested++;
        Measurement without = test.measure(aggregate(items, trust, union(removed, g.clients())));
        double change = full.change(without);
        impactStats.put("change:" + g.name(), change);
        if (change > config.impact().maxChange()) {
          impactRemoved.addAll(g.clients());
          if (impactReport.size() < REPORT_ROWS) {
            impactReport.add(
                new DatasetPredicate.FlaggedRow(
                    source,
                    0,
                    "",
                    positiveLabel,
                    String.format(
                        Locale.ROOT,
                        "source %s (%d client(s): %s) removed: change %.4f > %s",
                        g.name(),
                        g.clients().size(),
                        String.join(", ", g.clients()),
                        change,
                        config.impact().maxChange())));
          }
        }
      }
      impactStats.put("sources", (double) groups.size());
      if (!impactRemoved.isEmpty()) {
        removed.addAll(impactRemoved);
        examples = aggregate(items, trust, removed);
      }
    }
    impactStats.put("tested", (double) tested);
    impactStats.put("removedClients", (double) removed.size());

    List<ParsedRow> rows = new ArrayList<>();
    List<DatasetPredicate.FlaggedRow> capReport = new ArrayList<>();
    long backedRecords = 0;
    for (Example x : examples) {
      rows.add(x.row());
      backedRecords += x.item().candidates.size();
      if (capReport.size() < REPORT_ROWS) {
        capReport.add(
            new DatasetPredicate.FlaggedRow(
                source,
                x.row().canonical().line(),
                "",
                x.row().label(),
                String.format(
                    Locale.ROOT,
                    "one example for %d record(s) from %d client(s), weight %.4f, votes %s",
                    x.item().candidates.size(),
                    x.item().candidates.stream().map(Vote::client).distinct().count(),
                    x.row().row().weight(),
                    tallyText(x.tally()))));
      }
    }

    long candidateCount = candidates.size();
    List<DatasetPredicate.Screen> reports = new ArrayList<>();
    reports.add(
        screen(
            "feedback-quarantine",
            votes.size(),
            held.size(),
            Map.of(
                "server", (double) heldByServer,
                "confident", (double) heldConfident,
                "contradictsTrainingSet", (double) heldContradicting),
            held));
    Map<String, Double> trustStats = new LinkedHashMap<>();
    trustStats.put("clients", (double) trust.size());
    agreed.forEach((c, a) -> trustStats.put("agreements:" + c, (double) a.size()));
    trust.forEach((c, w) -> trustStats.put("weight:" + c, w));
    reports.add(screen("feedback-trust", votes.size(), 0, trustStats, List.of()));
    Map<String, Double> capStats = new LinkedHashMap<>();
    capStats.put("records", (double) candidateCount);
    capStats.put("items", (double) items.stream().filter(i -> !i.candidates.isEmpty()).count());
    capStats.put("examples", (double) rows.size());
    capStats.put("weight", rows.stream().mapToDouble(r -> r.row().weight()).sum());
    reports.add(
        screen(
            "feedback-influenceCap",
            candidateCount,
            Math.max(0, backedRecords - rows.size()),
            capStats,
            capReport));
    reports.add(screen("feedback-impact", tested, removed.size(), impactStats, impactReport));
    reports.add(
        screen(
            "feedback-canary",
            items.size(),
            canary.size(),
            Map.of("rowsAdded", (double) canary.size()),
            canaryReport));
    return new Outcome(rows, canary, reports);
  }

  private List<Vote> read(List<FeedbackRecord> records, String source) throws PipelineException {
    Set<String> columns = new HashSet<>(featureColumns);
    List<String> allowed = spec.schema().label().allowed();
    List<Vote> votes = new ArrayList<>(records.size());
    for (int i = 0; i < records.size(); i++) {
      FeedbackRecord r = records.get(i);
      var e = r.entry();
      String at = source + " record " + r.chain() + "#" + r.sequence();
      if (!e.model().equals(spec.name())) {
        throw new PipelineException(
            Reason.FEEDBACK_INVALID,
            at + ": expected feedback on model " + spec.name() + ", found " + e.model());
      }
      if (!e.input().keySet().equals(columns)) {
        throw new PipelineException(
            Reason.FEEDBACK_INVALID,
            at
                + ": expected the input columns "
                + new TreeSet<>(columns)
                + ", found "
                + new TreeSet<>(e.input().keySet()));
      }
      if (!allowed.contains(e.label()) || !allowed.contains(e.servedLabel())) {
        throw new PipelineException(
            Reason.FEEDBACK_INVALID,
            at
                + ": expected labels in "
                + allowed
                + ", found label "
                + e.label()
                + ", served "
                + e.servedLabel());
      }
      ParsedRow row = reader.input(source, r.sequence(), e.label(), e.input());
      votes.add(new Vote(i, r, row, keys.of(row.canonical())));
    }
    return votes;
  }

  private static Map<String, String> input(Vote v) {
    return v.record().entry().input();
  }

  /** Whether the vote claims a protected label against the served label. */
  private boolean contested(Vote v) {
    return config.quarantine().labels().contains(v.label())
        && !v.label().equals(v.record().entry().servedLabel());
  }

  /**
   * Groups votes into items: the same item key, the same features, or (for text) token sets with
   * Jaccard similarity at or above the threshold, closed transitively (union-find).
   */
  private List<Item> group(List<Vote> votes) {
    int n = votes.size();
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    Map<String, Integer> byKey = new HashMap<>();
    Map<FeatureKey, Integer> byFeatures = new HashMap<>();
    List<Integer> distinct = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Vote v = votes.get(i);
      Integer k = byKey.putIfAbsent(v.key(), i);
      Integer f = byFeatures.putIfAbsent(FeatureKey.of(v.row().row()), i);
      if (k != null) {
        union(parent, k, i);
      }
      if (f != null) {
        union(parent, f, i);
      }
      if (k == null && f == null) {
        distinct.add(i);
      }
    }
    double t = config.influenceCap().similarity();
    if (!spec.schema().text().isEmpty() && t < 1) {
      List<Set<String>> tokens = new ArrayList<>(distinct.size());
      for (int i : distinct) {
        tokens.add(new HashSet<>(votes.get(i).row().row().names()));
      }
      for (int a = 0; a < distinct.size(); a++) {
        Set<String> sa = tokens.get(a);
        for (int b = a + 1; b < distinct.size(); b++) {
          Set<String> sb = tokens.get(b);
          int small = Math.min(sa.size(), sb.size());
          int large = Math.max(sa.size(), sb.size());
          // Jaccard <= small / large: skip pairs that cannot reach the threshold.
          if (large == 0 || small < t * large) {
            continue;
          }
          if (jaccard(sa, sb) >= t) {
            union(parent, distinct.get(a), distinct.get(b));
          }
        }
      }
    }
    Map<Integer, Item> items = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      items.computeIfAbsent(find(parent, i), r -> new Item()).all.add(votes.get(i));
    }
    return new ArrayList<>(items.values());
  }

  private static double jaccard(Set<String> a, Set<String> b) {
    int common = 0;
    for (String s : a.size() <= b.size() ? a : b) {
      if ((a.size() <= b.size() ? b : a).contains(s)) {
        common++;
      }
    }
    return common / (double) (a.size() + b.size() - common);
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }

  /**
   * One example per item from the candidate votes of clients not in {@code without}: each client's
   * first vote on the item counts, the label with the largest trust sum wins (a tie adds nothing),
   * the example is the first winning vote's input, weighted {@code min(1, winning sum)}.
   */
  private List<Example> aggregate(
      List<Item> items, Map<String, Double> trust, Set<String> without) {
    List<Example> out = new ArrayList<>();
    for (Item item : items) {
      Map<String, Vote> byClient = new LinkedHashMap<>();
      for (Vote v : item.candidates) {
        if (!without.contains(v.client())) {
          byClient.putIfAbsent(v.client(), v);
        }
      }
      if (byClient.isEmpty()) {
        continue;
      }
      Map<String, Double> tally = new TreeMap<>();
      byClient.forEach((c, v) -> tally.merge(v.label(), trust.get(c), Double::sum));
      String winner = null;
      double best = -1;
      boolean tie = false;
      for (Map.Entry<String, Double> e : tally.entrySet()) {
        if (e.getValue() > best) {
          winner = e.getKey();
          best = e.getValue();
          tie = false;
        } else if (e.getValue() == best) {
          tie = true;
        }
      }
      if (tie || best <= 0) {
        continue;
      }
      Set<String> backers = new TreeSet<>();
      Vote first = null;
      for (Map.Entry<String, Vote> e : byClient.entrySet()) {
        if (e.getValue().label().equals(winner)) {
          backers.add(e.getKey());
          first = first == null ? e.getValue() : first;
        }
      }
      ParsedRow row = Objects.requireNonNull(first).row().withWeight(Math.min(1.0, best));
      out.add(new Example(item, row, tally, backers));
    }
    return out;
  }

  /**
   * The sources to test, by influence (the example weight each carries), then by name: each client,
   * and for each contested item the clients that backed it together (a Sybil campaign is one
   * source, which leave-one-client-out cannot see).
   */
  private static List<Group> groups(
      List<Example> examples, Map<String, Double> trust, Set<Item> contested) {
    Map<String, Double> influence = new TreeMap<>();
    List<Group> out = new ArrayList<>();
    for (Example x : examples) {
      double sum = 0;
      for (String c : x.backers()) {
        sum += trust.get(c);
      }
      for (String c : x.backers()) {
        influence.merge(c, x.row().row().weight() * trust.get(c) / sum, Double::sum);
      }
      if (contested.contains(x.item()) && x.backers().size() > 1) {
        out.add(
            new Group("item#" + x.row().canonical().line(), x.backers(), x.row().row().weight()));
      }
    }
    influence.forEach((c, w) -> out.add(new Group("client:" + c, Set.of(c), w)));
    out.sort(Comparator.comparingDouble(Group::influence).reversed().thenComparing(Group::name));
    Set<Set<String>> seen = new HashSet<>();
    out.removeIf(g -> !seen.add(g.clients()));
    return out;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> out = new TreeSet<>(a);
    out.addAll(b);
    return out;
  }

  /** The figures the impact test compares, for one candidate. */
  private record Measurement(
      double testAccuracy,
      double goldenAccuracy,
      List<String> predictions,
      List<String> servedLabels,
      int contestedRows) {
    /** Whether the candidate predicts against the served label on the i-th contested row. */
    boolean flipped(int contested) {
      int at = predictions.size() - contestedRows + contested;
      return !predictions.get(at).equals(servedLabels.get(at));
    }

    /** The largest change between two candidates, in [0, 1]. */
    double change(Measurement other) {
      double c = Math.abs(testAccuracy - other.testAccuracy);
      if (!Double.isNaN(goldenAccuracy)) {
        c = Math.max(c, Math.abs(goldenAccuracy - other.goldenAccuracy));
      }
      if (!predictions.isEmpty()) {
        int changed = 0;
        for (int i = 0; i < predictions.size(); i++) {
          if (!predictions.get(i).equals(other.predictions.get(i))) {
            changed++;
          }
        }
        c = Math.max(c, changed / (double) predictions.size());
      }
      return c;
    }
  }

  /** Trains candidates on the base training split plus feedback examples and measures them. */
  private final class ImpactTest {
    private final Base base;
    private final List<TrainingTable.Row> watched = new ArrayList<>();
    private final List<String> watchedLabels = new ArrayList<>();
    private final List<String> names;
    private final int contestedRows;

    ImpactTest(Base base, List<TrainingTable.Row> contested) {
      this.base = base;
      this.contestedRows = contested.size();
      if (base.canary() != null) {
        watched.addAll(base.canary().rows());
      }
      watched.addAll(contested);
      watched.forEach(r -> watchedLabels.add(r.label()));
      this.names = base.featureNames();
    }

    Measurement measure(List<Example> examples) throws PipelineException {
      List<TrainingTable.Row> rows = new ArrayList<>(base.train().size() + examples.size());
      base.train().forEach(r -> rows.add(r.row()));
      examples.forEach(x -> rows.add(x.row().row()));
      Set<String> all = new LinkedHashSet<>(names);
      examples.forEach(x -> all.addAll(x.row().row().names()));
      List<String> featureNames = new ArrayList<>(all);
      List<String> labels = spec.schema().label().allowed();
      Model<Label> model =
          Trainers.train(spec.trainer(), new TrainingTable(featureNames, labels, rows));
      double test = Evaluator.evaluate(model, base.test(), positiveLabel).accuracy();
      double golden =
          base.golden() == null
              ? Double.NaN
              : Evaluator.evaluate(model, base.golden(), positiveLabel).accuracy();
      List<String> predictions = new ArrayList<>();
      if (!watched.isEmpty()) {
        watched.forEach(r -> all.addAll(r.names()));
        TrainingTable w = new TrainingTable(new ArrayList<>(all), labels, watched);
        for (Prediction<Label> p : model.predict(TribuoTables.examples(w))) {
          predictions.add(p.getOutput().getLabel());
        }
      }
      return new Measurement(test, golden, predictions, watchedLabels, contestedRows);
    }
  }

  private static String tallyText(Map<String, Double> tally) {
    List<String> parts = new ArrayList<>();
    tally.forEach((l, w) -> parts.add(String.format(Locale.ROOT, "%s %.4f", l, w)));
    return "{" + String.join(", ", parts) + "}";
  }

  private static DatasetPredicate.FlaggedRow flag(String source, Vote v, String detail) {
    return new DatasetPredicate.FlaggedRow(
        source, v.record().sequence(), "", v.label(), "client " + v.client() + ": " + detail);
  }

  private static DatasetPredicate.Screen screen(
      String name,
      long checked,
      long flagged,
      Map<String, Double> statistics,
      List<DatasetPredicate.FlaggedRow> rows) {
    List<DatasetPredicate.FlaggedRow> first = rows.subList(0, Math.min(rows.size(), REPORT_ROWS));
    return new DatasetPredicate.Screen(
        name, "feedback", checked, flagged, flagged, new TreeMap<>(statistics), first);
  }

  /** A row's features as a map key: equal keys mean the model sees the same input. */
  private record FeatureKey(List<String> names, List<Double> values) {
    static FeatureKey of(TrainingTable.Row r) {
      return new FeatureKey(r.names(), r.values());
    }
  }
}
