package dev.custody.train.spec;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.YamlReader;
import dev.custody.core.YamlReader.Obj;
import dev.custody.core.YamlTree;
import dev.custody.core.YamlTree.Node;
import dev.custody.core.YamlTree.Scalar;
import dev.custody.core.chain.FeatureSchema;
import dev.custody.core.chain.FeatureSchema.CategoricalColumn;
import dev.custody.core.chain.FeatureSchema.LabelColumn;
import dev.custody.core.chain.FeatureSchema.NumericColumn;
import dev.custody.core.chain.FeatureSchema.TextColumn;
import dev.custody.core.feedback.FeedbackLabels;
import dev.custody.train.spec.PipelineSpec.CanaryGate;
import dev.custody.train.spec.PipelineSpec.Data;
import dev.custody.train.spec.PipelineSpec.FileList;
import dev.custody.train.spec.PipelineSpec.Format;
import dev.custody.train.spec.PipelineSpec.Gates;
import dev.custody.train.spec.PipelineSpec.GoldenGate;
import dev.custody.train.spec.PipelineSpec.LocalFile;
import dev.custody.train.spec.PipelineSpec.LockFile;
import dev.custody.train.spec.PipelineSpec.MaxChangeGate;
import dev.custody.train.spec.PipelineSpec.RemoteFile;
import dev.custody.train.spec.PipelineSpec.Source;
import dev.custody.train.spec.PipelineSpec.Split;
import dev.custody.train.spec.ScreenSpec.Policy;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads a {@link PipelineSpec} (and data lock files) from YAML, strictly. */
public final class SpecParser {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** The screen keys, in run order. */
  private static final List<String> SCREENS =
      List.of("duplicates", "conflicts", "outliers", "labelNoise", "labelChanges");

  private final YamlReader r;

  /** A parser naming {@code sourceName} in its error messages. */
  public SpecParser(String sourceName) {
    this.r = new YamlReader(sourceName, Reason.SPEC_INVALID);
  }

  PipelineSpec parse(byte[] yaml, Path baseDirectory) throws PipelineException {
    Obj root =
        r.map(
            r.parse(yaml),
            "name",
            "version",
            "data",
            "format",
            "schema",
            "split",
            "trainer",
            "screens",
            "gates",
            "feedback",
            "evaluation");
    Node nameNode = root.required("name");
    String name = r.string(nameNode);
    if (!NAME.matcher(name).matches()) {
      throw r.error(
          nameNode, "expected a name of letters, digits, '.', '_', '-', found \"" + name + "\"");
    }
    int version = (int) r.integer(root.required("version"), 1, Integer.MAX_VALUE);
    Data data = data(root.required("data"));
    Format format = Format.of(r.oneOf(root.required("format"), "csv", "tsv-text"));
    FeatureSchema schema = schema(root.required("schema"), format);
    Split split = split(root.required("split"));
    TrainerSpec trainer = trainer(root.required("trainer"), split.seed());
    List<ScreenSpec> screens = screens(root.optional("screens"), split.seed(), schema);
    Gates gates = gates(root.optional("gates"), schema);
    Node fb = root.optional("feedback");
    FeedbackSpec feedback = fb == null ? null : feedback(fb, schema);
    Node ev = root.optional("evaluation");
    PipelineSpec.CrossValidation cv = ev == null ? null : evaluation(ev, split.seed());
    return new PipelineSpec(
        yaml,
        r.source(),
        baseDirectory,
        name,
        version,
        data,
        format,
        schema,
        split,
        trainer,
        screens,
        gates,
        feedback,
        cv);
  }

  /** The {@code evaluation} section: {@code crossValidation: {folds, seed, minimum}}. */
  private PipelineSpec.CrossValidation evaluation(Node node, long defaultSeed)
      throws PipelineException {
    Obj o = r.map(node, "crossValidation");
    Obj cv = r.map(o.required("crossValidation"), "folds", "seed", "minimum");
    Node seed = cv.optional("seed");
    Node min = cv.optional("minimum");
    Map<String, Double> minimum = new LinkedHashMap<>();
    if (min != null) {
      Obj m = r.map(min, "accuracy", "auc");
      for (String key : m.node().entries().keySet()) {
        minimum.put(key, r.number(m.required(key), 0, false, 1, true));
      }
    }
    return new PipelineSpec.CrossValidation(
        (int) r.integer(cv.required("folds"), 2, 20),
        seed == null ? defaultSeed : r.integer(seed, Long.MIN_VALUE, Long.MAX_VALUE),
        minimum);
  }

