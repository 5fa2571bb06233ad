package dev.custody.cli;

import dev.custody.core.BundleSigner;
import dev.custody.core.Json;
import dev.custody.core.ModelManifest;
import dev.custody.core.ModelSigning;
import dev.custody.core.Sha256;
import dev.custody.core.SigningKey;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.GatePredicate;
import dev.custody.core.chain.ModelCard;
import dev.custody.core.chain.Provenance;
import dev.custody.core.chain.ReproductionSummary;
import dev.custody.core.chain.Stage;
import dev.custody.train.Ingest;
import dev.custody.train.IngestResult;
import dev.custody.train.data.Split;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.evaluate.Evaluator;
import dev.custody.train.evaluate.Metrics;
import dev.custody.train.fit.ModelContent;
import dev.custody.train.fit.Trainers;
import dev.custody.train.screen.DatasetSummary;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.train.spec.TrainerSpec;
import dev.custody.verify.ClasspathLock;
import dev.custody.verify.ModelContentDigest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tribuo.Model;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;

/**
 * Builds a real, signed model directory exactly as {@code docs/chain-format.md} lays it out, for
 * the chain verifier's tests (test-only: {@code custody run} is the real producer). The data is a
 * subset of the UCI credit data from {@code ../shared/data}, ingested by {@link Ingest} and trained
 * by {@link Trainers} into a small random forest; every record is written by its {@code
 * dev.custody.core.chain} writer (no second description of the format), every statement is signed
 * by the key of its stage with {@link BundleSigner}, and the model by {@link ModelSigning} with
 * {@code attestations} ignored.
 *
 * <p>{@link Options} sets the version, seed and data. Ingest and training are cached per data, seed
 * and version. The chain verifier's own tests run in {@code pipeline-verify} against the golden
 * chains that {@link GoldenChainsGeneratorTest} builds with this class; chains that are wrong in
 * one way are made there by re-signing edited records.
 */
final class ChainFixture {
  static final String NAME = "credit-rf";
  static final String DATA_FILE = "credit-subset.csv";
  static final String SPEC_FILE = "credit-rf.yaml";
  static final int ROWS = 2000;
  static final String POSITIVE = "1";

  /** The jars the fixture's provenances record, and the signed lock of them. */
  static final List<String> JARS = List.of("alpha-1.0.jar", "beta-2.0.jar", "gamma-3.1.jar");

  /** One key per stage, plus the public keys and a policy on disk. */
  static final class Keys {
    private final Map<Stage, SigningKey> keys = new EnumMap<>(Stage.class);

    Keys() {
      for (Stage s : Stage.values()) {
        keys.put(s, SigningKey.generate());
      }
    }

    /** These keys, one per stage. */
    Keys(Map<Stage, SigningKey> keys) {
      this.keys.putAll(keys);
    }

    SigningKey of(Stage stage) {
      return keys.get(stage);
    }

    /**
     * Writes {@code dir/keys/<stage>.pub} and {@code dir/<name>} with every stage's key, a required
     * reproduction, and {@code extra} YAML appended. Returns the policy file.
     */
    Path policy(Path dir, String name, String extra) throws IOException {
      Path k = Files.createDirectories(dir.resolve("keys"));
      StringBuilder yaml = new StringBuilder("version: 1\nstages:\n");
      for (Stage s : Stage.values()) {
        String file = s.name().toLowerCase(java.util.Locale.ROOT) + ".pub";
        Files.writeString(k.resolve(file), keys.get(s).publicKey().toPem());
        yaml.append("  ")
            .append(s.name().toLowerCase(java.util.Locale.ROOT))
            .append(": {keys: [keys/")
            .append(file)
            .append("]}\n");
      }
      yaml.append(extra);
      Path policy = dir.resolve(name);
      Files.writeString(policy, yaml);
      return policy;
    }

    /** Writes the jars of {@link #JARS} under {@code dir/jars/} and a TRAIN-signed lock of them. */
    Path lock(Path dir) throws Exception {
      Path jars = Files.createDirectories(dir.resolve("jars"));
      List<Path> files = new ArrayList<>();
      for (String j : JARS) {
        Path p = jars.resolve(j);
        Files.writeString(p, "jar " + j);
        files.add(p);
      }
      Path lock = dir.resolve("deps.lock.json");
      Files.write(
          lock,
          BundleSigner.create(keys.get(Stage.TRAIN))
              .signStatement(ClasspathLock.of(files).toStatement()));
      return lock;
    }
  }

  /** Ingested and trained once per (data, seed). */
  @SuppressWarnings("ArrayRecordComponent") // internal holder: never compared, hashed or printed
  record Trained(
      byte[] csv,
      byte[] spec,
      DatasetSummary summary,
      Model<Label> model,
      byte[] modelBytes,
      Sha256 contentDigest,
      Metrics metrics,
      TrainingTable test) {}

