package dev.custody.train.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Statement;
import dev.custody.train.evaluate.GateEvaluator;
import dev.custody.train.evaluate.GateResult;
import dev.custody.train.screen.DatasetSummary;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The in-toto statements of the chain of custody, exactly as {@code docs/chain-format.md} lays
 * them out: the dataset attestation, the SLSA v1 training provenance, the gate attestation and the
 * SLSA verification summary of a reproduction; and the reading of a verified provenance.
 */
public final class Attestations {
  /** The predicate type of the dataset attestation. */
  public static final String DATASET_PREDICATE = "https://custody.dev/dataset/v1";
  static final String PROVENANCE_PREDICATE = "https://slsa.dev/provenance/v1";
  static final String GATE_PREDICATE = "https://custody.dev/gate/v1";
  static final String VSA_PREDICATE = "https://slsa.dev/verification_summary/v1";
  static final String BUILD_TYPE = "https://custody.dev/train/v1";
  static final String BUILDER_PREFIX = "https://custody.dev/builder/custody@";
  static final String REPRODUCE_VERIFIER = "https://custody.dev/reproduce";
  static final String REPRODUCE_POLICY = "https://custody.dev/reproduce/v1";

  static final String DATASET_ATTESTATION = "dataset-attestation";
  static final String DATASET = "dataset";
  static final String DATA_PREFIX = "data:";
  static final String JAR_PREFIX = "jar:";
  static final String DIR_PREFIX = "dir:";
  static final String CONTENT_BYPRODUCT = "model-content-digest";
  static final String METRICS_BYPRODUCT = "metrics";

  private Attestations() {}

  /** The dataset attestation's statement: subject {@code NAME-dataset} = the kept rows' root D. */
  public static Statement dataset(DatasetSummary summary) {
    JsonNode predicate;
    try {
      predicate = Json.parse(summary.toJson().getBytes(StandardCharsets.UTF_8), "dataset summary");
    } catch (PipelineException e) {
      throw new IllegalStateException("DatasetSummary.toJson() always writes JSON", e);
    }
    return new Statement(
        List.of(Statement.Subject.of(summary.specName() + "-dataset", summary.keptRoot())),
        DATASET_PREDICATE,
        predicate);
  }

  /** What the provenance records about one training. */
  @SuppressWarnings("ArrayRecordComponent") // internal holder: never compared, hashed or printed
  public record Build(
      String modelName,
      Sha256 rootDigest,
      String specName,
      Sha256 specDigest,
      byte[] specContent,
      long seed,
      Sha256 datasetAttestationDigest,
      Sha256 datasetDigest,
      List<DatasetSummary.DataFile> dataFiles,
      TrainingClasspath classpath,
      String builderVersion,
      Instant startedOn,
      Instant finishedOn,
      Sha256 contentDigest,
      String metricsJson) {}

