package dev.custody.examples;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.BundleSigner;
import dev.custody.core.PipelineException;
import dev.custody.core.SigningKey;
import dev.custody.core.chain.DatasetPredicate;
import dev.custody.core.chain.FeedbackExportAttestation;
import dev.custody.core.chain.FeedbackExportPredicate;
import dev.custody.serve.ModelServer;
import dev.custody.serve.feedback.FeedbackExport;
import dev.custody.serve.feedback.JournalStore;
import dev.custody.serve.security.Client;
import dev.custody.serve.security.Role;
import dev.custody.serve.security.TokenFile;
import dev.custody.serve.security.Tokens;
import dev.custody.train.Ingest;
import dev.custody.train.IngestResult;
import dev.custody.train.Pipeline;
import dev.custody.train.StageSigners;
import dev.custody.train.TrainedModel;
import dev.custody.train.data.Split;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.fit.Trainers;
import dev.custody.train.fit.TribuoTables;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.DeserializationFilter;
import dev.custody.verify.InvalidInputException;
import dev.custody.verify.TrustPolicy;
import dev.custody.verify.VerifiedChain;
import dev.custody.verify.VerifiedModel;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.tribuo.Example;
import org.tribuo.Model;
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

  /**
   * Target spam messages, from the held-out feedback pool, that the served model classifies as
   * spam.
   */
  static final int TARGETS = 20;

  /** "Not spam" clicks per target, as in the seed. */
  static final int CLICKS = 20;

  /** Seed of the choice of targets. */
  static final long TARGET_SEED = 3;

  /** Seed of the split of the held-out messages into the feedback pool and the clean half. */
  static final long HALVES_SEED = 33;

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

  /**
   * The held-out split in two seeded halves: feedback (targets and honest reports) is drawn only
   * from {@code pool}; {@code clean} is never the subject of feedback, so accuracy measured on it
   * is not decided by who reported what.
   */
  record Halves(List<Message> pool, List<Message> clean) {}

  /** What the naive loop did to one target. */
  record NaiveOutcome(Message target, double spamBefore, double spamAfter) {
    boolean flipped() {
      return spamAfter < 0.5;
    }
  }

  /**
   * What one campaign achieved through Custody.
   *
   * @param campaign the campaign's name
   * @param claims feedback requests sent (trust-building ones included), honest traffic excluded
   * @param accounts attacking accounts
   * @param answers how the server answered the campaign's requests: accepted, quarantined,
   *     duplicate, or the HTTP status of a refusal
   * @param flipped targets the model in service after retraining classifies as ham
   * @param rejection why the candidate was refused (the served model stays), or null if it passed
   * @param defences what the train stage's defences reported (from the signed dataset attestation
   *     of the candidate that passed), or the empty string
   * @param honestKept honest corrections the model in service after retraining classifies as spam
   * @param accuracy accuracy on the clean half of the model in service after retraining
   * @param seconds time of the retraining (ingest, defences, train, gates, export)
   */
  record CampaignOutcome(
      String campaign,
      int claims,
      int accounts,
      Map<String, Integer> answers,
      int flipped,
      String rejection,
      String defences,
      int honestKept,
      double accuracy,
      double seconds) {}

  /** What the demo measured. */
  public record Result(
      int trainRows,
      int testRows,
      double accuracyBefore,
      List<NaiveOutcome> naive,
      double naiveSeconds,
      int targets,
      int honestTotal,
      List<CampaignOutcome> campaigns) {

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
    out.printf(
        Locale.ROOT,
        "== seed 003: feedback that skews the model (%s: %d training, %d held-out messages)%n",
        specFile.getFileName(),
        base.train().size(),
        base.test().size());
    Halves halves = halves(base);
    List<Message> targets = targets(base, halves, out);
    out.printf(
        Locale.ROOT,
        "held-out split in seeded halves: %d messages in the feedback pool (targets and honest"
            + " reports come only from it), %d in the clean half no feedback touches%n",
        halves.pool().size(),
        halves.clean().size());

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

    return throughCustody(
        Custody.start(specFile, base, work), base, halves, targets, naive, naiveSeconds, out);
  }

  private static Result throughCustody(
      Custody custody,
      Base base,
      Halves halves,
      List<Message> targets,
      List<NaiveOutcome> naive,
      double naiveSeconds,
      PrintStream out)
      throws Exception {
    List<Message> wrong = custody.misclassifiedSpam(halves.pool());
    List<Message> clean = halves.clean();
    double before = accuracy(custody.served().tribuoModel(), clean);
    out.printf(
        Locale.ROOT,
        "Custody: the served model %s (signed, verified): accuracy %.4f on the %d messages of the"
            + " clean half; %d spam messages of the feedback pool it calls ham, reported by %d"
            + " honest clients%n",
        custody.served().digest(),
        before,
        clean.size(),
        wrong.size(),
        HONEST_CLIENTS);
    List<Claim> honest = honestTraffic(base, wrong);
    List<CampaignOutcome> outcomes = new ArrayList<>();
    for (Campaign c : campaigns(base, targets)) {
      CampaignOutcome o = custody.retrain(c, honest, targets, wrong, clean);
      outcomes.add(o);
      out.printf(
          Locale.ROOT,
          "  %-62s %4d claims: %2d of %d targets ham, %s; honest corrections kept %d of %d,"
              + " accuracy %.4f, %.1f s%n",
          c.name(),
          o.claims(),
          o.flipped(),
          targets.size(),
          o.rejection() == null ? "candidate passed the gates" : "candidate rejected",
          o.honestKept(),
          wrong.size(),
          o.accuracy(),
          o.seconds());
      out.println("    server answers to the campaign: " + o.answers());
      out.println("    " + (o.rejection() != null ? o.rejection() : o.defences()));
    }
    table(out, naive, naiveSeconds, before, wrong.size(), outcomes);
    return new Result(
        base.train().size(),
        base.test().size(),
        before,
        naive,
        naiveSeconds,
        targets.size(),
        wrong.size(),
        outcomes);
  }

  /** The measured table, in Markdown (README's threat model and BENCHMARKS.md). */
  private static void table(
      PrintStream out,
      List<NaiveOutcome> naive,
      double naiveSeconds,
      double before,
      int honestTotal,
      List<CampaignOutcome> outcomes) {
    long flipped = naive.stream().filter(NaiveOutcome::flipped).count();
    out.println();
    out.println(
        "| feedback campaign (20 targets) | path | targets classified ham | honest corrections"
            + " kept | clean-half accuracy before -> after | time |");
    out.println("|---|---|---|---|---|---|");
    out.printf(
        Locale.ROOT,
        "| %d \"ham\" clicks per target, 1 account | naive loop (retrain per target) | %d of %d"
            + " (%.0f%%) | - | - | %.1f s |%n",
        CLICKS,
        flipped,
        naive.size(),
        100.0 * flipped / naive.size(),
        naiveSeconds);
    for (CampaignOutcome o : outcomes) {
      out.printf(
          Locale.ROOT,
          "| %s | Custody (%s) | %d of %d (%.0f%%) | %d of %d | %.4f -> %.4f | %.1f s |%n",
          o.campaign(),
          o.rejection() == null ? "candidate passed the gates" : "candidate rejected",
          o.flipped(),
          TARGETS,
          100.0 * o.flipped() / TARGETS,
          o.honestKept(),
          honestTotal,
          before,
          o.accuracy(),
          o.seconds());
    }
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
    Split split = r.split();
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

  /** The held-out split, shuffled with {@link #HALVES_SEED}, cut in two halves. */
  static Halves halves(Base base) {
    List<Message> order = new ArrayList<>(base.test());
    Collections.shuffle(order, new Random(HALVES_SEED));
    int half = order.size() / 2;
    return new Halves(
        new ArrayList<>(order.subList(0, half)),
        new ArrayList<>(order.subList(half, order.size())));
  }

  /**
   * {@link #TARGETS} spam messages of the feedback pool the model classifies as spam, in a seeded
   * random order. If the pool has fewer, says so and moves the missing ones, a seeded choice, from
   * the clean half into the pool: the clean half stays free of feedback.
   */
  static List<Message> targets(Base base, Halves halves, PrintStream out) {
    List<Message> spam = sureSpam(base, halves.pool());
    Collections.shuffle(spam, new Random(TARGET_SEED));
    if (spam.size() < TARGETS) {
      List<Message> more = sureSpam(base, halves.clean());
      Collections.shuffle(more, new Random(TARGET_SEED));
      more = more.subList(0, Math.min(TARGETS - spam.size(), more.size()));
      out.printf(
          Locale.ROOT,
          "the feedback pool has %d spam messages the model calls spam, fewer than %d targets:"
              + " %d more taken from the clean half (seeded) into the pool%n",
          spam.size(),
          TARGETS,
          more.size());
      halves.clean().removeAll(more);
      halves.pool().addAll(more);
      spam.addAll(more);
    }
    return List.copyOf(spam.subList(0, Math.min(TARGETS, spam.size())));
  }

  private static List<Message> sureSpam(Base base, List<Message> messages) {
    List<Message> spam = new ArrayList<>();
    for (Message m : messages) {
      if (m.label().equals(SPAM) && spamScore(base.model(), m) >= 0.5) {
        spam.add(m);
      }
    }
    return spam;
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
    org.tribuo.Prediction<Label> p = model.predict(example(m));
    Label spam = p.getOutputScores().get(SPAM);
    return spam == null ? 0.0 : spam.getScore();
  }

  /** The fraction of {@code messages} the model labels correctly. */
  static double accuracy(Model<Label> model, List<Message> messages) {
    List<Example<Label>> examples = new ArrayList<>(messages.size());
    for (Message m : messages) {
      examples.add(example(m));
    }
    List<org.tribuo.Prediction<Label>> predictions = model.predict(examples);
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

  /** Honest long-time users: each earned trust, then reports every misclassified spam message. */
  static final int HONEST_CLIENTS = 5;

  /** Correct feedbacks an account sends first to earn trust (on training messages). */
  static final int TRUST_FEEDBACKS = 50;

  /** Seed of the order in which trust-building accounts pick training messages. */
  static final long TRUST_SEED = 30;

  /** The four attack campaigns of the issue, then honest traffic alone. */
  static List<Campaign> campaigns(Base base, List<Message> targets) {
    List<Claim> trusted = new ArrayList<>(earnTrust(base, "sleeper-", 20, HONEST_CLIENTS));
    trusted.addAll(clicks(targets, "sleeper-", 20, 1));
    return List.of(
        new Campaign("1 account x 20 clicks", clicks(targets, "mallory-", 1, 20)),
        new Campaign("10 accounts x 2 clicks", clicks(targets, "sybil-", 10, 2)),
        new Campaign("20 accounts x 1 click", clicks(targets, "sybil-", 20, 1)),
        new Campaign("20 accounts x 1 click, after 50 correct feedbacks each", trusted),
        new Campaign("no attack (honest clients only)", List.of()));
  }

  /** {@code perAccount} "ham" claims on every target from each of {@code accounts} accounts. */
  static List<Claim> clicks(List<Message> targets, String prefix, int accounts, int perAccount) {
    List<Claim> out = new ArrayList<>();
    for (Message t : targets) {
      for (int a = 1; a <= accounts; a++) {
        for (int k = 0; k < perAccount; k++) {
          out.add(new Claim(prefix + a, t, HAM));
        }
      }
    }
    return out;
  }

  /**
   * {@link #TRUST_FEEDBACKS} correct claims from each of {@code accounts} accounts, on distinct
   * training messages with their true labels; accounts are numbered from 1 and take the slices
   * after the first {@code skipSlices}, so different groups agree on different messages.
   */
  static List<Claim> earnTrust(Base base, String prefix, int accounts, int skipSlices) {
    List<Message> order = new ArrayList<>(base.train());
    Collections.shuffle(order, new Random(TRUST_SEED));
    List<Claim> out = new ArrayList<>();
    for (int a = 0; a < accounts; a++) {
      int from = (skipSlices + a) * TRUST_FEEDBACKS;
      for (Message m : order.subList(from, from + TRUST_FEEDBACKS)) {
        out.add(new Claim(prefix + (a + 1), m, m.label()));
      }
    }
    return out;
  }

  /** Honest clients earn trust, then each reports every misclassified spam message as spam. */
  static List<Claim> honestTraffic(Base base, List<Message> wrong) {
    List<Claim> out = new ArrayList<>(earnTrust(base, "honest-", HONEST_CLIENTS, 0));
    for (Message m : wrong) {
      for (int a = 1; a <= HONEST_CLIENTS; a++) {
        out.add(new Claim("honest-" + a, m, SPAM));
      }
    }
    return out;
  }

  /**
   * The seed-003 loop through Custody: a real server takes every claim over HTTP into a journal,
   * the journal is exported, and the train stage retrains through its defences and gates.
   */
  static final class Custody {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path specFile;
    private final Base base;
    private final Path work;
    private final SigningKey key;
    private final TrustPolicy policy;
    private final Path servedDir;
    private final VerifiedModel served;
    // HTTP/1.1, which the server speaks (no HTTP/2), as every other client of it in the tests:
    // the default client offers an h2c upgrade on each new connection, and with it one feedback
    // POST went unanswered for its whole 30 s timeout in a CI run (not reproduced since).
    private final HttpClient http =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private int runs;

    private Custody(
        Path specFile,
        Base base,
        Path work,
        SigningKey key,
        TrustPolicy policy,
        Path servedDir,
        VerifiedModel served) {
      this.specFile = specFile;
      this.base = base;
      this.work = work;
      this.key = key;
      this.policy = policy;
      this.servedDir = servedDir;
      this.served = served;
    }

    /** Trains, signs and verifies the example's model: the one in service. */
    static Custody start(Path specFile, Base base, Path work)
        throws PipelineException, IOException {
      SigningKey key = SigningKey.generate();
      TrustPolicy policy = Demos.trusting(key, false);
      TrainedModel m =
          Pipeline.builder().build().run(base.spec(), policy, signers(key), work.resolve("served"));
      VerifiedModel served = ChainVerifier.builder(policy).build().verify(m.directory()).load();
      return new Custody(specFile, base, work, key, policy, m.directory(), served);
    }

    private static StageSigners signers(SigningKey key) {
      return StageSigners.of(BundleSigner.create(key));
    }

    VerifiedModel served() {
      return served;
    }

    /** Spam messages of {@code pool} the served model classifies as ham. */
    List<Message> misclassifiedSpam(List<Message> pool) throws InvalidInputException {
      List<Message> out = new ArrayList<>();
      for (Message m : pool) {
        if (m.label().equals(SPAM) && served.predict(input(m)).label().equals(HAM)) {
          out.add(m);
        }
      }
      return out;
    }

    /**
     * Sends the honest clients' and the campaign's claims to a server, exports its journal,
     * retrains through the defences and the gates, and measures the model in service after.
     */
    CampaignOutcome retrain(
        Campaign c,
        List<Claim> honest,
        List<Message> targets,
        List<Message> wrong,
        List<Message> clean)
        throws PipelineException, IOException, InterruptedException {
      runs++;
      Path dir = Files.createDirectories(work.resolve("campaign-" + runs));
      List<Claim> claims = new ArrayList<>(honest);
      claims.addAll(c.claims());
      Map<String, Integer> answers = new TreeMap<>();
      FeedbackExport.Result export;
      try (JournalStore store = JournalStore.open(dir.resolve("feedback.journal"))) {
        Map<String, String> tokens = tokens(claims, dir.resolve("tokens.yaml"));
        try (ModelServer server =
            ModelServer.builder(servedDir, policy)
                .port(0)
                .tokens(Tokens.of(TokenFile.load(dir.resolve("tokens.yaml"))))
                .feedbackStore(store)
                .build()
                .start()) {
          URI uri = server.uri().resolve("/v2/models/" + served.name() + "/feedback");
          for (int i = 0; i < claims.size(); i++) {
            String answer = send(uri, tokens.get(claims.get(i).client()), claims.get(i));
            if (i >= honest.size()) {
              answers.merge(answer, 1, Integer::sum);
            }
          }
        }
        export =
            FeedbackExport.export(
                store,
                Optional.of(served.name()),
                BundleSigner.create(key),
                dir.resolve("export"),
                Clock.systemUTC());
      }
      PipelineSpec spec = spec(dir, export);
      long start = System.nanoTime();
      Model<Label> inService = served.tribuoModel();
      String rejection = null;
      String defences = "";
      try {
        TrainedModel m =
            Pipeline.builder().build().run(spec, policy, signers(key), dir.resolve("model"));
        VerifiedChain chain = ChainVerifier.builder(policy).build().verify(m.directory());
        inService = chain.load().tribuoModel();
        defences = defences(chain.dataset().predicate());
      } catch (PipelineException e) {
        if (e.reason() != dev.custody.core.Reason.GATE_FAILED) {
          throw e;
        }
        rejection = e.reason() + ": " + e.getMessage();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      int flipped = 0;
      for (Message t : targets) {
        if (spamScore(inService, t) < 0.5) {
          flipped++;
        }
      }
      int kept = 0;
      for (Message m : wrong) {
        if (spamScore(inService, m) >= 0.5) {
          kept++;
        }
      }
      Set<String> accounts = new LinkedHashSet<>();
      c.claims().forEach(k -> accounts.add(k.client()));
      return new CampaignOutcome(
          c.name(),
          c.claims().size(),
          accounts.size(),
          answers,
          flipped,
          rejection,
          defences,
          kept,
          accuracy(inService, clean),
          seconds);
    }

    /** The feedback defences' reports in one line: what each held out, capped or tested. */
    private static String defences(DatasetPredicate dataset) {
      Map<String, DatasetPredicate.Screen> by = new LinkedHashMap<>();
      dataset.screens().forEach(sc -> by.put(sc.screen(), sc));
      DatasetPredicate.Screen q = by.get("feedback-quarantine");
      DatasetPredicate.Screen cap = by.get("feedback-influenceCap");
      DatasetPredicate.Screen impact = by.get("feedback-impact");
      DatasetPredicate.Screen canary = by.get("feedback-canary");
      if (q == null || cap == null || impact == null || canary == null) {
        return "feedback reports missing from the dataset attestation";
      }
      return String.format(
          Locale.ROOT,
          "quarantine held %d of %d records (%.0f confident); influence cap: %.0f records on %.0f"
              + " items -> %.0f examples of total weight %.2f; impact test removed %d of %d"
              + " sources; %d contested canary rows",
          q.flagged(),
          q.rowsChecked(),
          q.statistics().getOrDefault("confident", 0.0),
          cap.statistics().getOrDefault("records", 0.0),
          cap.statistics().getOrDefault("items", 0.0),
          cap.statistics().getOrDefault("examples", 0.0),
          cap.statistics().getOrDefault("weight", 0.0),
          impact.flagged(),
          impact.rowsChecked(),
          canary.flagged());
    }

    /**
     * A new bearer token for every account of {@code claims}, their SHA-256 written to a token file
     * of mode 0600 (the file the server loads); returns the tokens by account.
     */
    private static Map<String, String> tokens(List<Claim> claims, Path file) throws IOException {
      Map<String, String> tokens = new LinkedHashMap<>();
      TokenFile tf = TokenFile.empty();
      for (Claim k : claims) {
        if (!tokens.containsKey(k.client())) {
          String token = Tokens.generate(RANDOM);
          tokens.put(k.client(), token);
          tf =
              tf.with(
                  new TokenFile.Entry(new Client(k.client(), Role.INFER), Tokens.digest(token)));
        }
      }
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(file, tf.toYaml());
      return tokens;
    }

    /**
     * POSTs one claim; returns what the server did with it ({@code accepted}, {@code quarantined},
     * {@code duplicate}) or the HTTP status of a refusal.
     */
    private String send(URI uri, String token, Claim claim)
        throws IOException, InterruptedException, PipelineException {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      ObjectNode column = body.putArray("inputs").addObject();
      column.put("name", "text").put("datatype", "BYTES");
      column.putArray("shape").add(1);
      column.putArray("data").add(claim.message().text());
      body.put("label", claim.label());
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(uri)
                  .timeout(Duration.ofSeconds(30))
                  .header("Content-Type", "application/json")
                  .header("Authorization", "Bearer " + token)
                  .POST(
                      HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (r.statusCode() == 200 || r.statusCode() == 201) {
        return dev.custody.core.Json.parse(r.body().getBytes(StandardCharsets.UTF_8), "answer")
            .path("status")
            .asText();
      }
      return "HTTP " + r.statusCode();
    }

    /** The example's spec, its data path made absolute, with the export as feedback dataset. */
    private PipelineSpec spec(Path dir, FeedbackExport.Result export)
        throws PipelineException, IOException {
      PipelineSpec.LocalFile source =
          (PipelineSpec.LocalFile) ((PipelineSpec.FileList) base.spec().data()).files().get(0);
      String text = Files.readString(specFile, StandardCharsets.UTF_8);
      String relative = "path: " + source.path();
      if (!text.contains(relative)) {
        throw new IllegalStateException("expected '" + relative + "' in " + specFile);
      }
      text =
          text.replace(
                  relative,
                  "path: " + base.spec().baseDirectory().resolve(source.path()).normalize())
              + "\nfeedback:\n  path: export/"
              + FeedbackExportPredicate.SUBJECT
              + "\n  sha256: "
              + export.fileDigest().hex()
              + "\n  attestation: export/"
              + FeedbackExportAttestation.BUNDLE_FILE
              + "\n"
              + DEFENCES;
      Path file = dir.resolve("sms-spam.yaml");
      Files.writeString(file, text, StandardCharsets.UTF_8);
      return PipelineSpec.load(file);
    }
  }

  /** The spec's defences section (under {@code feedback:}): the defaults. */
  static final String DEFENCES = "";

  private static Map<String, String> input(Message m) {
    return Map.of("text", m.text());
  }
}