  /** A lock file: {@code files: [{path | url, sha256}, ...]}. */
  public List<Source> parseLock(byte[] yaml) throws PipelineException {
    Obj root = r.map(r.parse(yaml), "files");
    return sources(root.required("files"));
  }

  private Data data(Node node) throws PipelineException {
    if (node instanceof YamlTree.ListNode) {
      return new FileList(sources(node));
    }
    Obj o = r.map(node, "lock", "sha256");
    String path = r.string(o.required("lock"));
    Node sha = o.optional("sha256");
    return new LockFile(path, sha == null ? null : r.sha256(sha));
  }

  private List<Source> sources(Node node) throws PipelineException {
    List<Source> out = new ArrayList<>();
    for (Node item : r.nonEmptyList(node)) {
      out.add(source(item));
    }
    return out;
  }

  private Source source(Node node) throws PipelineException {
    Obj o = r.map(node, "path", "url", "sha256");
    String which = o.exactlyOne("path", "url");
    Sha256 sha = r.sha256(o.required("sha256"));
    if (which.equals("path")) {
      return new LocalFile(r.string(o.required("path")), sha);
    }
    Node urlNode = o.required("url");
    String text = r.string(urlNode);
    URI url;
    try {
      url = new URI(text);
    } catch (URISyntaxException e) {
      throw r.error(urlNode, "expected a URL, found \"" + text + "\" (" + e.getReason() + ")");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("https") || scheme.equals("http")) || url.getHost() == null) {
      throw r.error(
          urlNode, "expected an https:// or http:// URL with a host, found \"" + text + "\"");
    }
    return new RemoteFile(url, sha);
  }

  private FeatureSchema schema(Node node, Format format) throws PipelineException {
    Obj o = r.map(node, "id", "label", "numeric", "categorical", "text");
    Map<String, Node> seen = new HashMap<>();
    Node idNode = o.optional("id");
    String id = idNode == null ? null : column(idNode);

    Obj label = r.map(o.required("label"), "column", "allowed");
    Node labelColNode = label.required("column");
    String labelColumn = column(labelColNode);
    if (labelColumn.equals(id)) {
      throw r.error(labelColNode, "the label column cannot also be the id column");
    }
    seen.put(labelColumn, labelColNode);
    Node allowedNode = label.required("allowed");
    List<String> labels = values(allowedNode);
    if (labels.size() < 2) {
      throw r.error(allowedNode, "expected at least two allowed labels, found " + labels.size());
    }

    List<NumericColumn> numeric = new ArrayList<>();
    Node numNode = o.optional("numeric");
    if (numNode != null) {
      for (Node item : r.list(numNode)) {
        Node colNode;
        double min = Double.NEGATIVE_INFINITY;
        double max = Double.POSITIVE_INFINITY;
        if (item instanceof Scalar) {
          colNode = item;
        } else {
          Obj n = r.map(item, "column", "min", "max");
          colNode = n.required("column");
          Node minNode = n.optional("min");
          Node maxNode = n.optional("max");
          if (minNode != null) {
            min = r.number(minNode);
          }
          if (maxNode != null) {
            max = r.number(maxNode);
            if (max < min) {
              throw r.error(maxNode, "expected max >= min (" + min + "), found " + max);
            }
          }
        }
        numeric.add(new NumericColumn(featureColumn(colNode, seen), min, max));
      }
    }

    List<CategoricalColumn> categorical = new ArrayList<>();
    Node catNode = o.optional("categorical");
    if (catNode != null) {
      for (Node item : r.list(catNode)) {
        Obj c = r.map(item, "column", "allowed");
        String col = featureColumn(c.required("column"), seen);
        Node valuesNode = c.required("allowed");
        List<String> allowed = values(valuesNode);
        if (allowed.isEmpty()) {
          throw r.error(valuesNode, "expected at least one allowed value, found none");
        }
        categorical.add(new CategoricalColumn(col, allowed));
      }
    }

    List<TextColumn> text = new ArrayList<>();
    Node textNode = o.optional("text");
    if (textNode != null) {
      for (Node item : r.list(textNode)) {
        Node colNode = item instanceof Scalar ? item : r.map(item, "column").required("column");
        text.add(new TextColumn(featureColumn(colNode, seen)));
      }
    }
    if (numeric.isEmpty() && categorical.isEmpty() && text.isEmpty()) {
      throw r.error(
          node, "expected at least one feature (numeric, categorical or text), found none");
    }
    if (format == Format.TSV_TEXT) {
      if (!labelColumn.equals("label")) {
        throw r.error(
            labelColNode,
            "tsv-text names its columns label and text; found \"" + labelColumn + "\"");
      }
      if (id != null
          || !numeric.isEmpty()
          || !categorical.isEmpty()
          || text.size() != 1
          || !text.get(0).column().equals("text")) {
        throw r.error(
            node,
            "tsv-text has exactly the columns label and text: expected no id, no numeric or"
                + " categorical features and text: [text]");
      }
    }
    try {
      return new FeatureSchema(
          id, new LabelColumn(labelColumn, labels), numeric, categorical, text);
    } catch (IllegalArgumentException e) {
      throw r.error(node, e.getMessage());
    }
  }

  private String column(Node node) throws PipelineException {
    return r.string(node);
  }

  /** A feature column: unique, not the label, no '@' (the feature-name separator). */
  private String featureColumn(Node node, Map<String, Node> seen) throws PipelineException {
    String col = column(node);
    if (col.indexOf('@') >= 0) {
      throw r.error(node, "a feature column name cannot contain '@', found \"" + col + "\"");
    }
    Node first = seen.putIfAbsent(col, node);
    if (first != null) {
      throw r.error(node, "column \"" + col + "\" is already used at " + first.location());
    }
    return col;
  }

  private List<String> values(Node node) throws PipelineException {
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Node item : r.list(node)) {
      String v = r.dataValue(item);
      if (!seen.add(v)) {
        throw r.error(item, "duplicate value \"" + v + "\"");
      }
      out.add(v);
    }
    return out;
  }

  private Split split(Node node) throws PipelineException {
    Obj o = r.map(node, "testFraction", "seed", "stratify");
    double f = r.number(o.required("testFraction"), 0, false, 1, false);
    long seed = r.integer(o.required("seed"), Long.MIN_VALUE, Long.MAX_VALUE);
    Node stratify = o.optional("stratify");
    return new Split(f, seed, stratify == null || r.bool(stratify));
  }

  /**
   * The {@code trainer} section, straight into its typed record: the keys each type accepts, their
   * types, and the rules no record field carries (entropy, a tree count, a CART feature fraction).
   * Ranges are the records' own; a violation is reported at its key.
   */
  private TrainerSpec trainer(Node node, long defaultSeed) throws PipelineException {
    Obj o = r.map(node, "type", "params");
    String type =
        r.oneOf(
            o.required("type"),
            "logistic",
            "logistic-lbfgs",
            "cart",
            "random-forest",
            "hist-cart",
            "hist-forest");
    Node params = o.optional("params");
    if (type.equals("logistic")) {
      ParamReader p =
          new ParamReader(
              node, params, "epochs", "learningRate", "minibatch", "standardize", "seed");
      double learningRate =
          p.number("learningRate", TrainerSpec.LogisticRegression.DEFAULT_LEARNING_RATE);
      int epochs = p.integer("epochs", TrainerSpec.LogisticRegression.DEFAULT_EPOCHS);
      int minibatch = p.integer("minibatch", TrainerSpec.LogisticRegression.DEFAULT_MINIBATCH);
      Node standardizeNode = p.node("standardize");
      // Standardizing makes every example dense: off for bag-of-words text (thousands of tokens).
      boolean standardize = standardizeNode == null || r.bool(standardizeNode);
      long seed = p.longInteger("seed", defaultSeed);
      try {
        return new TrainerSpec.LogisticRegression(
            learningRate, epochs, minibatch, standardize, seed);
      } catch (InvalidParameter e) {
        throw p.invalid(e);
      }
    }
    if (type.equals("logistic-lbfgs")) {
      ParamReader p =
          new ParamReader(node, params, "l2", "tolerance", "maxIterations", "standardize", "seed");
      double l2 = p.number("l2", TrainerSpec.LbfgsLogistic.DEFAULT_L2);
      double tolerance = p.number("tolerance", TrainerSpec.LbfgsLogistic.DEFAULT_TOLERANCE);
      int maxIterations =
          p.integer("maxIterations", TrainerSpec.LbfgsLogistic.DEFAULT_MAX_ITERATIONS);
      Node standardizeNode = p.node("standardize");
      boolean standardize = standardizeNode == null || r.bool(standardizeNode);
      long seed = p.longInteger("seed", defaultSeed);
      try {
        return new TrainerSpec.LbfgsLogistic(l2, tolerance, maxIterations, standardize, seed);
      } catch (InvalidParameter e) {
        throw p.invalid(e);
      }
    }
    boolean forest = type.equals("random-forest") || type.equals("hist-forest");
    boolean histogram = type.startsWith("hist-");
    List<String> keys =
        new ArrayList<>(List.of("maxDepth", "minLeaf", "featureFraction", "impurity", "seed"));
    if (forest) {
      keys.add("trees");
    }
    if (histogram) {
      keys.add("bins");
    }
    ParamReader p = new ParamReader(node, params, keys.toArray(new String[0]));
    Node impurity = p.node("impurity");
    if (impurity != null) {
      String found = r.string(impurity);
      if (!found.equals("gini")) {
        throw r.error(
            impurity,
            "expected gini (the only impurity the safe model loader's allow-list admits), found \""
                + found
                + "\"");
      }
    }
    int maxDepth = p.integer("maxDepth", TrainerSpec.UNLIMITED_DEPTH);
    float minLeaf = (float) p.number("minLeaf", TrainerSpec.Cart.DEFAULT_MIN_LEAF);
    long seed = p.longInteger("seed", defaultSeed);
    Node fraction = p.node("featureFraction");
    try {
      if (!forest) {
        if (fraction != null && r.number(fraction) != 1.0) {
          throw r.error(
              fraction,
              "a single CART tree considers every feature: expected 1, found "
                  + r.number(fraction)
                  + " (use type "
                  + (histogram ? "hist-forest" : "random-forest")
                  + " to sample features)");
        }
        return histogram
            ? new TrainerSpec.HistCart(
                maxDepth, minLeaf, p.integer("bins", TrainerSpec.MAX_BINS), seed)
            : new TrainerSpec.Cart(maxDepth, minLeaf, 0f, seed);
      }
      if (p.node("trees") == null) {
        throw r.error(
            params == null ? node : params,
            "missing required key \"trees\" (a random forest has no default number of trees)");
      }
      int trees = p.integer("trees", 0);
      Float featureFraction = fraction == null ? null : (float) r.number(fraction);
      if (histogram) {
        return new TrainerSpec.HistForest(
            trees,
            maxDepth,
            minLeaf,
            featureFraction,
            p.integer("bins", TrainerSpec.MAX_BINS),
            seed);
      }
      return new TrainerSpec.RandomForest(trees, maxDepth, minLeaf, featureFraction, seed);
    } catch (InvalidParameter e) {
      throw p.invalid(e);
    }
  }

  /** The {@code screens} section, straight into the typed records, in run order. */
  private List<ScreenSpec> screens(Node node, long defaultSeed, FeatureSchema schema)
      throws PipelineException {
    List<ScreenSpec> out = new ArrayList<>();
    if (node == null) {
      return out;
    }
    Obj o = r.map(node, SCREENS.toArray(new String[0]));
    for (String name : SCREENS) {
      Node s = o.optional(name);
      if (s != null) {
        out.add(screen(name, s, defaultSeed, schema));
      }
    }
    return out;
  }

  private ScreenSpec screen(String name, Node node, long defaultSeed, FeatureSchema schema)
      throws PipelineException {
    Obj o = r.map(node, "policy", "params");
    Policy policy =
        Policy.valueOf(
            r.oneOf(o.required("policy"), "fail", "warn", "drop").toUpperCase(Locale.ROOT));
    List<String> keys = new ArrayList<>(List.of("reportRows", "maxFlagged"));
    switch (name) {
      case "outliers" -> keys.addAll(List.of("threshold", "perClass"));
      case "labelNoise" ->
          keys.addAll(List.of("folds", "epochs", "seed", "expand", "bins", "model"));
      case "labelChanges" -> keys.add("baseline");
      default -> {}
    }
    ParamReader p = new ParamReader(node, o.optional("params"), keys.toArray(new String[0]));
    long maxFlagged = p.longInteger("maxFlagged", ScreenSpec.DEFAULT_MAX_FLAGGED);
    int reportRows = p.integer("reportRows", ScreenSpec.DEFAULT_REPORT_ROWS);
    try {
      return switch (name) {
        case "duplicates" -> new ScreenSpec.Duplicates(policy, maxFlagged, reportRows);
        case "conflicts" -> new ScreenSpec.Conflicts(policy, maxFlagged, reportRows);
        case "outliers" ->
            new ScreenSpec.Outliers(
                policy,
                maxFlagged,
                reportRows,
                p.number("threshold", ScreenSpec.Outliers.DEFAULT_THRESHOLD),
                p.node("perClass") == null || r.bool(p.node("perClass")));
        case "labelNoise" -> labelNoise(p, policy, maxFlagged, reportRows, defaultSeed, schema);
        case "labelChanges" -> {
          Node baseline = p.node("baseline");
          if (baseline == null) {
            throw r.error(node, "expected params.baseline (the previous spec), found none");
          }
          yield new ScreenSpec.LabelChanges(policy, maxFlagged, reportRows, r.string(baseline));
        }
        default -> throw new IllegalStateException("unknown screen " + name);
      };
    } catch (InvalidParameter e) {
      throw p.invalid(e);
    }
  }

  private ScreenSpec.LabelNoise labelNoise(
      ParamReader p,
      Policy policy,
      long maxFlagged,
      int reportRows,
      long defaultSeed,
      FeatureSchema schema)
      throws PipelineException {
    ScreenSpec.LabelNoise.Model model = ScreenSpec.LabelNoise.Model.LOGISTIC;
    Node modelNode = p.node("model");
    if (modelNode != null) {
      String name = r.oneOf(modelNode, "logistic", "hist-cart", "hist-forest");
      for (ScreenSpec.LabelNoise.Model m : ScreenSpec.LabelNoise.Model.values()) {
        if (m.specName().equals(name)) {
          model = m;
        }
      }
    }
    if (model != ScreenSpec.LabelNoise.Model.LOGISTIC) {
      for (String key : List.of("epochs", "expand", "bins")) {
        if (p.node(key) != null) {
          throw r.error(
              p.node(key),
              "expected no " + key + " with model: " + model.specName() + " (logistic only)");
        }
      }
      if (!schema.text().isEmpty()) {
        // A tree screen bins every feature densely: thousands of token columns would not fit.
        throw r.error(
            modelNode,
            "model "
                + model.specName()
                + " screens numeric and categorical features only; this schema has text columns:"
                + " use model: logistic");
      }
    }
    Node expand = p.node("expand");
    boolean binned = expand == null || r.oneOf(expand, "bins", "none").equals("bins");
    Node bins = p.node("bins");
    if (!binned && bins != null) {
      throw r.error(bins, "expected no bins with expand: none, found bins");
    }
    return new ScreenSpec.LabelNoise(
        policy,
        maxFlagged,
        reportRows,
        p.integer("folds", ScreenSpec.LabelNoise.DEFAULT_FOLDS),
        p.integer("epochs", ScreenSpec.LabelNoise.DEFAULT_EPOCHS),
        p.longInteger("seed", defaultSeed),
        binned ? p.integer("bins", ScreenSpec.LabelNoise.DEFAULT_BINS) : 0,
        model);
  }

  /**
   * The {@code params} mapping of a trainer or a screen: only the given keys, each read with its
   * type; an absent key (or an absent mapping) gives the default.
   */
  private final class ParamReader {
    private final Node owner;
    private final Node params;
    private final Obj o;

    ParamReader(Node owner, Node params, String... keys) throws PipelineException {
      this.owner = owner;
      this.params = params;
      this.o = params == null ? null : r.map(params, keys);
    }

    /** The value node of {@code key}, or null when absent. */
    Node node(String key) {
      return o == null ? null : o.optional(key);
    }

    int integer(String key, int defaultValue) throws PipelineException {
      Node n = node(key);
      return n == null ? defaultValue : (int) r.integer(n, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    long longInteger(String key, long defaultValue) throws PipelineException {
      Node n = node(key);
      return n == null ? defaultValue : r.integer(n, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    double number(String key, double defaultValue) throws PipelineException {
      Node n = node(key);
      return n == null ? defaultValue : r.number(n);
    }

    /** A record's range error, at the key it names (or at the section when the key is absent). */
    PipelineException invalid(InvalidParameter e) {
      Node at = node(e.key());
      return r.error(at != null ? at : params != null ? params : owner, e.detail(), e);
    }
  }

  private Gates gates(Node node, FeatureSchema schema) throws PipelineException {
    if (node == null) {
      return new Gates(Map.of(), null, null, null);
    }
    Obj o = r.map(node, "minimum", "golden", "canary", "maxChange");
    Node min = o.optional("minimum");
    Map<String, Double> minimum = min == null ? Map.of() : metrics(min, schema, true);
    GoldenGate golden = null;
    Node g = o.optional("golden");
    if (g != null) {
      Obj go = r.map(g, "path", "url", "sha256", "minimum");
      Source data = gateSource(go);
      golden = new GoldenGate(data, metrics(go.required("minimum"), schema, true));
    }
    CanaryGate canary = null;
    Node c = o.optional("canary");
    if (c != null) {
      canary = new CanaryGate(gateSource(r.map(c, "path", "url", "sha256")));
    }
    MaxChangeGate maxChange = null;
    Node m = o.optional("maxChange");
    if (m != null) {
      Obj mo = r.map(m, "baseline", "metrics");
      maxChange =
          new MaxChangeGate(
              r.string(mo.required("baseline")), metrics(mo.required("metrics"), schema, false));
    }
    return new Gates(minimum, golden, canary, maxChange);
  }

  /**
   * The {@code feedback} section: the pinned feedback file, its export attestation and the
   * defences' parameters (each defence runs with its defaults when its key is absent).
   */
  private FeedbackSpec feedback(Node node, FeatureSchema schema) throws PipelineException {
    Obj o = r.map(node, "path", "url", "sha256", "attestation", "defences");
    Source data = gateSource(o);
    Node att = o.optional("attestation");
    String attestation = att == null ? null : r.string(att);
    Node d = o.optional("defences");
    Obj defences =
        d == null ? null : r.map(d, "influenceCap", "trust", "quarantine", "impact", "canary");
    Node capNode = defences == null ? null : defences.optional("influenceCap");
    Node trustNode = defences == null ? null : defences.optional("trust");
    Node quarantineNode = defences == null ? null : defences.optional("quarantine");
    Node impactNode = defences == null ? null : defences.optional("impact");
    Node canaryNode = defences == null ? null : defences.optional("canary");

    ParamReader cap = new ParamReader(node, capNode, "normalise", "similarity");
    Node normaliseNode = cap.node("normalise");
    FeedbackSpec.Normalise normalise =
        normaliseNode == null
            ? (schema.text().isEmpty() ? FeedbackSpec.Normalise.EXACT : FeedbackSpec.Normalise.TEXT)
            : FeedbackSpec.Normalise.valueOf(
                r.oneOf(normaliseNode, "text", "exact").toUpperCase(Locale.ROOT));
    ParamReader trust = new ParamReader(node, trustNode, "initial", "perAgreement", "max");
    ParamReader quarantine = new ParamReader(node, quarantineNode, "above", "labels");
    Node labelsNode = quarantine.node("labels");
    List<String> allowed = schema.label().allowed();
    List<String> protectedLabels;
    if (labelsNode == null) {
      // The server's default too: one rule on both sides.
      protectedLabels = FeedbackLabels.defaultProtected(allowed);
    } else {
      protectedLabels = new ArrayList<>();
      for (Node item : r.list(labelsNode)) {
        String label = r.dataValue(item);
        if (!allowed.contains(label)) {
          throw r.error(item, "expected one of the allowed labels " + allowed + ", found " + label);
        }
        if (protectedLabels.contains(label)) {
          throw r.error(item, "duplicate value \"" + label + "\"");
        }
        protectedLabels.add(label);
      }
    }
    ParamReader impact = new ParamReader(node, impactNode, "maxChange", "maxGroups");
    Obj canary = canaryNode == null ? null : r.map(canaryNode, "contested");
    Node contested = canary == null ? null : canary.optional("contested");
    ParamReader at = cap;
    try {
      FeedbackSpec.InfluenceCap influenceCap =
          new FeedbackSpec.InfluenceCap(
              normalise, cap.number("similarity", FeedbackSpec.InfluenceCap.DEFAULT_SIMILARITY));
      at = trust;
      FeedbackSpec.Trust t =
          new FeedbackSpec.Trust(
              trust.number("initial", FeedbackSpec.Trust.DEFAULT_INITIAL),
              trust.number("perAgreement", FeedbackSpec.Trust.DEFAULT_PER_AGREEMENT),
              trust.number("max", FeedbackSpec.Trust.DEFAULT_MAX));
      at = quarantine;
      FeedbackSpec.Quarantine q =
          new FeedbackSpec.Quarantine(
              quarantine.number("above", FeedbackSpec.Quarantine.DEFAULT_ABOVE), protectedLabels);
      at = impact;
      FeedbackSpec.Impact i =
          new FeedbackSpec.Impact(
              impact.number("maxChange", FeedbackSpec.Impact.DEFAULT_MAX_CHANGE),
              impact.integer("maxGroups", FeedbackSpec.Impact.DEFAULT_MAX_GROUPS));
      return new FeedbackSpec(
          data,
          attestation,
          influenceCap,
          t,
          q,
          i,
          new FeedbackSpec.Canary(contested == null || r.bool(contested)));
    } catch (InvalidParameter e) {
      throw at.invalid(e);
    }
  }

  /** The {path | url, sha256} part of a gate mapping. */
  private Source gateSource(Obj o) throws PipelineException {
    Map<String, YamlTree.Entry> only = new LinkedHashMap<>();
    for (String k : List.of("path", "url", "sha256")) {
      YamlTree.Entry e = o.node().entries().get(k);
      if (e != null) {
        only.put(k, e);
      }
    }
    return source(new YamlTree.MapNode(o.node().location(), o.node().path(), only));
  }

  /**
   * Metric thresholds. A gate that cannot fail is refused here, as verifiers refuse it: a minimum
   * is in (0, 1] (every metric is at least 0), a largest drop in [0, 1) (no drop exceeds 1).
   */
  private Map<String, Double> metrics(Node node, FeatureSchema schema, boolean minimum)
      throws PipelineException {
    Obj o = r.map(node, knownMetrics(schema).toArray(new String[0]));
    Map<String, Double> out = new LinkedHashMap<>();
    for (String key : o.node().entries().keySet()) {
      out.put(key, r.number(o.required(key), 0, !minimum, 1, minimum));
    }
    if (out.isEmpty()) {
      throw r.error(node, "expected at least one metric, found none");
    }
    return out;
  }

  private static List<String> knownMetrics(FeatureSchema schema) {
    List<String> out = new ArrayList<>(List.of("accuracy", "auc", "macroF1"));
    for (String kind : List.of("precision", "recall", "f1")) {
      for (String label : schema.label().allowed()) {
        out.add(kind + ":" + label);
      }
    }
    return out;
  }
}
