package dev.custody.train;

import com.google.errorprone.annotations.CanIgnoreReturnValue;
import dev.custody.core.AtomicFiles;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.VerificationException;
import dev.custody.core.VerifiedStatement;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.ChainLimits;
import dev.custody.core.chain.DatasetPredicate;
import dev.custody.core.chain.FeedbackExportAttestation;
import dev.custody.core.chain.GatePredicate;
import dev.custody.core.chain.ModelCard;
import dev.custody.core.chain.Provenance;
import dev.custody.core.chain.Stage;
import dev.custody.train.data.CanonicalRow;
import dev.custody.train.data.Merkle;
import dev.custody.train.data.Split;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.evaluate.CrossValidator;
import dev.custody.train.evaluate.Evaluation;
import dev.custody.train.evaluate.Evaluator;
import dev.custody.train.evaluate.GateEvaluator;
import dev.custody.train.evaluate.GateResult;
import dev.custody.train.evaluate.Metrics;
import dev.custody.train.export.ModelDirectory;
import dev.custody.train.export.ModelExporter;
import dev.custody.train.export.TrainingClasspath;
import dev.custody.train.fit.ModelContent;
import dev.custody.train.fit.Trainers;
import dev.custody.train.internal.Bytes;
import dev.custody.train.screen.DatasetSummary;
import dev.custody.train.spec.FeedbackSpec;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.train.spec.TrainerSpec;
import dev.custody.verify.ModelContentDigest;
import dev.custody.verify.TrustPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.FutureTask;
import org.tribuo.Model;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;

/**
 * The training half of the chain of custody: ingest, train, evaluate, gate, export and reproduce,
 * each step checking the signed evidence of the one before it and signing evidence for the next.
 * What is written is exactly the layout of {@code docs/chain-format.md}.
 *
 * <pre>{@code
 * Pipeline pipeline = Pipeline.builder().progress(myProgress).build();
 * PipelineSpec spec = PipelineSpec.load(Path.of("examples/credit-rf.yaml"));
 * StageSigners signers = StageSigners.of(BundleSigner.create(SigningKey.load(key, null)));
 * DatasetAttestation d = pipeline.ingest(spec, signers, Path.of("credit-rf-dataset.sigstore.json"));
 * TrainedModel m = pipeline.train(spec, d.file(), TrustPolicy.load(policyFile), signers, Path.of("credit-rf-v1"));
 * Reproduction r = pipeline.reproduce(m.directory(), spec.baseDirectory(), policy, signers);
 * }</pre>
 *
 * <h3>Security guarantees</h3>
 *
 * <ul>
 *   <li>Training refuses unless the dataset attestation verifies under the trust policy's INGEST
 *       signers, for the dataset digest D that the data files give <em>now</em> (they are read
 *       again, checked against the spec's pins and re-screened), and for this spec's digest.
 *   <li>A failed gate exports nothing. A model directory is written into a staging directory and
 *       renamed into place once complete; an existing directory is never replaced.
 *   <li>A baseline model (the max-change gate) is verified under the TRAIN signers and loaded only
 *       by pipeline-verify's safe loader, from the bytes that were verified.
 *   <li>Reproduction verifies the model's signature, card, provenance and dataset attestation under
 *       the policy before it uses the spec recorded in the provenance, and signs a verification
 *       summary only when the re-run's model content digest equals the signed one.
 * </ul>
 */
public final class Pipeline {
  private final Ingest ingest;
  private final Clock clock;
  private final Progress progress;
  private final String builderVersion;

  private Pipeline(Builder b, Ingest ingest) {
    this.ingest = ingest;
    this.clock = b.clock;
    this.progress = b.progress;
    this.builderVersion = b.builderVersion;
  }