  /** The SLSA v1 provenance of a training run (subject: the model root digest R). */
  public static Statement provenance(Build b) {
    ObjectNode predicate = JsonNodeFactory.instance.objectNode();
    ObjectNode def = predicate.putObject("buildDefinition");
    def.put("buildType", BUILD_TYPE);
    ObjectNode ext = def.putObject("externalParameters");
    ObjectNode spec = ext.putObject("spec");
    spec.put("name", b.specName());
    spec.set("digest", digest(b.specDigest()));
    spec.put("content", new String(b.specContent(), StandardCharsets.UTF_8));
    ext.put("seed", b.seed());
    ObjectNode internal = def.putObject("internalParameters");
    internal.put("javaVersion", String.valueOf(Runtime.version().feature()));
    internal.put("tribuoVersion", org.tribuo.Tribuo.VERSION);
    ArrayNode deps = def.putArray("resolvedDependencies");
    ObjectNode att = deps.addObject();
    att.put("name", DATASET_ATTESTATION);
    att.put("uri", ModelDirectory.DATASET_ATTESTATION);
    att.set("digest", digest(b.datasetAttestationDigest()));
    ObjectNode ds = deps.addObject();
    ds.put("name", DATASET);
    ds.set("digest", digest(b.datasetDigest()));
    for (DatasetSummary.DataFile f : b.dataFiles()) {
      ObjectNode d = deps.addObject();
      d.put("name", DATA_PREFIX + GateEvaluator.fileName(f.source()));
      d.put("uri", f.source());
      d.set("digest", digest(f.sha256()));
    }
    b.classpath().jars().forEach((name, sha) -> dependency(deps, JAR_PREFIX + name, sha));
    b.classpath().directories().forEach((name, sha) -> dependency(deps, DIR_PREFIX + name, sha));
    ObjectNode run = predicate.putObject("runDetails");
    run.putObject("builder").put("id", BUILDER_PREFIX + b.builderVersion());
    ObjectNode meta = run.putObject("metadata");
    meta.put("invocationId", UUID.randomUUID().toString());
    meta.put("startedOn", rfc3339(b.startedOn()));
    meta.put("finishedOn", rfc3339(b.finishedOn()));
    ArrayNode byproducts = run.putArray("byproducts");
    ObjectNode content = byproducts.addObject();
    content.put("name", CONTENT_BYPRODUCT);
    content.set("digest", digest(b.contentDigest()));
    ObjectNode metrics = byproducts.addObject();
    metrics.put("name", METRICS_BYPRODUCT);
    metrics.put("mediaType", "application/json");
    metrics.put(
        "content",
        Base64.getEncoder().encodeToString(b.metricsJson().getBytes(StandardCharsets.UTF_8)));
    return new Statement(
        List.of(Statement.Subject.of(b.modelName(), b.rootDigest())), PROVENANCE_PREDICATE, predicate);
  }

  /** The gate attestation (only ever written when every gate passed). */
  public static Statement gate(
      String modelName, Sha256 rootDigest, Sha256 provenanceDigest, Sha256 contentDigest, List<GateResult> gates) {
    ObjectNode predicate = JsonNodeFactory.instance.objectNode();
    predicate.put("passed", gates.stream().allMatch(GateResult::passed));
    predicate.set("provenance", digest(provenanceDigest));
    predicate.put("contentDigest", contentDigest.hex());
    ArrayNode list = predicate.putArray("gates");
    gates.forEach(g -> list.add(g.toJson()));
    return new Statement(List.of(Statement.Subject.of(modelName, rootDigest)), GATE_PREDICATE, predicate);
  }

  /** The SLSA verification summary of a reproduction whose content digest matched. */
  public static Statement reproduction(
      String modelName,
      Sha256 rootDigest,
      Sha256 specDigest,
      Sha256 provenanceDigest,
      Sha256 contentDigest,
      Sha256 reproducedContentDigest,
      Instant timeVerified) {
    ObjectNode predicate = JsonNodeFactory.instance.objectNode();
    predicate.putObject("verifier").put("id", REPRODUCE_VERIFIER);
    predicate.put("timeVerified", rfc3339(timeVerified));
    predicate.put("resourceUri", modelName);
    ObjectNode policy = predicate.putObject("policy");
    policy.put("uri", REPRODUCE_POLICY);
    policy.set("digest", digest(specDigest));
    ObjectNode input = predicate.putArray("inputAttestations").addObject();
    input.put("uri", ModelDirectory.PROVENANCE);
    input.set("digest", digest(provenanceDigest));
    predicate.put("verificationResult", "PASSED");
    predicate.putArray("verifiedLevels").add("SLSA_BUILD_LEVEL_1");
    predicate.put("slsaVersion", "1.0");
    ObjectNode custody = predicate.putObject("custody");
    custody.put("contentDigest", contentDigest.hex());
    custody.put("reproducedContentDigest", reproducedContentDigest.hex());
    return new Statement(List.of(Statement.Subject.of(modelName, rootDigest)), VSA_PREDICATE, predicate);
  }

  /** What a verified provenance says, as reproduction needs it. */
  @SuppressWarnings("ArrayRecordComponent") // internal holder: never compared, hashed or printed
  public record SignedBuild(
      String specName,
      Sha256 specDigest,
      byte[] specContent,
      Sha256 datasetAttestationDigest,
      Sha256 datasetDigest,
      Map<String, Sha256> dataFiles,
      TrainingClasspath classpath,
      Sha256 contentDigest) {}

