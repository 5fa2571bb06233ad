package dev.custody.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.BundleSigner;
import dev.custody.core.Json;
import dev.custody.core.ModelManifest;
import dev.custody.core.ModelSigning;
import dev.custody.core.Sha256;
import dev.custody.core.SigningKey;
import dev.custody.core.Statement;
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
import dev.custody.core.chain.Stage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.tribuo.Model;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;

/**
 * Builds a real, signed model directory exactly as {@code docs/chain-format.md} lays it out, for the
 * chain verifier's tests (test-only: {@code custody run} is the real producer). The data is a
 * subset of the UCI credit data from {@code ../shared/data}, ingested by {@link Ingest} and trained
 * by {@link Trainers} into a small random forest; every statement is signed by the key of its stage
 * with {@link BundleSigner}, and the model by {@link ModelSigning} with {@code attestations}
 * ignored.
 *
 * <p>{@link Options} changes one thing at a time (a signer, a predicate, an attestation's bytes) so
 * that tests can build chains that are wrong in exactly one way. Ingest and training are cached per
 * data and seed: variants of a chain cost only signatures.
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
        yaml.append("  ").append(s.name().toLowerCase(java.util.Locale.ROOT)).append(": {keys: [keys/")
            .append(file).append("]}\n");
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
      Files.write(lock, BundleSigner.create(keys.get(Stage.TRAIN)).signStatement(ClasspathLock.of(files).toStatement()));
      return lock;
    }
  }

  /** Ingested and trained once per (data, seed). */
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

  /**
   * What to build, and the one thing to get wrong. Every field has a correct default; the {@code
   * edit*} functions see the JSON just before it is written or signed.
   */
  record Options(
      int version,
      long seed,
      byte[] csv,
      Map<String, SigningKey> signers,
      byte[] datasetAttestation,
      UnaryOperator<ObjectNode> editCard,
      UnaryOperator<ObjectNode> editProvenance,
      UnaryOperator<ObjectNode> editGate,
      UnaryOperator<ObjectNode> editReproduction,
      Map<String, Sha256> jars) {
    static Options defaults() throws IOException {
      return new Options(
          1, 42, creditSubset(ROWS), Map.of(), null, x -> x, x -> x, x -> x, x -> x, null);
    }

    Options version(int v) {
      return new Options(v, seed, csv, signers, datasetAttestation, editCard, editProvenance, editGate, editReproduction, jars);
    }

    Options seed(long s) {
      return new Options(version, s, csv, signers, datasetAttestation, editCard, editProvenance, editGate, editReproduction, jars);
    }

    Options csv(byte[] c) {
      return new Options(version, seed, c, signers, datasetAttestation, editCard, editProvenance, editGate, editReproduction, jars);
    }

    /** Signs {@code file} (model.sig, dataset, provenance, gate, reproduction) with {@code key}. */
    Options signer(String file, SigningKey key) {
      Map<String, SigningKey> m = new HashMap<>(signers);
      m.put(file, key);
      return new Options(version, seed, csv, Map.copyOf(m), datasetAttestation, editCard, editProvenance, editGate, editReproduction, jars);
    }

    /** Uses these bytes as the dataset attestation (the provenance then names their digest). */
    Options datasetAttestation(byte[] bytes) {
      return new Options(version, seed, csv, signers, bytes, editCard, editProvenance, editGate, editReproduction, jars);
    }

    Options card(UnaryOperator<ObjectNode> f) {
      return new Options(version, seed, csv, signers, datasetAttestation, f, editProvenance, editGate, editReproduction, jars);
    }

    Options provenance(UnaryOperator<ObjectNode> f) {
      return new Options(version, seed, csv, signers, datasetAttestation, editCard, f, editGate, editReproduction, jars);
    }

    Options gate(UnaryOperator<ObjectNode> f) {
      return new Options(version, seed, csv, signers, datasetAttestation, editCard, editProvenance, f, editReproduction, jars);
    }

    Options reproduction(UnaryOperator<ObjectNode> f) {
      return new Options(version, seed, csv, signers, datasetAttestation, editCard, editProvenance, editGate, f, jars);
    }

    /** The jars the provenance records (default: those of the signed lock). */
    Options jars(Map<String, Sha256> j) {
      return new Options(version, seed, csv, signers, datasetAttestation, editCard, editProvenance, editGate, editReproduction, j);
    }
  }

  /** A built chain and what a test needs to know about it. */
  record Chain(
      Path dir,
      Sha256 root,
      Sha256 dataset,
      Sha256 contentDigest,
      Trained trained,
      byte[] datasetAttestation) {}

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

  /** {@code csv} with the AGE of data row {@code row} (1-based) raised by one year: one row differs. */
  static byte[] withOneRowChanged(byte[] csv, int row) {
    String[] lines = new String(csv, StandardCharsets.UTF_8).split("\n", -1);
    String[] header = lines[0].trim().split(",");
    int age = List.of(header).indexOf("AGE");
    String[] cells = lines[row].split(",", -1);
    cells[age] = String.valueOf(Integer.parseInt(cells[age]) + 1);
    lines[row] = String.join(",", cells);
    return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
  }

  static synchronized Trained trained(byte[] csv, long seed, int version, Path work) throws Exception {
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
    Split split = Split.seeded(ingest.table(), ps.split().testFraction(), ps.split().seed());
    Model<Label> model = Trainers.train(new TrainerSpec.RandomForest(5, 3, 20f, 0.5f, seed), split.train());
    byte[] bytes = ModelContent.protobufBytes(model);
    t =
        new Trained(
            csv, spec, ingest.summary(), model, bytes, ModelContent.digest(bytes),
            Evaluator.evaluate(model, split.test(), POSITIVE), split.test());
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

  /** Builds the model directory {@code dir} (which must not exist) as {@code o} says. */
  static Chain build(Path dir, Options o, Keys keys, Path work) throws Exception {
    Trained t = trained(o.csv(), o.seed(), o.version(), work);
    Files.createDirectories(dir.resolve("attestations"));
    Sha256 specDigest = Sha256.of(t.spec());
    Sha256 d = t.summary().keptRoot();

    // The model and its card, signed by TRAIN (attestations ignored).
    Files.write(dir.resolve("model.tribuo"), t.modelBytes());
    ObjectNode card = JsonNodeFactory.instance.objectNode();
    card.put("name", NAME);
    card.put("version", o.version());
    card.put("trainer", "random-forest");
    ArrayNode labels = card.putArray("labels");
    new TreeSet<>(labelsOf(t.model())).forEach(labels::add);
    ArrayNode features = card.putArray("features");
    new TreeSet<>(featuresOf(t.model())).forEach(features::add);
    card.put("positiveLabel", POSITIVE);
    ObjectNode mf = card.putObject("modelFile");
    mf.put("name", "model.tribuo");
    mf.put("sha256", Sha256.of(t.modelBytes()).hex());
    card.put("contentDigest", t.contentDigest().hex());
    card.putObject("dataset").put("sha256", d.hex());
    ObjectNode spec = card.putObject("spec");
    spec.put("name", SPEC_FILE);
    spec.put("sha256", specDigest.hex());
    card.set("metrics", Json.parse(t.metrics().toJson().getBytes(StandardCharsets.UTF_8), "metrics"));
    Files.write(dir.resolve("model-card.json"), Json.writePretty(o.editCard().apply(card)));
    ModelManifest manifest =
        ModelSigning.sign(
            dir, dir.resolve("model.sig"), BundleSigner.create(signer(o, keys, "model.sig", Stage.TRAIN)),
            List.of("attestations"));
    Sha256 r = manifest.rootDigest();

    // The dataset attestation (INGEST).
    byte[] dataset = o.datasetAttestation();
    if (dataset == null) {
      Statement st =
          new Statement(
              List.of(Statement.Subject.of(NAME + "-dataset", d)),
              "https://custody.dev/dataset/v1",
              Json.parse(t.summary().toJson().getBytes(StandardCharsets.UTF_8), "summary"));
      dataset = BundleSigner.create(signer(o, keys, "dataset", Stage.INGEST)).signStatement(st);
    }
    Files.write(dir.resolve("attestations/dataset.sigstore.json"), dataset);

    // The training provenance (TRAIN).
    ObjectNode prov = JsonNodeFactory.instance.objectNode();
    ObjectNode build = prov.putObject("buildDefinition");
    build.put("buildType", "https://custody.dev/train/v1");
    ObjectNode ext = build.putObject("externalParameters");
    ObjectNode specParam = ext.putObject("spec");
    specParam.put("name", SPEC_FILE);
    specParam.putObject("digest").put("sha256", specDigest.hex());
    specParam.put("content", new String(t.spec(), StandardCharsets.UTF_8));
    ext.put("seed", o.seed());
    ObjectNode internal = build.putObject("internalParameters");
    internal.put("javaVersion", "17");
    internal.put("tribuoVersion", "4.3.2");
    ArrayNode deps = build.putArray("resolvedDependencies");
    ObjectNode da = deps.addObject();
    da.put("name", "dataset-attestation");
    da.put("uri", "attestations/dataset.sigstore.json");
    da.putObject("digest").put("sha256", Sha256.of(dataset).hex());
    ObjectNode ds = deps.addObject();
    ds.put("name", "dataset");
    ds.putObject("digest").put("sha256", d.hex());
    for (DatasetSummary.DataFile f : t.summary().files()) {
      ObjectNode df = deps.addObject();
      df.put("name", "data:" + Path.of(f.source()).getFileName());
      df.put("uri", f.source());
      df.putObject("digest").put("sha256", f.sha256().hex());
    }
    for (Map.Entry<String, Sha256> j : jars(o).entrySet()) {
      ObjectNode jar = deps.addObject();
      jar.put("name", "jar:" + j.getKey());
      jar.putObject("digest").put("sha256", j.getValue().hex());
    }
    ObjectNode run = prov.putObject("runDetails");
    run.putObject("builder").put("id", "https://custody.dev/builder/custody@0.1.0-SNAPSHOT");
    ObjectNode meta = run.putObject("metadata");
    meta.put("invocationId", "00000000-0000-4000-8000-00000000000" + o.version());
    meta.put("startedOn", "2026-11-23T00:00:00Z");
    meta.put("finishedOn", "2026-11-23T00:00:01Z");
    ArrayNode byproducts = run.putArray("byproducts");
    ObjectNode cd = byproducts.addObject();
    cd.put("name", "model-content-digest");
    cd.putObject("digest").put("sha256", t.contentDigest().hex());
    ObjectNode metrics = byproducts.addObject();
    metrics.put("name", "metrics");
    metrics.put("mediaType", "application/json");
    metrics.put("content", Base64.getEncoder().encodeToString(t.metrics().toJson().getBytes(StandardCharsets.UTF_8)));
    byte[] provenance =
        sign(o, keys, "provenance", Stage.TRAIN, r, "https://slsa.dev/provenance/v1", o.editProvenance().apply(prov));
    Files.write(dir.resolve("attestations/provenance.sigstore.json"), provenance);

    // The gate (EVALUATE).
    ObjectNode gate = JsonNodeFactory.instance.objectNode();
    gate.put("passed", true);
    gate.putObject("provenance").put("sha256", Sha256.of(provenance).hex());
    gate.put("contentDigest", t.contentDigest().hex());
    ObjectNode g = gate.putArray("gates").addObject();
    g.put("name", "test-accuracy");
    g.put("metric", "accuracy");
    g.put("comparator", ">=");
    g.put("threshold", 0.5);
    g.put("observed", t.metrics().accuracy());
    g.put("passed", t.metrics().accuracy() >= 0.5);
    g.put("sampleSize", t.metrics().rows());
    ObjectNode gd = g.putObject("dataset");
    gd.put("name", "test-split");
    gd.put("sha256", Sha256.of(("test rows of " + d.hex()).getBytes(StandardCharsets.UTF_8)).hex());
    Files.write(
        dir.resolve("attestations/gate.sigstore.json"),
        sign(o, keys, "gate", Stage.EVALUATE, r, "https://custody.dev/gate/v1", o.editGate().apply(gate)));

    // The reproduction summary (REPRODUCE).
    ObjectNode rep = JsonNodeFactory.instance.objectNode();
    rep.putObject("verifier").put("id", "https://custody.dev/reproduce");
    rep.put("timeVerified", "2026-11-23T00:01:00Z");
    rep.put("resourceUri", NAME);
    ObjectNode policy = rep.putObject("policy");
    policy.put("uri", "https://custody.dev/reproduce/v1");
    policy.putObject("digest").put("sha256", specDigest.hex());
    ObjectNode input = rep.putArray("inputAttestations").addObject();
    input.put("uri", "attestations/provenance.sigstore.json");
    input.putObject("digest").put("sha256", Sha256.of(provenance).hex());
    rep.put("verificationResult", "PASSED");
    rep.putArray("verifiedLevels").add("SLSA_BUILD_LEVEL_1");
    rep.put("slsaVersion", "1.0");
    ObjectNode custody = rep.putObject("custody");
    custody.put("contentDigest", t.contentDigest().hex());
    custody.put("reproducedContentDigest", t.contentDigest().hex());
    Files.write(
        dir.resolve("attestations/reproduction.sigstore.json"),
        sign(o, keys, "reproduction", Stage.REPRODUCE, r, "https://slsa.dev/verification_summary/v1",
            o.editReproduction().apply(rep)));
    return new Chain(dir, r, d, t.contentDigest(), t, dataset);
  }

  /** The jars of {@link Keys#lock}: same names and contents, so the same digests. */
  static Map<String, Sha256> lockedJars() {
    Map<String, Sha256> m = new TreeMap<>();
    for (String j : JARS) {
      m.put(j, Sha256.of(("jar " + j).getBytes(StandardCharsets.UTF_8)));
    }
    return m;
  }

  private static Map<String, Sha256> jars(Options o) {
    return o.jars() != null ? o.jars() : lockedJars();
  }

  private static SigningKey signer(Options o, Keys keys, String file, Stage stage) {
    return o.signers().getOrDefault(file, keys.of(stage));
  }

  private static byte[] sign(
      Options o, Keys keys, String file, Stage stage, Sha256 subject, String type, JsonNode predicate) {
    Statement st = new Statement(List.of(Statement.Subject.of(NAME, subject)), type, predicate);
    return BundleSigner.create(signer(o, keys, file, stage)).signStatement(st);
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
