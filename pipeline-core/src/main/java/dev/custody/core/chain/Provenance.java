package dev.custody.core.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import dev.custody.core.YamlReader;
import dev.custody.core.YamlTree;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The training provenance ({@value #TYPE}, SLSA Provenance v1, stage TRAIN): how the model with
 * root digest {@code R} was built. The spec (name, digest and content) and seed, the dataset
 * attestation and dataset digest {@code D}, every data file and every classpath jar (and, for a
 * development run, directory), and the model content digest and metrics as byproducts.
 *
 * <p>One writer, {@link #statement()}, and one strict reader, {@link #read(Statement)}, used by the
 * chain verifier and by reproduction alike.
 *
 * @param modelName the model's name (the subject's name)
 * @param rootDigest the model root digest {@code R} (the subject's digest)
 * @param spec the pipeline spec: its file name, digest and UTF-8 content
 * @param seed the split's seed
 * @param javaVersion the Java feature version that trained
 * @param tribuoVersion the Tribuo version that trained
 * @param datasetAttestation the SHA-256 of the dataset attestation file's bytes
 * @param dataset the dataset digest {@code D}
 * @param data the data files, in dataset-attestation order (spec order)
 * @param jars classpath jar file name → SHA-256, sorted by name
 * @param directories classpath directory name → root digest of its files, sorted by name
 * @param builderVersion the Custody version in the builder id
 * @param invocationId the run's id
 * @param startedOn when training started
 * @param finishedOn when it finished
 * @param contentDigest the model content digest (byproduct {@code model-content-digest})
 * @param metricsJson the test-split metrics JSON (byproduct {@code metrics}, base64)
 */
public record Provenance(
    String modelName,
    Sha256 rootDigest,
    Spec spec,
    long seed,
    String javaVersion,
    String tribuoVersion,
    Sha256 datasetAttestation,
    Sha256 dataset,
    List<DataEntry> data,
    Map<String, Sha256> jars,
    Map<String, Sha256> directories,
    String builderVersion,
    String invocationId,
    Instant startedOn,
    Instant finishedOn,
    Sha256 contentDigest,
    String metricsJson) {
  /** The predicate type. */
  public static final String TYPE = "https://slsa.dev/provenance/v1";

  /** The build type of a Custody training. */
  public static final String BUILD_TYPE = "https://custody.dev/train/v1";

  /** The builder id, before the Custody version. */
  public static final String BUILDER_PREFIX = "https://custody.dev/builder/custody@";

  /** The resolved dependency naming the dataset attestation file. */
  public static final String DATASET_ATTESTATION = "dataset-attestation";

  /** The resolved dependency naming the dataset digest D. */
  public static final String DATASET = "dataset";

  /** The prefix of a data file's resolved dependency. */
  public static final String DATA_PREFIX = "data:";

  /** The prefix of a classpath jar's resolved dependency. */
  public static final String JAR_PREFIX = "jar:";

  /** The prefix of a classpath directory's resolved dependency. */
  public static final String DIR_PREFIX = "dir:";

  /** The byproduct holding the model content digest. */
  public static final String CONTENT_BYPRODUCT = "model-content-digest";

  /** The byproduct holding the metrics. */
  public static final String METRICS_BYPRODUCT = "metrics";

  private static final String WHERE = "provenance predicate";
  private static final String METRICS_MEDIA_TYPE = "application/json";

  /**
   * Validates the provenance.
   *
   * @throws IllegalArgumentException if there is no data file or two have the same name
   */
  public Provenance {
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(rootDigest, "rootDigest");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(javaVersion, "javaVersion");
    Objects.requireNonNull(tribuoVersion, "tribuoVersion");
    Objects.requireNonNull(datasetAttestation, "datasetAttestation");
    Objects.requireNonNull(dataset, "dataset");
    data = List.copyOf(data);
    if (data.isEmpty()) {
      throw new IllegalArgumentException("a provenance names at least one data file");
    }
    Set<String> names = new HashSet<>();
    for (DataEntry d : data) {
      if (!names.add(d.name())) {
        throw new IllegalArgumentException("data file '" + d.name() + "' is listed twice");
      }
    }
    jars = Collections.unmodifiableSortedMap(new TreeMap<>(jars));
    directories = Collections.unmodifiableSortedMap(new TreeMap<>(directories));
    Objects.requireNonNull(builderVersion, "builderVersion");
    Objects.requireNonNull(invocationId, "invocationId");
    Objects.requireNonNull(startedOn, "startedOn");
    Objects.requireNonNull(finishedOn, "finishedOn");
    Objects.requireNonNull(contentDigest, "contentDigest");
    Objects.requireNonNull(metricsJson, "metricsJson");
  }

  /**
   * The pipeline spec as recorded.
   *
   * @param name the spec's file name
   * @param digest the SHA-256 of its bytes, as recorded
   * @param content its content, UTF-8 text
   */
  public record Spec(String name, Sha256 digest, String content) {
    /** Validates the spec. */
    public Spec {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(content, "content");
    }

    /** The content's UTF-8 bytes (hash them to compare with {@link #digest()}). */
    public byte[] bytes() {
      return content.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The model name and version the spec content declares (its top-level {@code name} and {@code
     * version} keys): what the card, the dataset attestation and a rollback check must agree with.
     * Only those two keys are read; the rest of the spec is the trainer's to check.
     *
     * @throws VerificationException {@link Reason#MALFORMED} if the content is not a YAML mapping
     *     with a string {@code name} and an integer {@code version} of at least 1
     */
    public Header header() throws VerificationException {
      String where = "provenance spec " + JsonFields.shown(name);
      YamlReader r = new YamlReader(where, Reason.MALFORMED);
      try {
        YamlTree.Node root = r.parse(bytes());
        if (!(root instanceof YamlTree.MapNode m)) {
          throw r.error(root, "expected a mapping, found " + root.kind());
        }
        YamlReader.Obj o = r.map(m, m.entries().keySet().toArray(new String[0]));
        return new Header(
            r.string(o.required("name")),
            (int) r.integer(o.required("version"), 1, Integer.MAX_VALUE));
      } catch (VerificationException e) {
        throw e;
      } catch (PipelineException e) {
        throw new VerificationException(Reason.MALFORMED, e.getMessage(), e);
      }
    }

    /**
     * What a spec says the model is.
     *
     * @param name the model name
     * @param version the model version
     */
    public record Header(String name, int version) {
      /** Validates the header. */
      public Header {
        Objects.requireNonNull(name, "name");
      }
    }
  }

  /**
   * One data file.
   *
   * @param name the file name (the entry is {@code data:NAME})
   * @param uri the path or URL as written in the spec
   * @param digest the SHA-256 of its bytes
   */
  public record DataEntry(String name, String uri, Sha256 digest) {
    /** Validates the entry. */
    public DataEntry {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(uri, "uri");
      Objects.requireNonNull(digest, "digest");
    }
  }

  /** The statement to sign: subject the model with digest R, this predicate. */
  public Statement statement() {
    ObjectNode predicate = JsonNodeFactory.instance.objectNode();
    ObjectNode def = predicate.putObject("buildDefinition");
    def.put("buildType", BUILD_TYPE);
    ObjectNode ext = def.putObject("externalParameters");
    ObjectNode specNode = ext.putObject("spec");
    specNode.put("name", spec.name());
    specNode.set("digest", JsonFields.digest(spec.digest()));
    specNode.put("content", spec.content());
    ext.put("seed", seed);
    ObjectNode internal = def.putObject("internalParameters");
    internal.put("javaVersion", javaVersion);
    internal.put("tribuoVersion", tribuoVersion);
    ArrayNode deps = def.putArray("resolvedDependencies");
    ObjectNode att = deps.addObject();
    att.put("name", DATASET_ATTESTATION);
    att.put("uri", ChainLayout.DATASET_ATTESTATION);
    att.set("digest", JsonFields.digest(datasetAttestation));
    dependency(deps, DATASET, dataset);
    for (DataEntry d : data) {
      ObjectNode o = deps.addObject();
      o.put("name", DATA_PREFIX + d.name());
      o.put("uri", d.uri());
      o.set("digest", JsonFields.digest(d.digest()));
    }
    jars.forEach((name, sha) -> dependency(deps, JAR_PREFIX + name, sha));
    directories.forEach((name, sha) -> dependency(deps, DIR_PREFIX + name, sha));
    ObjectNode run = predicate.putObject("runDetails");
    run.putObject("builder").put("id", BUILDER_PREFIX + builderVersion);
    ObjectNode meta = run.putObject("metadata");
    meta.put("invocationId", invocationId);
    meta.put("startedOn", JsonFields.rfc3339(startedOn));
    meta.put("finishedOn", JsonFields.rfc3339(finishedOn));
    ArrayNode byproducts = run.putArray("byproducts");
    ObjectNode content = byproducts.addObject();
    content.put("name", CONTENT_BYPRODUCT);
    content.set("digest", JsonFields.digest(contentDigest));
    ObjectNode metrics = byproducts.addObject();
    metrics.put("name", METRICS_BYPRODUCT);
    metrics.put("mediaType", METRICS_MEDIA_TYPE);
    metrics.put(
        "content",
        Base64.getEncoder().encodeToString(metricsJson.getBytes(StandardCharsets.UTF_8)));
    return new Statement(List.of(Statement.Subject.of(modelName, rootDigest)), TYPE, predicate);
  }

  private static void dependency(ArrayNode deps, String name, Sha256 sha) {
    ObjectNode o = deps.addObject();
    o.put("name", name);
    o.set("digest", JsonFields.digest(sha));
  }

  /**
   * Reads a verified provenance statement strictly.
   *
   * @throws VerificationException {@link Reason#UNSUPPORTED} for another predicate type or build
   *     type; {@link Reason#MALFORMED} naming the JSON path for an unknown, missing or mistyped
   *     field, an unknown dependency or byproduct, an entry listed twice, no {@code data:} entry,
   *     or a builder id that is not Custody's
   */
  public static Provenance read(Statement st) throws VerificationException {
    JsonFields.requireType(st, TYPE, "provenance");
    Statement.Subject subject = JsonFields.subject(st, "provenance");
    JsonNode p = JsonFields.predicate(st, Set.of("buildDefinition", "runDetails"), WHERE);
    String bd = WHERE + ".buildDefinition";
    JsonNode build =
        JsonFields.exactObject(
            p,
            "buildDefinition",
            Set.of("buildType", "externalParameters", "internalParameters", "resolvedDependencies"),
            WHERE);
    String buildType = JsonFields.text(build, "buildType", bd);
    if (!BUILD_TYPE.equals(buildType)) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "provenance: expected buildType "
              + BUILD_TYPE
              + ", found "
              + JsonFields.shown(buildType));
    }
    JsonNode ext = JsonFields.exactObject(build, "externalParameters", Set.of("spec", "seed"), bd);
    JsonNode specNode =
        JsonFields.exactObject(
            ext, "spec", Set.of("name", "digest", "content"), bd + ".externalParameters");
    String sw = bd + ".externalParameters.spec";
    Spec spec =
        new Spec(
            JsonFields.text(specNode, "name", sw),
            JsonFields.digestSet(specNode, "digest", sw),
            JsonFields.text(specNode, "content", sw));
    long seed = JsonFields.integer(ext, "seed", bd + ".externalParameters");
    JsonNode internal =
        JsonFields.exactObject(
            build, "internalParameters", Set.of("javaVersion", "tribuoVersion"), bd);
    String javaVersion = JsonFields.text(internal, "javaVersion", bd + ".internalParameters");
    String tribuoVersion = JsonFields.text(internal, "tribuoVersion", bd + ".internalParameters");

    JsonNode deps = JsonFields.array(build, "resolvedDependencies", bd);
    Sha256 attestation = null;
    Sha256 dataset = null;
    List<DataEntry> data = new ArrayList<>();
    Set<String> dataNames = new HashSet<>();
    Map<String, Sha256> jars = new TreeMap<>();
    Map<String, Sha256> dirs = new TreeMap<>();
    for (int i = 0; i < deps.size(); i++) {
      String at = bd + ".resolvedDependencies[" + i + "]";
      JsonNode d = JsonFields.element(deps, i, Set.of("name", "uri", "digest"), at);
      String name = JsonFields.text(d, "name", at);
      Sha256 digest = JsonFields.digestSet(d, "digest", at);
      if (name.equals(DATASET_ATTESTATION)) {
        String uri = JsonFields.text(d, "uri", at);
        if (!uri.equals(ChainLayout.DATASET_ATTESTATION)) {
          throw new VerificationException(
              Reason.MALFORMED,
              at
                  + ".uri: expected "
                  + ChainLayout.DATASET_ATTESTATION
                  + ", found '"
                  + JsonFields.shown(uri)
                  + "'");
        }
        attestation = once(attestation, digest, at, name);
      } else if (name.equals(DATASET)) {
        noUri(d, at);
        dataset = once(dataset, digest, at, name);
      } else if (name.startsWith(DATA_PREFIX) && name.length() > DATA_PREFIX.length()) {
        String file = name.substring(DATA_PREFIX.length());
        if (!dataNames.add(file)) {
          throw twice(at, name);
        }
        data.add(new DataEntry(file, JsonFields.text(d, "uri", at), digest));
      } else if (name.startsWith(JAR_PREFIX) && name.length() > JAR_PREFIX.length()) {
        noUri(d, at);
        if (jars.put(name.substring(JAR_PREFIX.length()), digest) != null) {
          throw twice(at, name);
        }
      } else if (name.startsWith(DIR_PREFIX) && name.length() > DIR_PREFIX.length()) {
        noUri(d, at);
        if (dirs.put(name.substring(DIR_PREFIX.length()), digest) != null) {
          throw twice(at, name);
        }
      } else {
        throw new VerificationException(
            Reason.MALFORMED,
            at
                + ".name: expected "
                + DATASET_ATTESTATION
                + ", "
                + DATASET
                + ", "
                + DATA_PREFIX
                + "NAME, "
                + JAR_PREFIX
                + "NAME or "
                + DIR_PREFIX
                + "NAME, found '"
                + JsonFields.shown(name)
                + "'");
      }
    }
    if (attestation == null || dataset == null) {
      throw new VerificationException(
          Reason.MALFORMED,
          bd
              + ".resolvedDependencies: expected entries '"
              + DATASET_ATTESTATION
              + "' and '"
              + DATASET
              + "', found "
              + (attestation == null
                  ? "no '" + DATASET_ATTESTATION + "'"
                  : "no '" + DATASET + "'"));
    }
    if (data.isEmpty()) {
      throw new VerificationException(
          Reason.MALFORMED,
          bd
              + ".resolvedDependencies: expected at least one '"
              + DATA_PREFIX
              + "' entry, found none");
    }

    String rd = WHERE + ".runDetails";
    JsonNode run =
        JsonFields.exactObject(p, "runDetails", Set.of("builder", "metadata", "byproducts"), WHERE);
    JsonNode builder = JsonFields.exactObject(run, "builder", Set.of("id"), rd);
    String builderId = JsonFields.text(builder, "id", rd + ".builder");
    if (!builderId.startsWith(BUILDER_PREFIX) || builderId.length() == BUILDER_PREFIX.length()) {
      throw new VerificationException(
          Reason.MALFORMED,
          rd
              + ".builder.id: expected "
              + BUILDER_PREFIX
              + "VERSION, found '"
              + JsonFields.shown(builderId)
              + "'");
    }
    JsonNode meta =
        JsonFields.exactObject(
            run, "metadata", Set.of("invocationId", "startedOn", "finishedOn"), rd);
    String invocationId = JsonFields.text(meta, "invocationId", rd + ".metadata");
    Instant started = JsonFields.instant(meta, "startedOn", rd + ".metadata");
    Instant finished = JsonFields.instant(meta, "finishedOn", rd + ".metadata");
    JsonNode byproducts = JsonFields.array(run, "byproducts", rd);
    Sha256 content = null;
    String metrics = null;
    for (int i = 0; i < byproducts.size(); i++) {
      String at = rd + ".byproducts[" + i + "]";
      JsonNode b =
          JsonFields.element(byproducts, i, Set.of("name", "digest", "mediaType", "content"), at);
      String name = JsonFields.text(b, "name", at);
      if (name.equals(CONTENT_BYPRODUCT)) {
        JsonFields.onlyFields(b, Set.of("name", "digest"), at);
        content = once(content, JsonFields.digestSet(b, "digest", at), at, name);
      } else if (name.equals(METRICS_BYPRODUCT)) {
        JsonFields.onlyFields(b, Set.of("name", "mediaType", "content"), at);
        if (metrics != null) {
          throw twice(at, name);
        }
        metrics = metrics(b, at);
      } else {
        throw new VerificationException(
            Reason.MALFORMED,
            at
                + ".name: expected "
                + CONTENT_BYPRODUCT
                + " or "
                + METRICS_BYPRODUCT
                + ", found '"
                + JsonFields.shown(name)
                + "'");
      }
    }
    if (content == null || metrics == null) {
      throw new VerificationException(
          Reason.MALFORMED,
          rd
              + ".byproducts: expected a '"
              + (content == null ? CONTENT_BYPRODUCT : METRICS_BYPRODUCT)
              + "' entry, found none");
    }
    return new Provenance(
        subject.name(),
        subject.sha256(),
        spec,
        seed,
        javaVersion,
        tribuoVersion,
        attestation,
        dataset,
        data,
        new TreeMap<>(jars),
        new TreeMap<>(dirs),
        builderId.substring(BUILDER_PREFIX.length()),
        invocationId,
        started,
        finished,
        content,
        metrics);
  }

  private static String metrics(JsonNode b, String at) throws VerificationException {
    String mediaType = JsonFields.text(b, "mediaType", at);
    if (!METRICS_MEDIA_TYPE.equals(mediaType)) {
      throw new VerificationException(
          Reason.MALFORMED,
          at
              + ".mediaType: expected "
              + METRICS_MEDIA_TYPE
              + ", found '"
              + JsonFields.shown(mediaType)
              + "'");
    }
    try {
      return new String(
          Base64.getDecoder().decode(JsonFields.text(b, "content", at)), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw JsonFields.malformed(at + ".content", "base64", b.get("content"));
    }
  }

  private static void noUri(JsonNode d, String at) throws VerificationException {
    JsonFields.onlyFields(d, Set.of("name", "digest"), at);
  }

  private static Sha256 once(Sha256 previous, Sha256 value, String at, String name)
      throws VerificationException {
    if (previous != null) {
      throw twice(at, name);
    }
    return value;
  }

  private static VerificationException twice(String at, String name) {
    return new VerificationException(
        Reason.MALFORMED, at + ": '" + JsonFields.shown(name) + "' is listed twice");
  }
}