  /** A pipeline with the defaults: {@link Ingest#create()}, the system clock, no progress. */
  public static Pipeline create() {
    return builder().build();
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Ingests the spec's data (verify, parse, screen) and writes a signed dataset attestation to
   * {@code out}, atomically.
   *
   * @param signers signs with its INGEST signer
   * @throws PipelineException as {@link Ingest#run(PipelineSpec)}
   * @throws IOException if a file cannot be read or written
   */
  public DatasetAttestation ingest(PipelineSpec spec, StageSigners signers, Path out)
      throws PipelineException, IOException {
    IngestResult r = ingest.run(spec, progress);
    byte[] bundle = signDataset(r, signers);
    AtomicFiles.write(out, bundle);
    return new DatasetAttestation(out, Sha256.of(bundle), r.summary().keptRoot(), r.summary());
  }

  /**
   * Trains from a signed dataset attestation and exports a signed model directory.
   *
   * <p>The data is ingested again from the spec (its files checked against their pins) and the
   * attestation must verify under {@code policy}'s INGEST signers for the dataset digest D that
   * gives, and name this spec's digest. Then: a fresh trainer on the seeded split, evaluation on
   * the held-out rows, the spec's gates, and the export of {@code modelDir}.
   *
   * @param policy INGEST signers for the dataset attestation; TRAIN signers for a baseline model
   * @param signers TRAIN signs the model and its provenance, EVALUATE the gate attestation
   * @param modelDir the model directory to create; it must not exist
   * @throws VerificationException when the attestation does not verify: {@code SIGNATURE_INVALID},
   *     {@code UNTRUSTED_SIGNER}, or {@code DIGEST_MISMATCH} when it is about other data or another
   *     spec
   * @throws PipelineException {@code GATE_FAILED} naming each failed gate (nothing is exported),
   *     {@code TRAINING_FAILED}, {@code SPEC_INVALID}, or as {@link Ingest#run(PipelineSpec)}
   * @throws java.nio.file.FileAlreadyExistsException if {@code modelDir} exists
   * @throws IOException if a file cannot be read or written
   */
  public TrainedModel train(
      PipelineSpec spec,
      Path datasetAttestation,
      TrustPolicy policy,
      StageSigners signers,
      Path modelDir)
      throws PipelineException, IOException {
    Instant started = clock.instant();
    ModelDirectory.requireAbsent(modelDir.toAbsolutePath().normalize());
    byte[] attestation =
        Bytes.readLimited(
            datasetAttestation, ChainLimits.defaults().maxAttestationBytes(), Reason.MALFORMED);
    ClasspathHashing classpath = ClasspathHashing.start();
    IngestResult r = ingest.run(spec, progress);
    verifyDataset(spec, r, attestation, policy);
    verifyFeedbackExport(spec, policy);
    return trainAndExport(spec, r, attestation, policy, signers, modelDir, started, classpath);
  }

  /**
   * Ingest, sign, verify and train in one go: {@link #ingest} without writing the attestation
   * anywhere but into the model directory, then {@link #train} on the rows just read (the
   * attestation is still verified under {@code policy} before training).
   *
   * @throws PipelineException as {@link #ingest} and {@link #train}
   * @throws IOException if a file cannot be read or written
   */
  public TrainedModel run(
      PipelineSpec spec, TrustPolicy policy, StageSigners signers, Path modelDir)
      throws PipelineException, IOException {
    Instant started = clock.instant();
    ModelDirectory.requireAbsent(modelDir.toAbsolutePath().normalize());
    ClasspathHashing classpath = ClasspathHashing.start();
    IngestResult r = ingest.run(spec, progress);
    byte[] attestation = signDataset(r, signers);
    verifyDataset(spec, r, attestation, policy);
    verifyFeedbackExport(spec, policy);
    return trainAndExport(spec, r, attestation, policy, signers, modelDir, started, classpath);
  }

  /**
   * Re-runs a model's signed pipeline and, when it gives the same model, writes a signed SLSA
   * verification summary to {@code modelDir/attestations/reproduction.sigstore.json}.
   *
   * <p>First the chain is verified under {@code policy}: the model signature (TRAIN), the card and
   * model file read once each against it, the provenance (TRAIN, subject R, its content digest
   * equal to the card's), and the dataset attestation (its bytes equal to the provenance's digest,
   * INGEST, subject D). The spec is then taken from the verified provenance, never from disk: its
   * relative data paths resolve against {@code specDirectory} (where the spec file was), and the
   * data is checked against the spec's pins as in any ingest. Ingest, split and training run again
   * with a fresh trainer, and the model content digests are compared.
   *
   * @param specDirectory the directory the spec's relative data paths resolve against
   * @param signers signs the summary with its REPRODUCE signer
   * @throws VerificationException when the model, card, provenance or dataset attestation does not
   *     verify under {@code policy}
   * @throws PipelineException {@link Reason#REPRODUCTION_MISMATCH} naming what differs: the spec,
   *     the data, the dependencies or the model itself
   * @throws IOException if a file cannot be read or written (a data file that is not where the spec
   *     says, relative to {@code specDirectory}, is a {@link java.nio.file.NoSuchFileException})
   */
  public Reproduction reproduce(
      Path modelDir, Path specDirectory, TrustPolicy policy, StageSigners signers)
      throws PipelineException, IOException {
    return new Reproducer(ingest, clock, progress, this::trainModel)
        .reproduce(modelDir, specDirectory, policy, signers);
  }

  private byte[] signDataset(IngestResult r, StageSigners signers) {
    Progress.Timer t = Progress.start(progress, "sign");
    byte[] bundle =
        signers.forStage(Stage.INGEST).signStatement(r.summary().predicate().statement());
    t.done("dataset attestation, subject D " + r.summary().keptRoot());
    return bundle;
  }

  /** The attestation verifies under INGEST for the D of the data just read, and names this spec. */
  private void verifyDataset(
      PipelineSpec spec, IngestResult r, byte[] attestation, TrustPolicy policy)
      throws PipelineException {
    Progress.Timer t = Progress.start(progress, "verify");
    Sha256 d = r.summary().keptRoot();
    DatasetPredicate signed;
    try {
      signed =
          DatasetPredicate.read(policy.verifyStatement(Stage.INGEST, attestation, d).statement());
    } catch (VerificationException e) {
      if (e.reason() == Reason.DIGEST_MISMATCH) {
        throw new VerificationException(
            Reason.DIGEST_MISMATCH,
            "the data no longer matches the dataset attestation (rows were added, removed, changed"
                + " or screened differently): "
                + e.getMessage(),
            e);
      }
      throw e;
    }
    if (!signed.specDigest().matches(spec.digest())) {
      throw new VerificationException(
          Reason.DIGEST_MISMATCH,
          "the dataset attestation was made with spec "
              + signed.specDigest()
              + ", training uses "
              + spec.sourceName()
              + " "
              + spec.digest());
    }
    List<DatasetSummary.DataFile> files = r.summary().files();
    List<DatasetPredicate.DataFile> signedFiles = signed.files();
    if (signedFiles.size() != files.size()) {
      throw new VerificationException(
          Reason.DIGEST_MISMATCH,
          "the dataset attestation names "
              + signedFiles.size()
              + " data file(s), the spec "
              + files.size());
    }
    for (int i = 0; i < files.size(); i++) {
      Sha256 signedFile = signedFiles.get(i).sha256();
      if (!signedFile.matches(files.get(i).sha256())) {
        throw new VerificationException(
            Reason.DIGEST_MISMATCH,
            "data file "
                + files.get(i).source()
                + ": the dataset attestation names "
                + signedFile
                + ", the file is "
                + files.get(i).sha256());
      }
    }
    t.done("dataset attestation verified, D " + d);
  }

  /**
   * When the spec names the feedback dataset's export attestation: it must verify under the
   * policy's INGEST signers (feedback re-enters the chain as ingested data) for the pinned file
   * digest, and the file's records must match its attested chains and counts.
   */
  private void verifyFeedbackExport(PipelineSpec spec, TrustPolicy policy)
      throws PipelineException, IOException {
    FeedbackSpec fs = spec.feedback().orElse(null);
    if (fs == null || fs.attestationPath().isEmpty()) {
      return;
    }
    if (!(fs.data() instanceof PipelineSpec.LocalFile local)) {
      throw new PipelineException(
          Reason.SPEC_INVALID,
          "feedback: an export attestation is checked against a local file, found "
              + fs.data().display());
    }
    Progress.Timer t = Progress.start(progress, "feedback-attestation");
    Path base = spec.baseDirectory();
    byte[] bundle =
        Bytes.readLimited(
            base.resolve(fs.attestation()).normalize(),
            FeedbackExportAttestation.MAX_BUNDLE_BYTES,
            Reason.MALFORMED);
    VerifiedStatement verified = policy.verifyStatement(Stage.INGEST, bundle, local.sha256());
    FeedbackExportAttestation a =
        FeedbackExportAttestation.read(verified, base.resolve(local.path()).normalize());
    if (!a.fileDigest().matches(local.sha256())) {
      throw new VerificationException(
          Reason.DIGEST_MISMATCH,
          "feedback: the export attestation names "
              + a.fileDigest()
              + ", the spec pins "
              + local.sha256());
    }
    t.done(a.records().size() + " record(s) attested by " + a.signer());
  }

  /** A trained model, its split and the bytes it exports as. */
  @SuppressWarnings("ArrayRecordComponent") // internal holder: never compared, hashed or printed
  record Trained(
      Model<Label> model, Split split, TrainerSpec trainer, byte[] bytes, String positiveLabel) {}

  /**
   * The held-out test rows of ingested data, as ingest split them before screening: what a report
   * re-predicts with a verified model when the gate attestation records no per-row scores.
   */
  public static TrainingTable testSplit(IngestResult r) {
    return r.split().test();
  }

  /** A fresh trainer on the split ingest made (before screening) of the rows it read. */
  Trained trainModel(PipelineSpec spec, IngestResult r) throws PipelineException {
    TrainingTable table = r.table();
    TrainerSpec trainer = spec.trainer();
    Split split = r.split();
    if (!r.feedbackRows().isEmpty()) {
      // Feedback examples are training rows only: appended after the split of the data rows.
      List<TrainingTable.Row> train = new ArrayList<>(split.train().rows());
      train.addAll(r.feedbackRows());
      split =
          new Split(new TrainingTable(table.featureNames(), table.labels(), train), split.test());
    }
    Progress.Timer t = Progress.start(progress, "train");
    Model<Label> model = Trainers.train(trainer, split.train(), progress);
    byte[] bytes = ModelContent.protobufBytes(model);
    t.done(
        spec.trainer().type()
            + " on "
            + split.train().rows().size()
            + " rows, "
            + table.featureNames().size()
            + " features, seed "
            + trainer.seed());
    List<String> allowed = spec.schema().label().allowed();
    return new Trained(model, split, trainer, bytes, allowed.get(allowed.size() - 1));
  }

  private TrainedModel trainAndExport(
      PipelineSpec spec,
      IngestResult r,
      byte[] attestation,
      TrustPolicy policy,
      StageSigners signers,
      Path modelDir,
      Instant started,
      ClasspathHashing hashing)
      throws PipelineException, IOException {
    Progress.Timer cp = Progress.start(progress, "classpath");
    TrainingClasspath classpath = hashing.result();
    cp.done(
        classpath.jars().size()
            + " jars, "
            + classpath.directories().size()
            + " directories hashed (alongside ingest)");
    Trained t = trainModel(spec, r);
    Progress.Timer ev = Progress.start(progress, "evaluate");
    Evaluation evaluation = Evaluator.evaluation(t.model(), t.split().test(), t.positiveLabel());
    Metrics metrics = evaluation.metrics();
    ev.done(
        String.format(
            Locale.ROOT,
            "%d test rows: accuracy %.4f, ROC AUC %.4f",
            metrics.rows(),
            metrics.accuracy(),
            metrics.rocAuc()));
    GatePredicate.CrossValidation cv = crossValidate(spec, t);
    Progress.Timer g = Progress.start(progress, "gates");
    List<GateResult> gates =
        new ArrayList<>(
            new GateEvaluator(spec, src -> ingest.table(spec, src), policy, t.positiveLabel())
                .evaluate(t.model(), t.split().test(), metrics, testRoot(r, t.split())));
    if (cv != null) {
      gates.addAll(cvGates(spec.crossValidation().orElseThrow(), cv, r.summary().keptRoot()));
    }
    if (!r.contestedCanary().isEmpty()) {
      FeedbackSpec fs = spec.feedback().orElseThrow();
      gates = new ArrayList<>(gates);
      gates.add(
          GateEvaluator.contestedCanary(
              t.model(),
              r.contestedCanary(),
              GateEvaluator.fileName(fs.data().display()),
              fs.data().sha256()));
    }
    GateEvaluator.requirePassed(gates);
    g.done(gates.isEmpty() ? "no gates configured" : gates.size() + " passed");

    Progress.Timer ex = Progress.start(progress, "export");
    Sha256 content = ModelContentDigest.of(t.bytes());
    List<String> features = new ArrayList<>();
    for (VariableInfo v : t.model().getFeatureIDMap()) {
      features.add(v.getName());
    }
    List<String> labels = new ArrayList<>();
    t.model().getOutputIDInfo().getDomain().forEach(l -> labels.add(l.getLabel()));
    ModelCard card =
        new ModelCard(
            spec.name(),
            spec.version(),
            spec.trainer().type(),
            labels,
            features,
            r.summary().featureSchema(),
            t.positiveLabel(),
            new ModelCard.FileRef(ChainLayout.MODEL_FILE, Sha256.of(t.bytes())),
            content,
            r.summary().keptRoot(),
            new ModelCard.FileRef(spec.sourceName(), spec.digest()),
            Json.parse(metrics.toJson().getBytes(StandardCharsets.UTF_8), "metrics"));
    byte[] specBytes = specBytes(spec);
    List<Provenance.DataEntry> data = new ArrayList<>();
    for (DatasetSummary.DataFile f : r.summary().files()) {
      data.add(
          new Provenance.DataEntry(GateEvaluator.fileName(f.source()), f.source(), f.sha256()));
    }
    ModelExporter.Exported exported =
        ModelExporter.create(
                signers.forStage(Stage.TRAIN),
                () -> signers.forStage(Stage.EVALUATE),
                clock,
                builderVersion)
            .export(
                modelDir,
                card,
                t.bytes(),
                attestation,
                new ModelExporter.Build(
                    new Provenance.Spec(
                        spec.sourceName(),
                        spec.digest(),
                        new String(specBytes, StandardCharsets.UTF_8)),
                    spec.split().seed(),
                    data,
                    classpath,
                    started,
                    metrics.toJson()),
                gates.stream().map(GateResult::toGate).toList(),
                cv);
    Sha256 root = exported.rootDigest();
    Path target = exported.directory();
    ex.done(target + ": model " + root + ", content " + content);
    return new TrainedModel(
        target,
        card,
        root,
        metrics,
        gates,
        t.split().train().rows().size(),
        classpath.jars().size() + classpath.directories().size(),
        evaluation.predictions());
  }

  /**
   * The spec's k-fold cross-validation on the training split (with the feedback rows: what the
   * model learns from), or null when it asks for none.
   */
  private GatePredicate.CrossValidation crossValidate(PipelineSpec spec, Trained t)
      throws PipelineException {
    PipelineSpec.CrossValidation cv = spec.crossValidation().orElse(null);
    if (cv == null) {
      return null;
    }
    Progress.Timer timer = Progress.start(progress, "cv");
    GatePredicate.CrossValidation result;
    try {
      result =
          CrossValidator.run(
              t.trainer(), t.split().train(), cv.folds(), cv.seed(), t.positiveLabel());
    } catch (IllegalArgumentException e) {
      throw new PipelineException(Reason.TRAINING_FAILED, e.getMessage(), e);
    }
    List<String> parts = new ArrayList<>();
    result
        .metrics()
        .forEach(
            (name, m) ->
                parts.add(String.format(Locale.ROOT, "%s %.4f ± %.4f", name, m.mean(), m.std())));
    timer.done(
        cv.folds() + " folds of " + result.rows() + " training rows: " + String.join(", ", parts));
    return result;
  }

  /** The {@code cv-METRIC} gates: the mean over the folds against the spec's minimum. */
  private static List<GateResult> cvGates(
      PipelineSpec.CrossValidation spec, GatePredicate.CrossValidation cv, Sha256 dataset) {
    List<GateResult> out = new ArrayList<>();
    spec.minimum()
        .forEach(
            (metric, min) -> {
              GatePredicate.FoldMetric m = cv.metrics().get(metric);
              double observed = m == null ? Double.NaN : m.mean();
              out.add(
                  new GateResult(
                      "cv-" + metric,
                      metric,
                      GatePredicate.GE,
                      min,
                      observed,
                      observed >= min,
                      cv.rows(),
                      "cross-validation",
                      dataset,
                      null,
                      null,
                      cv.folds() + " folds of the training split, mean"));
            });
    return out;
  }

  /** The Merkle root of the canonical rows of the test split, in table order. */
  private static Sha256 testRoot(IngestResult r, Split split) {
    IdentityHashMap<TrainingTable.Row, CanonicalRow> canonical = new IdentityHashMap<>();
    List<TrainingTable.Row> rows = r.table().rows();
    for (int i = 0; i < rows.size(); i++) {
      canonical.put(rows.get(i), r.keptRows().get(i));
    }
    List<CanonicalRow> test = new ArrayList<>(split.test().rows().size());
    for (TrainingTable.Row row : split.test().rows()) {
      test.add(Objects.requireNonNull(canonical.get(row), "a test row that is not a table row"));
    }
    return Merkle.root(test);
  }

  private static byte[] specBytes(PipelineSpec spec) {
    try (InputStream in = spec.open()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The running JVM's classpath, hashed on a thread of its own while ingest reads, parses and
   * screens the data on this one: the 2 cores of a small machine then do both at once. Every jar is
   * read and hashed again by each run (nothing is cached between runs); only when it is done moves.
   */
  private static final class ClasspathHashing {
    private final FutureTask<TrainingClasspath> task =
        new FutureTask<>(TrainingClasspath::ofRunningJvm);

    static ClasspathHashing start() {
      ClasspathHashing h = new ClasspathHashing();
      Thread t = new Thread(h.task, "custody-classpath");
      // A run that fails before training must not wait for it.
      t.setDaemon(true);
      t.start();
      return h;
    }

    /** The classpath, once hashed; what hashing it threw, as it threw it. */
    TrainingClasspath result() throws IOException, PipelineException {
      return Background.await(task, "hashing the classpath");
    }
  }

  /** Configures a {@link Pipeline}. */
  public static final class Builder {
    private Ingest ingest;
    private Path cacheDirectory;
    private Clock clock = Clock.systemUTC();
    private Progress progress = Progress.none();
    private String builderVersion = defaultVersion();

    private Builder() {}

    /**
     * The ingest stage (default {@link Ingest#create()}, or an ingest stage caching in {@link
     * #cacheDirectory}). Conflicts with {@link #cacheDirectory}: configure its cache on the {@link
     * Ingest.Builder} instead.
     */
    @CanIgnoreReturnValue
    public Builder ingest(Ingest ingest) {
      this.ingest = Objects.requireNonNull(ingest, "ingest");
      return this;
    }

    /**
     * Where downloaded data files are cached ({@code <dir>/sha256/<hex>}, each verified against its
     * pin before it is written and again on every use). There is no default: without this setting
     * (or an {@link #ingest} that has one) remote data is downloaded on every run and never written
     * to disk. The {@code custody} command passes {@code .custody-cache}.
     */
    @CanIgnoreReturnValue
    public Builder cacheDirectory(Path dir) {
      this.cacheDirectory = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** The clock for the times recorded in provenance and summaries (default: system UTC). */
    @CanIgnoreReturnValue
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where step progress goes (default: nowhere). */
    @CanIgnoreReturnValue
    public Builder progress(Progress progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /**
     * The Custody version named in the provenance's builder id (default: this build's version,
     * {@code https://custody.dev/builder/custody@VERSION}).
     */
    @CanIgnoreReturnValue
    public Builder builderVersion(String version) {
      if (version == null || version.isBlank() || version.chars().anyMatch(c -> c <= ' ')) {
        throw new IllegalArgumentException("a builder version is one word, got '" + version + "'");
      }
      this.builderVersion = version;
      return this;
    }

    /**
     * The pipeline.
     *
     * @throws IllegalStateException if both {@link #ingest} and {@link #cacheDirectory} are set
     */
    public Pipeline build() {
      if (ingest != null && cacheDirectory != null) {
        throw new IllegalStateException(
            "cacheDirectory and ingest are both set: expected the cache directory on the"
                + " Ingest.Builder of the ingest stage, or no ingest stage");
      }
      if (ingest != null) {
        return new Pipeline(this, ingest);
      }
      Ingest.Builder b = Ingest.builder();
      if (cacheDirectory != null) {
        b.cacheDirectory(cacheDirectory);
      }
      return new Pipeline(this, b.build());
    }

    private static String defaultVersion() {
      Properties p = new Properties();
      try (InputStream in = Pipeline.class.getResourceAsStream("custody.properties")) {
        if (in == null) {
          throw new IllegalStateException(
              "custody.properties is missing from pipeline-train's jar");
        }
        p.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return p.getProperty("version");
    }
  }
}
