package dev.custody.train;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.YamlTree;
import dev.custody.core.chain.DatasetPredicate;
import dev.custody.core.chain.FeatureSchema;
import dev.custody.core.feedback.FeedbackRecord;
import dev.custody.train.data.CanonicalRow;
import dev.custody.train.data.Fetcher;
import dev.custody.train.data.Merkle;
import dev.custody.train.data.ParsedRow;
import dev.custody.train.data.RowReader;
import dev.custody.train.data.Split;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.feedback.FeedbackDefences;
import dev.custody.train.feedback.FeedbackFile;
import dev.custody.train.internal.Bytes;
import dev.custody.train.screen.DatasetSummary;
import dev.custody.train.screen.Screening;
import dev.custody.train.spec.FeedbackSpec;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.train.spec.PipelineSpec.FileList;
import dev.custody.train.spec.PipelineSpec.LocalFile;
import dev.custody.train.spec.PipelineSpec.LockFile;
import dev.custody.train.spec.PipelineSpec.RemoteFile;
import dev.custody.train.spec.PipelineSpec.Source;
import dev.custody.train.spec.ScreenSpec;
import dev.custody.train.spec.SpecParser;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;

/**
 * The ingest stage: reads each pinned data file once into memory, checks its SHA-256 against the
 * spec (or lock), parses and validates <em>those same bytes</em> against the schema, computes the
 * row-level Merkle root, runs the configured screens and returns the training table with a {@link
 * DatasetSummary}.
 *
 * <h3>Security guarantees</h3>
 *
 * No byte reaches the parser unless its file's digest equals the pin; a path is never opened a
 * second time after it was hashed. Remote files are verified before they enter the cache, and
 * cached files are verified again on every use. Any row that breaks the schema rejects the whole
 * dataset with {@link Reason#DATA_INVALID}, naming file, line, column, expected and found.
 *
 * <pre>{@code
 * IngestResult r = Ingest.builder().cacheDirectory(Path.of("/var/cache/custody")).build()
 *     .run(PipelineSpec.load(Path.of("examples/credit-rf.yaml")));
 * }</pre>
 */
public final class Ingest {
  /** Largest data file read by default: 1 GiB (files are held in memory). */
  public static final long DEFAULT_MAX_FILE_BYTES = 1L << 30;

  private final Fetcher fetcher;
  private final long maxFileBytes;

  private Ingest(Fetcher fetcher, long maxFileBytes) {
    this.fetcher = fetcher;
    this.maxFileBytes = maxFileBytes;
  }

  /** An ingest stage with the defaults (no download cache, https only). */
  public static Ingest create() {
    return builder().build();
  }

  /** A builder with the strict defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs ingest: verify, parse, validate, screen.
   *
   * @throws PipelineException {@code DIGEST_MISMATCH} when a file's bytes differ from the pin,
   *     {@code DATA_INVALID} for a row that breaks the schema, {@code SCREEN_FAILED} when a screen
   *     with policy fail flags too many rows, {@code SPEC_INVALID} for a bad lock file
   * @throws IOException when a file cannot be read or downloaded
   */
  public IngestResult run(PipelineSpec spec) throws PipelineException, IOException {
    return run(spec, Progress.none());
  }

