package dev.custody.train.spec;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.YamlReader;
import dev.custody.core.YamlReader.Obj;
import dev.custody.core.YamlTree;
import dev.custody.core.YamlTree.Node;
import dev.custody.core.YamlTree.Scalar;
import dev.custody.train.spec.PipelineSpec.CanaryGate;
import dev.custody.core.chain.FeatureSchema.CategoricalColumn;
import dev.custody.train.spec.PipelineSpec.Data;
import dev.custody.train.spec.PipelineSpec.FileList;
import dev.custody.train.spec.PipelineSpec.Format;
import dev.custody.train.spec.PipelineSpec.Gates;
import dev.custody.train.spec.PipelineSpec.GoldenGate;
import dev.custody.core.chain.FeatureSchema.LabelColumn;
import dev.custody.train.spec.PipelineSpec.LocalFile;
import dev.custody.train.spec.PipelineSpec.LockFile;
import dev.custody.train.spec.PipelineSpec.MaxChangeGate;
import dev.custody.core.chain.FeatureSchema.NumericColumn;
import dev.custody.train.spec.PipelineSpec.Policy;
import dev.custody.train.spec.PipelineSpec.RemoteFile;
import dev.custody.core.chain.FeatureSchema;
import dev.custody.train.spec.PipelineSpec.Screen;
import dev.custody.train.spec.PipelineSpec.ScreenKind;
import dev.custody.train.spec.PipelineSpec.Screens;
import dev.custody.train.spec.PipelineSpec.Source;
import dev.custody.train.spec.PipelineSpec.Split;
import dev.custody.core.chain.FeatureSchema.TextColumn;
import dev.custody.train.spec.PipelineSpec.Trainer;
import dev.custody.train.spec.PipelineSpec.TrainerType;
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

  /** A parameter's value type. */
  enum ParamType {
    INTEGER,
    NUMBER,
    BOOLEAN,
    WORD,
    TEXT
  }

  /** A parameter's declared type and range (or, for a word, its allowed values). */
  record ParamDef(String name, ParamType type, double min, double max, List<String> words) {
    static ParamDef integer(String name, long min, long max) {
      return new ParamDef(name, ParamType.INTEGER, min, max, List.of());
    }

    static ParamDef number(String name, double min, double max) {
      return new ParamDef(name, ParamType.NUMBER, min, max, List.of());
    }

    static ParamDef bool(String name) {
      return new ParamDef(name, ParamType.BOOLEAN, 0, 0, List.of());
    }

    static ParamDef word(String name, String... words) {
      return new ParamDef(name, ParamType.WORD, 0, 0, List.of(words));
    }

    static ParamDef text(String name) {
      return new ParamDef(name, ParamType.TEXT, 0, 0, List.of());
    }
  }

  private static final List<ParamDef> TREE =
      List.of(
          ParamDef.integer("maxDepth", 1, 64),
          ParamDef.number("minLeaf", 0, Double.MAX_VALUE),
          ParamDef.number("featureFraction", Double.MIN_VALUE, 1),
          ParamDef.word("impurity", "gini", "entropy"),
          ParamDef.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE));

  /** Known trainer parameters, per trainer type. */
  static final Map<TrainerType, List<ParamDef>> TRAINER_PARAMS =
      Map.of(
          TrainerType.LOGISTIC,
          List.of(
              ParamDef.integer("epochs", 1, 10_000),
              ParamDef.number("learningRate", Double.MIN_VALUE, 1_000),
              ParamDef.integer("minibatch", 1, 1_000_000),
              ParamDef.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE)),
          TrainerType.CART,
          TREE,
          TrainerType.RANDOM_FOREST,
          concat(TREE, List.of(ParamDef.integer("trees", 1, 10_000))));

  private static final List<ParamDef> SCREEN_COMMON =
      List.of(
          ParamDef.integer("reportRows", 0, 10_000),
          ParamDef.integer("maxFlagged", 0, Long.MAX_VALUE));

  /** Known screen parameters, per screen. */
  static final Map<ScreenKind, List<ParamDef>> SCREEN_PARAMS =
      Map.of(
          ScreenKind.DUPLICATES,
          SCREEN_COMMON,
          ScreenKind.CONFLICTS,
          SCREEN_COMMON,
          ScreenKind.OUTLIERS,
          concat(SCREEN_COMMON, List.of(ParamDef.number("threshold", Double.MIN_VALUE, 1e6))),
          ScreenKind.LABEL_NOISE,
          concat(
              SCREEN_COMMON,
              List.of(
                  ParamDef.integer("folds", 2, 50),
                  ParamDef.integer("epochs", 1, 1_000),
                  ParamDef.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE),
                  ParamDef.word("expand", "none", "bins"),
                  ParamDef.integer("bins", 2, 100))),
          ScreenKind.LABEL_CHANGES,
          concat(SCREEN_COMMON, List.of(ParamDef.text("baseline"))));

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
            "gates");
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
    Trainer trainer = trainer(root.required("trainer"));
    Screens screens = screens(root.optional("screens"));
    Gates gates = gates(root.optional("gates"), schema);
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
        gates);
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
      return new FeatureSchema(id, new LabelColumn(labelColumn, labels), numeric, categorical, text);
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
    Obj o = r.map(node, "testFraction", "seed");
    double f = r.number(o.required("testFraction"), 0, false, 1, false);
    long seed = r.integer(o.required("seed"), Long.MIN_VALUE, Long.MAX_VALUE);
    return new Split(f, seed);
  }

  private Trainer trainer(Node node) throws PipelineException {
    Obj o = r.map(node, "type", "params");
    TrainerType type =
        TrainerType.of(r.oneOf(o.required("type"), "logistic", "cart", "random-forest"));
    Node p = o.optional("params");
    return new Trainer(type, p == null ? Params.NONE : params(p, TRAINER_PARAMS.get(type)));
  }

  private Params params(Node node, List<ParamDef> defs) throws PipelineException {
    Map<String, ParamDef> byName = new LinkedHashMap<>();
    defs.forEach(d -> byName.put(d.name(), d));
    Obj o = r.map(node, byName.keySet().toArray(new String[0]));
    Map<String, Object> values = new LinkedHashMap<>();
    for (String key : o.node().entries().keySet()) {
      ParamDef d = byName.get(key);
      Node v = o.required(key);
      Object value =
          switch (d.type()) {
            case INTEGER -> r.integer(v, (long) d.min(), (long) d.max());
            case NUMBER -> r.number(v, d.min(), true, d.max(), true);
            case BOOLEAN -> r.bool(v);
            case WORD -> r.oneOf(v, d.words().toArray(new String[0]));
            case TEXT -> r.string(v);
          };
      values.put(key, value);
    }
    return new Params(values);
  }

  private Screens screens(Node node) throws PipelineException {
    List<Screen> out = new ArrayList<>();
    if (node == null) {
      return new Screens(out);
    }
    Obj o = r.map(node, "duplicates", "conflicts", "outliers", "labelNoise", "labelChanges");
    for (ScreenKind kind : ScreenKind.values()) {
      Node s = o.optional(kind.word());
      if (s == null) {
        continue;
      }
      Obj so = r.map(s, "policy", "params");
      Policy policy =
          Policy.valueOf(
              r.oneOf(so.required("policy"), "fail", "warn", "drop").toUpperCase(Locale.ROOT));
      Node p = so.optional("params");
      Params params = p == null ? Params.NONE : params(p, SCREEN_PARAMS.get(kind));
      if (kind == ScreenKind.LABEL_CHANGES && !params.has("baseline")) {
        throw r.error(s, "expected params.baseline (the previous spec), found none");
      }
      out.add(new Screen(kind, policy, params));
    }
    return new Screens(out);
  }

  private Gates gates(Node node, FeatureSchema schema) throws PipelineException {
    if (node == null) {
      return new Gates(Map.of(), null, null, null);
    }
    Obj o = r.map(node, "minimum", "golden", "canary", "maxChange");
    Node min = o.optional("minimum");
    Map<String, Double> minimum = min == null ? Map.of() : metrics(min, schema);
    GoldenGate golden = null;
    Node g = o.optional("golden");
    if (g != null) {
      Obj go = r.map(g, "path", "url", "sha256", "minimum");
      Source data = gateSource(go);
      golden = new GoldenGate(data, metrics(go.required("minimum"), schema));
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
              r.string(mo.required("baseline")), metrics(mo.required("metrics"), schema));
    }
    return new Gates(minimum, golden, canary, maxChange);
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

  private Map<String, Double> metrics(Node node, FeatureSchema schema) throws PipelineException {
    Obj o = r.map(node, knownMetrics(schema).toArray(new String[0]));
    Map<String, Double> out = new LinkedHashMap<>();
    for (String key : o.node().entries().keySet()) {
      out.put(key, r.number(o.required(key), 0, true, 1, true));
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

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new ArrayList<>(a);
    out.addAll(b);
    return List.copyOf(out);
  }
}
