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
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The gate attestation's predicate ({@value #TYPE}, stage EVALUATE, shaped like in-toto's
 * evaluation result): each release gate with what was measured, on which data, against which
 * threshold. The subject is the model with root digest {@code R}.
 *
 * <p>One writer, {@link #statement()}, and one strict reader, {@link #read(Statement)}.
 *
 * @param modelName the model's name (the subject's name)
 * @param rootDigest the model root digest {@code R} (the subject's digest)
 * @param passed whether every gate passed
 * @param provenance the SHA-256 of the provenance file's bytes
 * @param contentDigest the model content digest
 * @param gates the gates, in evaluation order
 * @param crossValidation the fold metrics of the spec's k-fold cross-validation, or null when it
 *     asks for none (then the field is not written)
 */
public record GatePredicate(
    String modelName,
    Sha256 rootDigest,
    boolean passed,
    Sha256 provenance,
    Sha256 contentDigest,
    List<Gate> gates,
    CrossValidation crossValidation) {
  /** The predicate type. */
  public static final String TYPE = "https://custody.dev/gate/v1";

  /** The comparator of a minimum: observed at least the threshold. */
  public static final String GE = ">=";

  /** The comparator of a maximum (max-change gates): observed at most the threshold. */
  public static final String LE = "<=";

  /** The comparator of an exact requirement (the canary gate). */
  public static final String EQ = "==";

  /** The suffix of a max-change gate's metric: {@code accuracy-drop}. */
  public static final String DROP_SUFFIX = "-drop";

  private static final Set<String> COMPARATORS = Set.of(GE, LE, EQ);

  private static final String WHERE = "gate predicate";
  private static final Set<String> GATE_FIELDS =
      Set.of(
          "name",
          "metric",
          "comparator",
          "threshold",
          "observed",
          "passed",
          "sampleSize",
          "dataset",
          "baseline");

  private static final Set<String> CV_FIELDS = Set.of("folds", "seed", "rows", "metrics");
  private static final Set<String> CV_METRIC_FIELDS = Set.of("perFold", "mean", "std");

  /** Validates the predicate. */
  public GatePredicate {
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(rootDigest, "rootDigest");
    Objects.requireNonNull(provenance, "provenance");
    Objects.requireNonNull(contentDigest, "contentDigest");
    gates = List.copyOf(gates);
  }

  /** A predicate without cross-validation. */
  public GatePredicate(
      String modelName,
      Sha256 rootDigest,
      boolean passed,
      Sha256 provenance,
      Sha256 contentDigest,
      List<Gate> gates) {
    this(modelName, rootDigest, passed, provenance, contentDigest, gates, null);
  }

  /**
   * K-fold cross-validation of the trainer on the training split.
   *
   * @param folds the number of folds
   * @param seed the seed of the (stratified) fold assignment
   * @param rows the training rows divided into folds
   * @param metrics metric name ({@code accuracy}, {@code auc}) → its value on each held-out fold
   */
  public record CrossValidation(int folds, long seed, long rows, Map<String, FoldMetric> metrics) {
    /** Validates the result. */
    public CrossValidation {
      metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }
  }

  /**
   * One metric over the folds.
   *
   * @param perFold its value on each held-out fold, in fold order
   * @param mean their mean
   * @param std their population standard deviation
   */
  public record FoldMetric(List<Double> perFold, double mean, double std) {
    /** Validates the metric. */
    public FoldMetric {
      perFold = List.copyOf(perFold);
    }

    /** The mean and standard deviation of {@code values}. */
    public static FoldMetric of(List<Double> values) {
      double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      double var =
          values.stream().mapToDouble(v -> (v - mean) * (v - mean)).average().orElse(Double.NaN);
      return new FoldMetric(values, mean, Math.sqrt(var));
    }
  }

  /**
   * A predicate over {@code gates}, {@link #passed()} when every one of them passed.
   *
   * @param modelName the model's name
   * @param rootDigest the model root digest {@code R}
   * @param provenance the SHA-256 of the provenance file's bytes
   * @param contentDigest the model content digest
   * @param gates the gates, in evaluation order
   */
  public static GatePredicate of(
      String modelName,
      Sha256 rootDigest,
      Sha256 provenance,
      Sha256 contentDigest,
      List<Gate> gates) {
    return of(modelName, rootDigest, provenance, contentDigest, gates, null);
  }

  /**
   * A predicate over {@code gates} with the fold metrics of a cross-validation.
   *
   * @param crossValidation the fold metrics, or null for none
   */
  public static GatePredicate of(
      String modelName,
      Sha256 rootDigest,
      Sha256 provenance,
      Sha256 contentDigest,
      List<Gate> gates,
      CrossValidation crossValidation) {
    return new GatePredicate(
        modelName,
        rootDigest,
        gates.stream().allMatch(Gate::passed),
        provenance,
        contentDigest,
        gates,
        crossValidation);
  }

  /**
   * A data set or model named with its digest.
   *
   * @param name its name
   * @param sha256 its digest
   */
  public record Named(String name, Sha256 sha256) {
    /** Validates the reference. */
    public Named {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(sha256, "sha256");
    }
  }

  /**
   * One release gate, evaluated.
   *
   * @param name {@code test-METRIC}, {@code golden-METRIC}, {@code canary} or {@code
   *     max-change-METRIC}
   * @param metric what was measured
   * @param comparator {@code >=}, {@code ==} or {@code <=}
   * @param threshold the required value
   * @param observed the measured value ({@code NaN}, written as null, when undefined)
   * @param passed whether {@code observed comparator threshold} holds
   * @param sampleSize rows evaluated
   * @param dataset what was evaluated, with its digest
   * @param baseline the baseline model of a max-change gate, or null
   */
  public record Gate(
      String name,
      String metric,
      String comparator,
      double threshold,
      double observed,
      boolean passed,
      long sampleSize,
      Named dataset,
      Named baseline) {
    /** Validates the gate. */
    public Gate {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(metric, "metric");
      Objects.requireNonNull(comparator, "comparator");
      Objects.requireNonNull(dataset, "dataset");
    }

    /** The baseline of a max-change gate. */
    public Optional<Named> baselineModel() {
      return Optional.ofNullable(baseline);
    }

    /**
     * Whether {@code observed comparator threshold} holds: what {@link #passed()} must say. An
     * undefined observation ({@code NaN}) holds for no comparator.
     */
    public boolean holds() {
      return switch (comparator) {
        case GE -> observed >= threshold;
        case LE -> observed <= threshold;
        case EQ -> observed == threshold;
        default -> false;
      };
    }

    /**
     * Whether the gate cannot fail: it was measured on no rows, or its threshold lets every value
     * of the metric pass. Every Custody metric is a fraction in [0, 1], and a max-change metric
     * ({@code <metric>-drop}) a difference of two in [-1, 1]; so {@code >=} a threshold at or below
     * the lowest value, or {@code <=} one at or above the highest, decides nothing.
     */
    public boolean vacuous() {
      boolean drop = metric.endsWith(DROP_SUFFIX);
      double lowest = drop ? -1.0 : 0.0;
      double highest = 1.0;
      return sampleSize < 1
          || (comparator.equals(GE) && threshold <= lowest)
          || (comparator.equals(LE) && threshold >= highest);
    }

    /** One line: {@code test-accuracy (accuracy 0.8157 >= 0.81)}. */
    public String describe() {
      return name
          + " ("
          + metric
          + " "
          + (Double.isNaN(observed) ? "undefined" : format(observed))
          + " "
          + comparator
          + " "
          + format(threshold)
          + ")";
    }

    private static String format(double v) {
      return String.format(Locale.ROOT, "%s", v);
    }
  }

  /** The statement to sign: subject the model with digest R, this predicate. */
  public Statement statement() {
    ObjectNode predicate = JsonNodeFactory.instance.objectNode();
    predicate.put("passed", passed);
    predicate.set("provenance", JsonFields.digest(provenance));
    predicate.put("contentDigest", contentDigest.hex());
    ArrayNode list = predicate.putArray("gates");
    for (Gate g : gates) {
      ObjectNode o = list.addObject();
      o.put("name", g.name());
      o.put("metric", g.metric());
      o.put("comparator", g.comparator());
      o.put("threshold", g.threshold());
      if (Double.isNaN(g.observed())) {
        o.putNull("observed");
      } else {
        o.put("observed", g.observed());
      }
      o.put("passed", g.passed());
      o.put("sampleSize", g.sampleSize());
      o.putObject("dataset")
          .put("name", g.dataset().name())
          .put("sha256", g.dataset().sha256().hex());
      if (g.baseline() != null) {
        o.putObject("baseline")
            .put("name", g.baseline().name())
            .put("sha256", g.baseline().sha256().hex());
      }
    }
    if (crossValidation != null) {
      ObjectNode cv = predicate.putObject("crossValidation");
      cv.put("folds", crossValidation.folds());
      cv.put("seed", crossValidation.seed());
      cv.put("rows", crossValidation.rows());
      ObjectNode metrics = cv.putObject("metrics");
      crossValidation
          .metrics()
          .forEach(
              (name, m) -> {
                ObjectNode o = metrics.putObject(name);
                ArrayNode folds = o.putArray("perFold");
                m.perFold().forEach(folds::add);
                o.put("mean", m.mean());
                o.put("std", m.std());
              });
    }
    return new Statement(List.of(Statement.Subject.of(modelName, rootDigest)), TYPE, predicate);
  }

  /**
   * Reads a verified gate statement strictly.
   *
   * @throws VerificationException {@link Reason#UNSUPPORTED} for another predicate type; {@link
   *     Reason#MALFORMED} naming the JSON path for an unknown, missing or mistyped field, a
   *     comparator other than {@code >=}, {@code <=} and {@code ==}, or a gate listed twice
   */
  public static GatePredicate read(Statement st) throws VerificationException {
    JsonFields.requireType(st, TYPE, "gate attestation");
    Statement.Subject subject = JsonFields.subject(st, "gate attestation");
    JsonNode p =
        JsonFields.predicate(
            st, Set.of("passed", "provenance", "contentDigest", "gates", "crossValidation"), WHERE);
    boolean passed = JsonFields.bool(p, "passed", WHERE);
    Sha256 provenance = JsonFields.digestSet(p, "provenance", WHERE);
    Sha256 content = JsonFields.hex(p, "contentDigest", WHERE);
    JsonNode gates = JsonFields.array(p, "gates", WHERE);
    List<Gate> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < gates.size(); i++) {
      String at = WHERE + ".gates[" + i + "]";
      JsonNode g = JsonFields.element(gates, i, GATE_FIELDS, at);
      String name = JsonFields.text(g, "name", at);
      if (!names.add(name)) {
        throw new VerificationException(
            Reason.MALFORMED, at + ": '" + JsonFields.shown(name) + "' is listed twice");
      }
      JsonNode observed = g.get("observed");
      String comparator = JsonFields.text(g, "comparator", at);
      if (!COMPARATORS.contains(comparator)) {
        throw new VerificationException(
            Reason.MALFORMED,
            at
                + ".comparator: expected one of "
                + new TreeSet<>(COMPARATORS)
                + ", found '"
                + JsonFields.shown(comparator)
                + "'");
      }
      out.add(
          new Gate(
              name,
              JsonFields.text(g, "metric", at),
              comparator,
              JsonFields.number(g, "threshold", at),
              observed != null && observed.isNull()
                  ? Double.NaN
                  : JsonFields.number(g, "observed", at),
              JsonFields.bool(g, "passed", at),
              JsonFields.count(g, "sampleSize", at),
              named(g, "dataset", at),
              g.has("baseline") ? named(g, "baseline", at) : null));
    }
    CrossValidation cv = p.has("crossValidation") ? crossValidation(p) : null;
    return new GatePredicate(
        subject.name(), subject.sha256(), passed, provenance, content, out, cv);
  }

  private static CrossValidation crossValidation(JsonNode p) throws VerificationException {
    String at = WHERE + ".crossValidation";
    JsonNode cv = JsonFields.exactObject(p, "crossValidation", CV_FIELDS, WHERE);
    JsonNode metricsNode = JsonFields.object(cv, "metrics", at);
    Map<String, FoldMetric> metrics = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : metricsNode.properties()) {
      String mat = at + ".metrics." + e.getKey();
      JsonNode m =
          JsonFields.exactObject(metricsNode, e.getKey(), CV_METRIC_FIELDS, at + ".metrics");
      JsonNode folds = JsonFields.array(m, "perFold", mat);
      List<Double> perFold = new ArrayList<>();
      for (int i = 0; i < folds.size(); i++) {
        if (!folds.get(i).isNumber()) {
          throw JsonFields.malformed(mat + ".perFold[" + i + "]", "a number", folds.get(i));
        }
        perFold.add(folds.get(i).asDouble());
      }
      metrics.put(
          e.getKey(),
          new FoldMetric(
              perFold, JsonFields.number(m, "mean", mat), JsonFields.number(m, "std", mat)));
    }
    long folds = JsonFields.count(cv, "folds", at);
    if (folds < 2 || folds > Integer.MAX_VALUE) {
      throw new VerificationException(
          Reason.MALFORMED, at + ".folds: expected at least 2, found " + folds);
    }
    return new CrossValidation(
        (int) folds, JsonFields.integer(cv, "seed", at), JsonFields.count(cv, "rows", at), metrics);
  }

  private static Named named(JsonNode g, String field, String at) throws VerificationException {
    JsonNode n = JsonFields.exactObject(g, field, Set.of("name", "sha256"), at);
    return new Named(
        JsonFields.text(n, "name", at + "." + field),
        JsonFields.hex(n, "sha256", at + "." + field));
  }
}