  /**
   * Runs ingest as {@link #run(PipelineSpec)} does, telling {@code progress} about each step:
   * {@code read} (read, verify and parse the data files), {@code screen} (every configured screen)
   * and {@code merkle} (the row Merkle root, hashed on a second thread alongside the screens).
   *
   * @throws PipelineException as {@link #run(PipelineSpec)}
   * @throws IOException as {@link #run(PipelineSpec)}
   */
  public IngestResult run(PipelineSpec spec, Progress progress)
      throws PipelineException, IOException {
    Progress.Timer read = Progress.start(progress, "read");
    Loaded loaded = load(spec, progress);
    List<ParsedRow> rows = loaded.rows();
    requirePositiveLabel(spec, rows);
    long bytes = loaded.files().stream().mapToLong(DatasetSummary.DataFile::bytes).sum();
    read.done(
        loaded.files().size()
            + " file(s), "
            + bytes
            + " bytes, "
            + rows.size()
            + " rows, SHA-256 as pinned");
    List<CanonicalRow> canonical = canonical(rows);
    // The row Merkle root (60,000 SHA-256 calls, not intrinsified under C1) is hashed on a second
    // thread while the rows are split and screened: nothing before the summary needs it.
    PendingRoot pendingRoot = PendingRoot.start(canonical);
    // Split first, then screen the training rows only: a screen that drops rows must not make the
    // test split easier than the data the model will see.
    boolean[] inTest;
    try {
      inTest =
          Split.testRows(
              rows.stream().map(ParsedRow::label).toList(),
              spec.split().testFraction(),
              spec.split().seed(),
              spec.split().stratify());
    } catch (IllegalArgumentException e) {
      throw new PipelineException(Reason.TRAINING_FAILED, "split: " + e.getMessage(), e);
    }
    List<ParsedRow> trainRows = new ArrayList<>(rows.size());
    List<ParsedRow> testRows = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      (inTest[i] ? testRows : trainRows).add(rows.get(i));
    }
    Progress.Timer screen = Progress.start(progress, "screen");
    Screening.Result screened =
        Screening.run(spec.screens(), spec.schema(), trainRows, testRows, baseline(spec), progress);
    // Sized up front: growing an identity map rehashes every row again at each doubling.
    Set<ParsedRow> keptTrain =
        Collections.newSetFromMap(new IdentityHashMap<>(screened.kept().size()));
    keptTrain.addAll(screened.kept());
    List<ParsedRow> kept = new ArrayList<>(rows.size());
    boolean[] keptInTest = new boolean[testRows.size() + keptTrain.size()];
    for (int i = 0; i < rows.size(); i++) {
      if (inTest[i] || keptTrain.contains(rows.get(i))) {
        keptInTest[kept.size()] = inTest[i];
        kept.add(rows.get(i));
      }
    }
    screen.done(screenDetail(screened.reports(), trainRows.size(), testRows.size()));
    Progress.Timer merkle = Progress.start(progress, "merkle");
    Sha256 rowsRoot = pendingRoot.await();
    merkle.done("root " + rowsRoot + " (hashed alongside the screens)");
    TrainingTable table = table(spec.schema(), kept);
    List<CanonicalRow> keptCanonical = kept.size() == rows.size() ? canonical : canonical(kept);
    List<DatasetSummary.DataFile> files = new ArrayList<>(loaded.files());
    List<DatasetPredicate.Screen> reports = new ArrayList<>(screened.reports());
    FeedbackDefences.Outcome feedback = null;
    if (spec.feedback().isPresent()) {
      Progress.Timer fb = Progress.start(progress, "feedback");
      FeedbackSpec fs = spec.feedback().get();
      byte[] feedbackBytes = verifiedBytes(fs.data(), spec.baseDirectory());
      List<FeedbackRecord> records = FeedbackFile.records(feedbackBytes, fs.data().display());
      files.add(
          new DatasetSummary.DataFile(
              fs.data().display(), fs.data().sha256(), feedbackBytes.length, records.size()));
      feedback =
          new FeedbackDefences(spec)
              .apply(records, fs.data().display(), base(spec, kept, keptInTest, table));
      reports.addAll(feedback.reports());
      table = table(spec.schema(), kept, feedback.examples());
      fb.done(
          records.size()
              + " record(s): "
              + feedback.examples().size()
              + " example(s), "
              + feedback.canary().size()
              + " contested canary row(s)");
    }
    List<ParsedRow> trained = new ArrayList<>(kept);
    List<CanonicalRow> trainedCanonical = new ArrayList<>(keptCanonical);
    if (feedback != null) {
      trained.addAll(feedback.examples());
      trainedCanonical.addAll(canonical(feedback.examples()));
    }
    DatasetSummary summary =
        new DatasetSummary(
            spec.name(),
            spec.version(),
            spec.digest(),
            spec.format().word(),
            loaded.lock(),
            files,
            rows.size(),
            labelCounts(spec.schema(), rows),
            rowsRoot,
            trained.size(),
            labelCounts(spec.schema(), trained),
            feedback == null && kept.size() == rows.size()
                ? rowsRoot
                : Merkle.root(trainedCanonical),
            spec.schema(),
            spec.schema().canonicalColumns(),
            reports);
    Split split = Split.of(table, keptInTest);
    if (feedback != null) {
      return new IngestResult(
          table,
          split,
          summary,
          canonical,
          keptCanonical,
          feedback.examples().stream().map(ParsedRow::row).toList(),
          feedback.canary());
    }
    return new IngestResult(table, split, summary, canonical, keptCanonical);
  }

  /**
   * What the feedback defences judge against: the base training split (the split training uses),
   * the test split, and the golden and canary sets.
   */
  private FeedbackDefences.Base base(
      PipelineSpec spec, List<ParsedRow> kept, boolean[] keptInTest, TrainingTable table)
      throws PipelineException, IOException {
    Split split = Split.of(table, keptInTest);
    IdentityHashMap<TrainingTable.Row, ParsedRow> parsed = new IdentityHashMap<>(kept.size());
    kept.forEach(p -> parsed.put(p.row(), p));
    List<ParsedRow> train = new ArrayList<>(split.train().rows().size());
    split.train().rows().forEach(r -> train.add(parsed.get(r)));
    PipelineSpec.Gates gates = spec.gates();
    TrainingTable golden = gates.golden() == null ? null : table(spec, gates.golden().data());
    TrainingTable canary = gates.canary() == null ? null : table(spec, gates.canary().data());
    return new FeedbackDefences.Base(train, split.test(), golden, canary, table.featureNames());
  }

  /**
   * Refuses, before any screen or training, data in which the spec's positive label (the last
   * allowed label: the one ROC AUC ranks by) never occurs: the model could not know it, and the
   * failure would otherwise come after training as a message about the model.
   */
  private static void requirePositiveLabel(PipelineSpec spec, List<ParsedRow> rows)
      throws PipelineException {
    List<String> allowed = spec.schema().label().allowed();
    String positive = allowed.get(allowed.size() - 1);
    if (rows.stream().noneMatch(r -> r.label().equals(positive))) {
      throw new PipelineException(
          Reason.SPEC_INVALID,
          spec.sourceName()
              + ": schema.label.allowed: expected the positive label \""
              + positive
              + "\" (the last allowed label, which ROC AUC scores) in the data, found it in none of"
              + " its "
              + rows.size()
              + " rows (labels found: "
              + labelCounts(spec.schema(), rows)
              + "); put a label that occurs last, or fix the data");
    }
  }

  /**
   * {@code duplicates 12 flagged (drop), 3 in the test split (kept); trained on 988 of 1000
   * training rows, 250 test rows not screened}.
   */
  private static String screenDetail(List<DatasetPredicate.Screen> reports, int train, int test) {
    int kept = train;
    List<String> parts = new ArrayList<>();
    for (DatasetPredicate.Screen r : reports) {
      parts.add(
          r.screen()
              + " "
              + r.flagged()
              + " flagged ("
              + r.policy()
              + "), "
              + r.testFlagged()
              + " in the test split (kept)");
      kept -= (int) r.dropped();
    }
    String rows =
        kept + " of " + train + " training rows kept, " + test + " test rows not screened";
    return reports.isEmpty()
        ? "no screens configured; " + rows
        : String.join(", ", parts) + "; " + rows;
  }

  /**
   * The verified rows of the labelChanges screen's baseline: the previous spec, whose data files
   * are checked against their own pinned digests. Empty when the screen is not configured.
   */
  private List<CanonicalRow> baseline(PipelineSpec spec) throws PipelineException, IOException {
    var screen = spec.screen(ScreenSpec.LabelChanges.class);
    if (screen.isEmpty()) {
      return List.of();
    }
    java.nio.file.Path path = spec.baseDirectory().resolve(screen.get().baseline());
    PipelineSpec previous = PipelineSpec.load(path);
    if (!previous.schema().canonicalColumns().equals(spec.schema().canonicalColumns())) {
      throw new PipelineException(
          Reason.SPEC_INVALID,
          "screens.labelChanges: baseline "
              + path
              + " has columns "
              + previous.schema().canonicalColumns()
              + ", expected "
              + spec.schema().canonicalColumns());
    }
    return rows(previous);
  }

  /**
   * The verified and validated canonical rows of a spec's data, without screening: what {@link
   * dev.custody.train.data.DataDiff#between} compares.
   *
   * @throws PipelineException as {@link #run}, except that no screen runs
   * @throws IOException when a file cannot be read or downloaded
   */
  public List<CanonicalRow> rows(PipelineSpec spec) throws PipelineException, IOException {
    return canonical(load(spec, Progress.none()).rows());
  }

  /**
   * Reads one more pinned file (a golden or canary set) in the spec's format and schema, verified
   * like the data files and not screened.
   *
   * @throws PipelineException {@code DIGEST_MISMATCH} or {@code DATA_INVALID}
   * @throws IOException when the file cannot be read or downloaded
   */
  public TrainingTable table(PipelineSpec spec, Source source)
      throws PipelineException, IOException {
    byte[] bytes = verifiedBytes(source, spec.baseDirectory());
    List<ParsedRow> rows =
        new RowReader(spec.schema(), spec.format()).read(bytes, source.display());
    RowReader.checkUniqueIds(rows, spec.schema().id());
    return table(spec.schema(), rows);
  }

  private record Loaded(
      DatasetSummary.DataFile lock, List<DatasetSummary.DataFile> files, List<ParsedRow> rows) {}

  /** Reads every data file; {@code progress} hears the rows read so far in step {@code read}. */
  private Loaded load(PipelineSpec spec, Progress progress) throws PipelineException, IOException {
    List<Source> sources;
    Path base = spec.baseDirectory();
    DatasetSummary.DataFile lock = null;
    if (spec.data() instanceof FileList list) {
      sources = list.files();
    } else {
      LockFile lf = (LockFile) spec.data();
      Path lockPath = resolve(base, lf.path());
      byte[] lockBytes = Bytes.readLimited(lockPath, YamlTree.MAX_BYTES, Reason.SPEC_INVALID);
      Sha256 found = Bytes.sha256(lockBytes);
      if (lf.sha256() != null && !found.matches(lf.sha256())) {
        throw mismatch(lf.path(), lf.sha256(), found);
      }
      sources = new SpecParser(lf.path()).parseLock(lockBytes);
      lock = new DatasetSummary.DataFile(lf.path(), found, lockBytes.length, 0);
      Path parent = lockPath.getParent();
      base = parent == null ? base : parent;
    }
    RowReader reader = new RowReader(spec.schema(), spec.format());
    List<DatasetSummary.DataFile> files = new ArrayList<>();
    List<ParsedRow> rows = new ArrayList<>();
    for (Source s : sources) {
      byte[] bytes;
      PendingDigest pending = null;
      if (s instanceof LocalFile local) {
        // Hashed on a second thread while this one parses: no row leaves this loop before the
        // digest matched the pin, and a file that does not match is refused as DIGEST_MISMATCH
        // even when it also does not parse.
        bytes = Bytes.readLimited(resolve(base, local.path()), maxFileBytes, Reason.DATA_INVALID);
        pending = PendingDigest.start(local, bytes);
      } else {
        bytes = verifiedBytes(s, base);
      }
      long before = rows.size();
      List<ParsedRow> fileRows;
      try {
        fileRows =
            reader.read(bytes, s.display(), n -> progress.advanced("read", "rows", before + n, -1));
      } catch (PipelineException | RuntimeException e) {
        if (pending != null) {
          pending.requirePinned();
        }
        throw e;
      }
      if (pending != null) {
        pending.requirePinned();
      }
      files.add(
          new DatasetSummary.DataFile(s.display(), s.sha256(), bytes.length, fileRows.size()));
      rows.addAll(fileRows);
    }
    if (rows.isEmpty()) {
      throw new PipelineException(
          Reason.DATA_INVALID,
          sources.get(0).display() + " line 2: expected at least one data row, found none");
    }
    progress.advanced("read", "rows", rows.size(), rows.size());
    RowReader.checkUniqueIds(rows, spec.schema().id());
    return new Loaded(lock, files, rows);
  }

  /**
   * Reads a source once into memory and checks its digest; the returned bytes are what was hashed.
   */
  private byte[] verifiedBytes(Source s, Path base) throws PipelineException, IOException {
    if (s instanceof RemoteFile remote) {
      return fetcher.fetch(remote);
    }
    LocalFile local = (LocalFile) s;
    byte[] bytes =
        Bytes.readLimited(resolve(base, local.path()), maxFileBytes, Reason.DATA_INVALID);
    Sha256 found = Bytes.sha256(bytes);
    if (!found.matches(local.sha256())) {
      throw mismatch(local.path(), local.sha256(), found);
    }
    return bytes;
  }

  /** The row Merkle root, computed on a thread of its own. */
  private static final class PendingRoot {
    private final FutureTask<Sha256> task;

    private PendingRoot(FutureTask<Sha256> task) {
      this.task = task;
    }

    static PendingRoot start(List<CanonicalRow> rows) {
      FutureTask<Sha256> task = new FutureTask<>(() -> Merkle.root(rows));
      Thread t = new Thread(task, "custody-merkle");
      t.setDaemon(true);
      t.start();
      return new PendingRoot(task);
    }

    /** Waits for the root; what hashing threw, as it threw it. */
    Sha256 await() throws IOException, PipelineException {
      return Background.await(task, "hashing the rows");
    }
  }

  /** The SHA-256 of a local file's bytes, computed on a thread of its own. */
  private static final class PendingDigest {
    private final LocalFile file;
    private final FutureTask<Sha256> task;

    private PendingDigest(LocalFile file, FutureTask<Sha256> task) {
      this.file = file;
      this.task = task;
    }

    static PendingDigest start(LocalFile file, byte[] bytes) {
      FutureTask<Sha256> task = new FutureTask<>(() -> Bytes.sha256(bytes));
      Thread t = new Thread(task, "custody-data-sha256");
      t.setDaemon(true);
      t.start();
      return new PendingDigest(file, task);
    }

    /** Waits for the digest; {@code DIGEST_MISMATCH} unless it is the pinned one. */
    void requirePinned() throws PipelineException, IOException {
      Sha256 found = Background.await(task, "hashing " + file.path());
      if (!found.matches(file.sha256())) {
        throw mismatch(file.path(), file.sha256(), found);
      }
    }
  }

  private static PipelineException mismatch(String what, Sha256 expected, Sha256 found) {
    return new PipelineException(
        Reason.DIGEST_MISMATCH,
        "digest mismatch: " + what + " expected " + expected + ", found " + found);
  }

  private static Path resolve(Path base, String path) {
    Path p = Path.of(path);
    return (p.isAbsolute() ? p : base.resolve(p)).normalize();
  }

  private static List<CanonicalRow> canonical(List<ParsedRow> rows) {
    List<CanonicalRow> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(r.canonical()));
    return out;
  }

  private static Map<String, Long> labelCounts(FeatureSchema schema, List<ParsedRow> rows) {
    Map<String, Long> counts = new LinkedHashMap<>();
    schema.label().allowed().forEach(l -> counts.put(l, 0L));
    rows.forEach(r -> counts.merge(r.label(), 1L, Long::sum));
    return counts;
  }

  private static TrainingTable table(FeatureSchema schema, List<ParsedRow> rows) {
    return table(schema, rows, List.of());
  }

  /** The table of {@code rows}, whose feature names also cover {@code more}'s. */
  private static TrainingTable table(
      FeatureSchema schema, List<ParsedRow> rows, List<ParsedRow> more) {
    List<String> names = new ArrayList<>(schema.fixedFeatureNames());
    Set<String> fixed = new HashSet<>(names);
    TreeSet<String> tokens = new TreeSet<>();
    if (!schema.text().isEmpty()) {
      for (List<ParsedRow> list : List.of(rows, more)) {
        for (ParsedRow r : list) {
          for (String n : r.row().names()) {
            if (!fixed.contains(n)) {
              tokens.add(n);
            }
          }
        }
      }
    }
    names.addAll(tokens);
    List<TrainingTable.Row> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(r.row()));
    return new TrainingTable(names, schema.label().allowed(), out);
  }

  /** Configures an {@link Ingest}; every relaxation of the defaults is a named method. */
  public static final class Builder {
    private Path cacheDirectory;
    private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;
    private boolean allowPlainHttp;
    private HttpClient httpClient;
    private Duration downloadTimeout = Duration.ofMinutes(10);

    private Builder() {}

    /**
     * Where verified downloads are cached, as {@code <dir>/sha256/<hex>}. By default there is no
     * cache: remote files are downloaded on every use and never written to disk. A relative
     * directory resolves against the working directory when a file is cached.
     */
    @CanIgnoreReturnValue
    public Builder cacheDirectory(Path dir) {
      this.cacheDirectory = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** The largest data file accepted, local or downloaded (default 1 GiB). */
    @CanIgnoreReturnValue
    public Builder maxFileBytes(long bytes) {
      if (bytes <= 0 || bytes > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("maxFileBytes must be in (0, 2^31 - 9], got " + bytes);
      }
      this.maxFileBytes = bytes;
      return this;
    }

    /**
     * Allows {@code http://} data URLs. The pinned digest still protects the content; what plain
     * HTTP gives away is which data is fetched.
     */
    @CanIgnoreReturnValue
    public Builder allowPlainHttp() {
      this.allowPlainHttp = true;
      return this;
    }

    /** The HTTP client for downloads (default: follows redirects except https → http). */
    @CanIgnoreReturnValue
    public Builder httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /** How long one download may take (default 10 minutes). */
    @CanIgnoreReturnValue
    public Builder downloadTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("downloadTimeout must be positive, got " + timeout);
      }
      this.downloadTimeout = timeout;
      return this;
    }

    /** The configured ingest stage. */
    public Ingest build() {
      HttpClient given = httpClient;
      Supplier<HttpClient> client =
          given != null
              ? () -> given
              : new Supplier<>() {
                private HttpClient made;

                @Override
                public synchronized HttpClient get() {
                  if (made == null) {
                    made =
                        HttpClient.newBuilder()
                            .followRedirects(HttpClient.Redirect.NORMAL)
                            .connectTimeout(Duration.ofSeconds(30))
                            .build();
                  }
                  return made;
                }
              };
      return new Ingest(
          new Fetcher(cacheDirectory, client, allowPlainHttp, maxFileBytes, downloadTimeout),
          maxFileBytes);
    }
  }
}