  /**
   * Reads a verified provenance statement.
   *
   * @throws PipelineException {@link Reason#UNSUPPORTED} for another predicate or build type,
   *     {@link Reason#MALFORMED} for a missing or mistyped field
   */
  public static SignedBuild readProvenance(Statement st) throws PipelineException {
    if (!PROVENANCE_PREDICATE.equals(st.predicateType())) {
      throw new PipelineException(
          Reason.UNSUPPORTED,
          "provenance: expected predicate type " + PROVENANCE_PREDICATE + ", found " + st.predicateType());
    }
    JsonNode p = st.predicate();
    JsonNode def = p.path("buildDefinition");
    if (!BUILD_TYPE.equals(def.path("buildType").asText(null))) {
      throw new PipelineException(
          Reason.UNSUPPORTED,
          "provenance: expected buildType " + BUILD_TYPE + ", found " + def.path("buildType"));
    }
    JsonNode spec = def.path("externalParameters").path("spec");
    String specName = text(spec, "externalParameters.spec.name", "name");
    Sha256 specDigest = sha(spec.path("digest"), "externalParameters.spec.digest");
    byte[] content = text(spec, "externalParameters.spec.content", "content").getBytes(StandardCharsets.UTF_8);
    Sha256 attestation = null;
    Sha256 dataset = null;
    Map<String, Sha256> data = new TreeMap<>();
    Map<String, Sha256> jars = new TreeMap<>();
    Map<String, Sha256> dirs = new TreeMap<>();
    JsonNode deps = def.path("resolvedDependencies");
    if (!deps.isArray()) {
      throw malformed("expected a resolvedDependencies array");
    }
    for (JsonNode d : deps) {
      String name = text(d, "resolvedDependencies[].name", "name");
      Sha256 sha = sha(d.path("digest"), "resolvedDependencies " + name + " digest");
      Map<String, Sha256> into = null;
      if (name.equals(DATASET_ATTESTATION)) {
        attestation = sha;
      } else if (name.equals(DATASET)) {
        dataset = sha;
      } else if (name.startsWith(DATA_PREFIX)) {
        into = data;
      } else if (name.startsWith(JAR_PREFIX)) {
        into = jars;
      } else if (name.startsWith(DIR_PREFIX)) {
        into = dirs;
      } else {
        throw malformed("unknown resolved dependency '" + name + "'");
      }
      if (into != null && into.put(name.substring(name.indexOf(':') + 1), sha) != null) {
        throw malformed("resolved dependency '" + name + "' is listed twice");
      }
    }
    if (attestation == null || dataset == null) {
      throw malformed("expected the dataset-attestation and dataset dependencies");
    }
    Sha256 contentDigest = null;
    for (JsonNode b : p.path("runDetails").path("byproducts")) {
      if (CONTENT_BYPRODUCT.equals(b.path("name").asText(null))) {
        contentDigest = sha(b.path("digest"), "byproduct " + CONTENT_BYPRODUCT);
      }
    }
    if (contentDigest == null) {
      throw malformed("expected a " + CONTENT_BYPRODUCT + " byproduct");
    }
    return new SignedBuild(
        specName, specDigest, content, attestation, dataset, data, new TrainingClasspath(jars, dirs), contentDigest);
  }

  private static void dependency(ArrayNode deps, String name, Sha256 sha) {
    ObjectNode o = deps.addObject();
    o.put("name", name);
    o.set("digest", digest(sha));
  }

  static ObjectNode digest(Sha256 sha) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("sha256", sha.hex());
    return o;
  }

  static String rfc3339(Instant t) {
    return t.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static String text(JsonNode node, String what, String field) throws PipelineException {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw malformed("expected a string " + what);
    }
    return v.asText();
  }

  private static Sha256 sha(JsonNode digest, String what) throws PipelineException {
    String hex = text(digest, what + ".sha256", "sha256");
    try {
      return new Sha256(hex);
    } catch (IllegalArgumentException e) {
      throw malformed(what + ": " + e.getMessage());
    }
  }

  private static PipelineException malformed(String what) {
    return new PipelineException(Reason.MALFORMED, "provenance: " + what);
  }
}