  private static final Map<String, Trained> TRAINED = new HashMap<>();

  /** What to build: every field has a default. */
  @SuppressWarnings("ArrayRecordComponent") // internal holder: never compared, hashed or printed
  record Options(int version, long seed, byte[] csv) {
    static Options defaults() throws IOException {
      return new Options(1, 42, creditSubset(ROWS));
    }

    Options version(int v) {
      return new Options(v, seed, csv);
    }

    Options seed(long s) {
      return new Options(version, s, csv);
    }

    /** Trains on these data bytes instead of the credit subset. */
    Options csv(byte[] c) {
      return new Options(version, seed, c);
    }
  }

  /** A built chain and what a test needs to know about it. */
  @SuppressWarnings("ArrayRecordComponent") // internal holder: never compared, hashed or printed
  record Chain(Path dir, Sha256 root, Sha256 dataset, Sha256 contentDigest, Trained trained) {}

  private ChainFixture() {}

  /** The header and the first {@code rows} rows of the credit data, bytes as in the file. */
  static byte[] creditSubset(int rows) throws IOException {
    String shared = System.getProperty("custody.shared");
    if (shared == null) {
      throw new IllegalStateException("system property custody.shared is not set");
    }
    byte[] all = Files.readAllBytes(Path.of(shared, "data", "default_credit_card.csv"));
    int lines = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] == '\n' && ++lines == rows + 1) {
        return java.util.Arrays.copyOf(all, i + 1);
      }
    }
    return all;
  }

  /**
   * {@code csv} with the AGE of data row {@code row} (1-based) raised by one year: one row differs.
   */
  static byte[] withOneRowChanged(byte[] csv, int row) {
    String[] lines = new String(csv, StandardCharsets.UTF_8).split("\n", -1);
    String[] header = lines[0].trim().split(",");
    int age = List.of(header).indexOf("AGE");
    String[] cells = lines[row].split(",", -1);
    cells[age] = String.valueOf(Integer.parseInt(cells[age]) + 1);
    lines[row] = String.join(",", cells);
    return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
  }

  static synchronized Trained trained(byte[] csv, long seed, int version, Path work)
      throws Exception {
    String key = Sha256.of(csv).hex() + "/" + seed + "/" + version;
    Trained t = TRAINED.get(key);
    if (t != null) {
      return t;
    }
    Path dir = Files.createTempDirectory(work, "data-");
    Files.write(dir.resolve(DATA_FILE), csv);
    byte[] spec = spec(Sha256.of(csv), seed, version).getBytes(StandardCharsets.UTF_8);
    Files.write(dir.resolve(SPEC_FILE), spec);
    PipelineSpec ps = PipelineSpec.load(dir.resolve(SPEC_FILE));
    IngestResult ingest = Ingest.create().run(ps);
    Split split = ingest.split();
    Model<Label> model =
        Trainers.train(new TrainerSpec.RandomForest(5, 3, 20f, 0.5f, seed), split.train());
    byte[] bytes = ModelContent.protobufBytes(model);
    t =
        new Trained(
            csv,
            spec,
            ingest.summary(),
            model,
            bytes,
            ModelContentDigest.of(bytes),
            Evaluator.evaluate(model, split.test(), POSITIVE),
            split.test());
    TRAINED.put(key, t);
    return t;
  }

  static String spec(Sha256 data, long seed, int version) {
    return String.format(
        java.util.Locale.ROOT,
        """
        name: credit-rf
        version: %d
        data:
          - path: credit-subset.csv
            sha256: %s
        format: csv
        schema:
          id: ID
          label:
            column: DEFAULT
            allowed: ["0", "1"]
          numeric:
            - {column: LIMIT_BAL, min: 0}
            - {column: AGE, min: 18, max: 120}
            - {column: PAY_0, min: -2, max: 9}
            - BILL_AMT1
            - {column: PAY_AMT1, min: 0}
          categorical:
            - {column: SEX, allowed: ["1", "2"]}
        split:
          testFraction: 0.2
          seed: 42
        trainer:
          type: random-forest
          params: {trees: 5, maxDepth: 3, minLeaf: 20, seed: %d}
        screens:
          duplicates: {policy: drop}
        """,
        version,
        data.hex(),
        seed);
  }

  /**
   * Builds the model directory {@code dir} (which must not exist) as {@code o} says. Every record
   * is written by its {@code dev.custody.core.chain} writer and signed by its stage's key.
   */
  static Chain build(Path dir, Options o, Keys keys, Path work) throws Exception {
    Trained t = trained(o.csv(), o.seed(), o.version(), work);
    Files.createDirectories(dir.resolve(ChainLayout.ATTESTATIONS));
    Sha256 specDigest = Sha256.of(t.spec());
    Sha256 d = t.summary().keptRoot();

    // The model and its card, signed by TRAIN (attestations ignored).
    Files.write(dir.resolve(ChainLayout.MODEL_FILE), t.modelBytes());
    ModelCard card =
        new ModelCard(
            NAME,
            o.version(),
            "random-forest",
            labelsOf(t.model()),
            featuresOf(t.model()),
            t.summary().featureSchema(),
            POSITIVE,
            new ModelCard.FileRef(ChainLayout.MODEL_FILE, Sha256.of(t.modelBytes())),
            t.contentDigest(),
            d,
            new ModelCard.FileRef(SPEC_FILE, specDigest),
            Json.parse(t.metrics().toJson().getBytes(StandardCharsets.UTF_8), "metrics"));
    Files.write(
        dir.resolve(ChainLayout.CARD_FILE), Json.writePretty(Json.parse(card.toJson(), "card")));
    ModelManifest manifest =
        ModelSigning.sign(
            dir,
            dir.resolve(ChainLayout.SIGNATURE_FILE),
            BundleSigner.create(keys.of(Stage.TRAIN)),
            List.of(ChainLayout.ATTESTATIONS));
    Sha256 r = manifest.rootDigest();

    // The dataset attestation (INGEST).
    byte[] dataset =
        BundleSigner.create(keys.of(Stage.INGEST))
            .signStatement(t.summary().predicate().statement());
    Files.write(dir.resolve(ChainLayout.DATASET_ATTESTATION), dataset);

    // The training provenance (TRAIN).
    List<Provenance.DataEntry> data = new ArrayList<>();
    for (DatasetSummary.DataFile f : t.summary().files()) {
      data.add(
          new Provenance.DataEntry(
              Path.of(f.source()).getFileName().toString(), f.source(), f.sha256()));
    }
    Provenance prov =
        new Provenance(
            NAME,
            r,
            new Provenance.Spec(
                SPEC_FILE, specDigest, new String(t.spec(), StandardCharsets.UTF_8)),
            o.seed(),
            "17",
            "4.3.2",
            Sha256.of(dataset),
            d,
            data,
            lockedJars(),
            Map.of(),
            "0.1.0-SNAPSHOT",
            "00000000-0000-4000-8000-00000000000" + o.version(),
            Instant.parse("2026-11-23T00:00:00Z"),
            Instant.parse("2026-11-23T00:00:01Z"),
            t.contentDigest(),
            t.metrics().toJson());
    byte[] provenance = BundleSigner.create(keys.of(Stage.TRAIN)).signStatement(prov.statement());
    Files.write(dir.resolve(ChainLayout.PROVENANCE), provenance);

    // The gate (EVALUATE).
    GatePredicate gate =
        GatePredicate.of(
            NAME,
            r,
            Sha256.of(provenance),
            t.contentDigest(),
            List.of(
                new GatePredicate.Gate(
                    "test-accuracy",
                    "accuracy",
                    ">=",
                    0.5,
                    t.metrics().accuracy(),
                    t.metrics().accuracy() >= 0.5,
                    t.metrics().rows(),
                    new GatePredicate.Named(
                        "test-split",
                        Sha256.of(("test rows of " + d.hex()).getBytes(StandardCharsets.UTF_8))),
                    null)));
    Files.write(
        dir.resolve(ChainLayout.GATE),
        BundleSigner.create(keys.of(Stage.EVALUATE)).signStatement(gate.statement()));

    // The reproduction summary (REPRODUCE).
    ReproductionSummary rep =
        new ReproductionSummary(
            NAME,
            r,
            Instant.parse("2026-11-23T00:01:00Z"),
            specDigest,
            Sha256.of(provenance),
            ReproductionSummary.PASSED,
            t.contentDigest(),
            t.contentDigest());
    Files.write(
        dir.resolve(ChainLayout.REPRODUCTION),
        BundleSigner.create(keys.of(Stage.REPRODUCE)).signStatement(rep.statement()));
    return new Chain(dir, r, d, t.contentDigest(), t);
  }

  /** The jars of {@link Keys#lock}: same names and contents, so the same digests. */
  static Map<String, Sha256> lockedJars() {
    Map<String, Sha256> m = new TreeMap<>();
    for (String j : JARS) {
      m.put(j, Sha256.of(("jar " + j).getBytes(StandardCharsets.UTF_8)));
    }
    return m;
  }

  static List<String> labelsOf(Model<Label> model) {
    List<String> out = new ArrayList<>();
    model.getOutputIDInfo().getDomain().forEach(l -> out.add(l.getLabel()));
    return out;
  }

  static List<String> featuresOf(Model<Label> model) {
    List<String> out = new ArrayList<>();
    for (VariableInfo v : model.getFeatureIDMap()) {
      out.add(v.getName());
    }
    return out;
  }

  /** Copies a model directory (small files) for one tamper case. */
  static void copy(Path from, Path to) throws IOException {
    try (var walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
