package dev.custody.core.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The dataset attestation's predicate ({@value #TYPE}, stage INGEST): what ingest read and decided.
 * Per-file digests, row and label counts, the row-level Merkle roots of all rows and of the rows
 * kept after the screens, the schema the rows were checked against and every screen's report. The
 * statement's subject is {@code SPEC-dataset} with digest {@code D} = {@link Rows#merkleRoot()} of
 * {@link #kept()}.
 *
 * <p>One writer, {@link #statement()}, and one strict reader, {@link #read(Statement)}.
 *
 * @param specName the pipeline (model) name
 * @param specVersion the pipeline (model) version
 * @param specDigest SHA-256 of the spec file's bytes
 * @param format {@code csv} or {@code tsv-text}
 * @param lock the data lock file, or null when the spec lists the files itself
 * @param files each data file, in spec order
 * @param rows all rows read and validated
 * @param kept the rows left after the screens' drops (the training table)
 * @param schema the schema the rows were checked against (unbounded range ends written as null)
 * @param canonicalColumns the names of a canonical row's fields, in order
 * @param screens the reports of the screens that ran, in run order
 */
public record DatasetPredicate(
    String specName,
    int specVersion,
    Sha256 specDigest,
    String format,
    DataFile lock,
    List<DataFile> files,
    Rows rows,
    Rows kept,
    FeatureSchema schema,
    List<String> canonicalColumns,
    List<Screen> screens) {
  /** The predicate type. */
  public static final String TYPE = "https://custody.dev/dataset/v1";

  /** The subject name's suffix: the subject is {@code SPEC-dataset}. */
  public static final String SUBJECT_SUFFIX = "-dataset";

  private static final String WHERE = "dataset predicate";
  private static final Set<String> FIELDS =
      Set.of(
          "spec",
          "format",
          "lock",
          "files",
          "rows",
          "kept",
          "schema",
          "canonicalColumns",
          "screens");
  private static final Set<String> FILE_FIELDS = Set.of("source", "digest", "bytes", "rows");
  private static final Set<String> ROWS_FIELDS = Set.of("count", "labels", "merkleRoot");
  private static final Set<String> SCREEN_FIELDS =
      Set.of(
          "screen",
          "policy",
          "rowsChecked",
          "flagged",
          "dropped",
          "testFlagged",
          "statistics",
          "firstRows");
  private static final Set<String> FLAGGED_FIELDS =
      Set.of("source", "line", "id", "label", "detail");

  /**
   * Validates the predicate.
   *
   * @throws IllegalArgumentException if there is no data file or two files have the same source
   */
  public DatasetPredicate {
    Objects.requireNonNull(specName, "specName");
    Objects.requireNonNull(specDigest, "specDigest");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(kept, "kept");
    Objects.requireNonNull(schema, "schema");
    files = List.copyOf(files);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("a dataset has at least one data file");
    }
    Set<String> sources = new HashSet<>();
    for (DataFile f : files) {
      if (!sources.add(f.source())) {
        throw new IllegalArgumentException("data file '" + f.source() + "' is listed twice");
      }
    }
    canonicalColumns = List.copyOf(canonicalColumns);
    screens = List.copyOf(screens);
  }

  /** The data lock file, if the spec named one. */
  public Optional<DataFile> lockFile() {
    return Optional.ofNullable(lock);
  }

  /** The dataset digest {@code D}: the Merkle root of the kept rows, the statement's subject. */
  public Sha256 datasetDigest() {
    return kept.merkleRoot();
  }

  /**
   * One input file.
   *
   * @param source the path or URL as written in the spec or lock
   * @param sha256 the digest of its bytes
   * @param bytes its size
   * @param rows data rows read from it (0 for a lock file)
   */
  public record DataFile(String source, Sha256 sha256, long bytes, long rows) {
    /** Validates the file. */
    public DataFile {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(sha256, "sha256");
    }
  }

  /**
   * A set of rows.
   *
   * @param count how many
   * @param labels rows per label, in allowed-label order
   * @param merkleRoot their row-level Merkle root
   */
  public record Rows(long count, Map<String, Long> labels, Sha256 merkleRoot) {
    /** Validates the rows. */
    public Rows {
      labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
      Objects.requireNonNull(merkleRoot, "merkleRoot");
    }
  }

  /**
   * What one data screen found.
   *
   * @param screen the screen's key in the spec
   * @param policy {@code fail}, {@code warn} or {@code drop}
   * @param rowsChecked rows the screen looked at (the training split's, when a split came first)
   * @param flagged rows it flagged
   * @param dropped rows it removed
   * @param testFlagged rows of the held-out test split the screen would have flagged: the test
   *     split is never screened (its rows are all kept, whatever the policy), this only reports;
   *     {@link #NOT_SCREENED} when the screen did not look at a test split (feedback screens, and
   *     attestations written before the split came first)
   * @param statistics screen-specific figures, in a fixed order (non-finite values are written as
   *     the strings {@code NaN}, {@code Infinity}, {@code -Infinity})
   * @param firstRows the first flagged rows, in data order
   */
  public record Screen(
      String screen,
      String policy,
      long rowsChecked,
      long flagged,
      long dropped,
      long testFlagged,
      Map<String, Double> statistics,
      List<FlaggedRow> firstRows) {
    /** {@link #testFlagged()} of a screen that did not look at a test split. */
    public static final long NOT_SCREENED = -1;

    /** Validates the report. */
    public Screen {
      Objects.requireNonNull(screen, "screen");
      Objects.requireNonNull(policy, "policy");
      if (testFlagged < NOT_SCREENED) {
        throw new IllegalArgumentException("testFlagged must be at least -1, got " + testFlagged);
      }
      statistics = Collections.unmodifiableMap(new LinkedHashMap<>(statistics));
      firstRows = List.copyOf(firstRows);
    }

    /** A report of a screen that did not look at a test split. */
    public Screen(
        String screen,
        String policy,
        long rowsChecked,
        long flagged,
        long dropped,
        Map<String, Double> statistics,
        List<FlaggedRow> firstRows) {
      this(screen, policy, rowsChecked, flagged, dropped, NOT_SCREENED, statistics, firstRows);
    }
  }

  /**
   * A flagged row.
   *
   * @param source the data file
   * @param line the 1-based line in that file
   * @param id the row's id, or the empty string (then not written)
   * @param label the row's label
   * @param detail why it was flagged
   */
  public record FlaggedRow(String source, long line, String id, String label, String detail) {
    /** Validates the row. */
    public FlaggedRow {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(label, "label");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** The statement to sign: subject {@code SPEC-dataset} with digest D, this predicate. */
  public Statement statement() {
    return new Statement(
        List.of(Statement.Subject.of(specName + SUBJECT_SUFFIX, datasetDigest())), TYPE, toJson());
  }

  private ObjectNode toJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode spec = root.putObject("spec");
    spec.put("name", specName);
    spec.put("version", specVersion);
    spec.set("digest", JsonFields.digest(specDigest));
    root.put("format", format);
    if (lock != null) {
      root.set("lock", file(lock));
    }
    ArrayNode fileArray = root.putArray("files");
    files.forEach(f -> fileArray.add(file(f)));
    rows(root.putObject("rows"), rows);
    rows(root.putObject("kept"), kept);
    root.set("schema", SchemaJson.write(schema, SchemaJson.Unbounded.NULL));
    ArrayNode cols = root.putArray("canonicalColumns");
    canonicalColumns.forEach(cols::add);
    ArrayNode screenArray = root.putArray("screens");
    for (Screen s : screens) {
      ObjectNode o = screenArray.addObject();
      o.put("screen", s.screen());
      o.put("policy", s.policy());
      o.put("rowsChecked", s.rowsChecked());
      o.put("flagged", s.flagged());
      o.put("dropped", s.dropped());
      if (s.testFlagged() != Screen.NOT_SCREENED) {
        o.put("testFlagged", s.testFlagged());
      }
      ObjectNode st = o.putObject("statistics");
      s.statistics().forEach(st::put);
      ArrayNode first = o.putArray("firstRows");
      for (FlaggedRow f : s.firstRows()) {
        ObjectNode r = first.addObject();
        r.put("source", f.source());
        r.put("line", f.line());
        if (!f.id().isEmpty()) {
          r.put("id", f.id());
        }
        r.put("label", f.label());
        r.put("detail", f.detail());
      }
    }
    return root;
  }

  private static ObjectNode file(DataFile f) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("source", f.source());
    o.set("digest", JsonFields.digest(f.sha256()));
    o.put("bytes", f.bytes());
    o.put("rows", f.rows());
    return o;
  }

  private static void rows(ObjectNode o, Rows r) {
    o.put("count", r.count());
    ObjectNode labels = o.putObject("labels");
    r.labels().forEach(labels::put);
    o.set("merkleRoot", JsonFields.digest(r.merkleRoot()));
  }

  /**
   * Reads a verified dataset statement strictly.
   *
   * @throws VerificationException {@link Reason#UNSUPPORTED} for another predicate type; {@link
   *     Reason#MALFORMED} naming the JSON path for an unknown, missing or mistyped field, a data
   *     file or screen listed twice, no data file, or a subject other than {@code SPEC-dataset}
   *     with the kept rows' Merkle root
   */
  public static DatasetPredicate read(Statement st) throws VerificationException {
    JsonFields.requireType(st, TYPE, "dataset attestation");
    Statement.Subject subject = JsonFields.subject(st, "dataset attestation");
    JsonNode p = JsonFields.predicate(st, FIELDS, WHERE);
    JsonNode spec = JsonFields.exactObject(p, "spec", Set.of("name", "version", "digest"), WHERE);
    String specName = JsonFields.text(spec, "name", WHERE + ".spec");
    int specVersion = JsonFields.positiveInt(spec, "version", WHERE + ".spec");
    Sha256 specDigest = JsonFields.digestSet(spec, "digest", WHERE + ".spec");
    String format = JsonFields.text(p, "format", WHERE);
    DataFile lock = null;
    if (p.has("lock")) {
      JsonFields.exactObject(p, "lock", FILE_FIELDS, WHERE);
      lock = readFile(p.get("lock"), WHERE + ".lock");
    }
    JsonNode filesNode = JsonFields.array(p, "files", WHERE);
    List<DataFile> files = new ArrayList<>();
    Set<String> sources = new HashSet<>();
    for (int i = 0; i < filesNode.size(); i++) {
      String at = WHERE + ".files[" + i + "]";
      DataFile f = readFile(JsonFields.element(filesNode, i, FILE_FIELDS, at), at);
      if (!sources.add(f.source())) {
        throw new VerificationException(
            Reason.MALFORMED,
            at + ": data file '" + JsonFields.shown(f.source()) + "' is listed twice");
      }
      files.add(f);
    }
    if (files.isEmpty()) {
      throw new VerificationException(
          Reason.MALFORMED, WHERE + ".files: expected at least one file, found none");
    }
    Rows rows = readRows(p, "rows");
    Rows kept = readRows(p, "kept");
    FeatureSchema schema = SchemaJson.read(p, "schema", WHERE, SchemaJson.Unbounded.NULL);
    List<String> columns = JsonFields.strings(p, "canonicalColumns", WHERE);
    List<Screen> screens = new ArrayList<>();
    Set<String> screenNames = new HashSet<>();
    JsonNode screensNode = JsonFields.array(p, "screens", WHERE);
    for (int i = 0; i < screensNode.size(); i++) {
      String at = WHERE + ".screens[" + i + "]";
      Screen s = readScreen(JsonFields.element(screensNode, i, SCREEN_FIELDS, at), at);
      if (!screenNames.add(s.screen())) {
        throw new VerificationException(
            Reason.MALFORMED,
            at + ": screen '" + JsonFields.shown(s.screen()) + "' is listed twice");
      }
      screens.add(s);
    }
    String expectedSubject = specName + SUBJECT_SUFFIX;
    if (!subject.name().equals(expectedSubject) || !subject.sha256().matches(kept.merkleRoot())) {
      throw new VerificationException(
          Reason.MALFORMED,
          "dataset attestation: expected subject "
              + JsonFields.shown(expectedSubject)
              + " "
              + kept.merkleRoot()
              + " (the kept rows' Merkle root), found "
              + JsonFields.shown(subject.name())
              + " "
              + subject.digest());
    }
    return new DatasetPredicate(
        specName,
        specVersion,
        specDigest,
        format,
        lock,
        files,
        rows,
        kept,
        schema,
        columns,
        screens);
  }

  private static DataFile readFile(JsonNode f, String at) throws VerificationException {
    JsonFields.onlyFields(f, FILE_FIELDS, at);
    return new DataFile(
        JsonFields.text(f, "source", at),
        JsonFields.digestSet(f, "digest", at),
        JsonFields.count(f, "bytes", at),
        JsonFields.count(f, "rows", at));
  }

  private static Rows readRows(JsonNode p, String field) throws VerificationException {
    JsonNode r = JsonFields.exactObject(p, field, ROWS_FIELDS, WHERE);
    String at = WHERE + "." + field;
    JsonNode labelsNode = JsonFields.object(r, "labels", at);
    Map<String, Long> labels = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : labelsNode.properties()) {
      labels.put(e.getKey(), JsonFields.count(labelsNode, e.getKey(), at + ".labels"));
    }
    return new Rows(
        JsonFields.count(r, "count", at), labels, JsonFields.digestSet(r, "merkleRoot", at));
  }

  private static Screen readScreen(JsonNode s, String at) throws VerificationException {
    JsonNode statsNode = JsonFields.object(s, "statistics", at);
    Map<String, Double> statistics = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : statsNode.properties()) {
      statistics.put(e.getKey(), statistic(e.getValue(), at + ".statistics." + e.getKey()));
    }
    JsonNode firstNode = JsonFields.array(s, "firstRows", at);
    List<FlaggedRow> first = new ArrayList<>();
    for (int i = 0; i < firstNode.size(); i++) {
      String fi = at + ".firstRows[" + i + "]";
      JsonNode f = JsonFields.element(firstNode, i, FLAGGED_FIELDS, fi);
      first.add(
          new FlaggedRow(
              JsonFields.text(f, "source", fi),
              JsonFields.count(f, "line", fi),
              f.has("id") ? JsonFields.text(f, "id", fi) : "",
              JsonFields.text(f, "label", fi),
              JsonFields.anyText(f, "detail", fi)));
    }
    return new Screen(
        JsonFields.text(s, "screen", at),
        JsonFields.text(s, "policy", at),
        JsonFields.count(s, "rowsChecked", at),
        JsonFields.count(s, "flagged", at),
        JsonFields.count(s, "dropped", at),
        s.has("testFlagged") ? JsonFields.count(s, "testFlagged", at) : Screen.NOT_SCREENED,
        statistics,
        first);
  }

  /** A number, or the string Jackson writes for a non-finite double. */
  private static double statistic(JsonNode v, String at) throws VerificationException {
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isTextual()) {
      switch (v.asText()) {
        case "NaN" -> {
          return Double.NaN;
        }
        case "Infinity" -> {
          return Double.POSITIVE_INFINITY;
        }
        case "-Infinity" -> {
          return Double.NEGATIVE_INFINITY;
        }
        default -> {}
      }
    }
    throw JsonFields.malformed(at, "a number", v);
  }
}
