package dev.custody.core.chain;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The raw columns a model reads and how they become features: the schema a pipeline spec declares,
 * signed into the model card so that serving encodes inputs exactly as training did.
 *
 * <p>The encoding (implemented once, by {@code dev.custody.verify.FeatureEncoder}, for training and
 * serving alike): a numeric column is the feature of its own name, its value a finite decimal
 * within {@code [min, max]}; a categorical column is one-hot, feature {@code column@value} = 1, the
 * value one of {@code allowed}; a text column is lower-cased (Locale.ROOT) token counts, features
 * {@code column@token}. The id column is a row key, never a feature; the label column is what the
 * model predicts.
 *
 * @param id the id column, or null when there is none
 * @param label the label column and its allowed values
 * @param numeric numeric features, in order
 * @param categorical categorical features (one-hot), in order
 * @param text text features (token counts), in order
 */
public record FeatureSchema(
    String id,
    LabelColumn label,
    List<NumericColumn> numeric,
    List<CategoricalColumn> categorical,
    List<TextColumn> text) {
  /** Separates a column from a category value or token in a feature name. */
  public static final String SEPARATOR = "@";

  /**
   * Validates the schema.
   *
   * @throws IllegalArgumentException if it has no feature column, or a column appears twice (the id
   *     may also be a feature column, never the label)
   */
  public FeatureSchema {
    Objects.requireNonNull(label, "label");
    numeric = List.copyOf(numeric);
    categorical = List.copyOf(categorical);
    text = List.copyOf(text);
    if (id != null && id.isEmpty()) {
      throw new IllegalArgumentException("id column: expected a name or none, found an empty name");
    }
    if (numeric.isEmpty() && categorical.isEmpty() && text.isEmpty()) {
      throw new IllegalArgumentException("expected at least one feature column, found none");
    }
    Set<String> seen = new HashSet<>();
    for (String column : canonicalColumnsOf(label, numeric, categorical, text)) {
      if (!seen.add(column)) {
        throw new IllegalArgumentException("column '" + column + "' is declared twice");
      }
    }
    if (label.column().equals(id)) {
      throw new IllegalArgumentException("column '" + id + "' cannot be both the id and the label");
    }
  }

  /** The id column, if the schema declares one. */
  public Optional<String> idColumn() {
    return Optional.ofNullable(id);
  }

  /**
   * The columns of a canonical row, in order: the label, then the numeric, categorical and text
   * feature columns (the id is the row's key, not one of its fields).
   */
  public List<String> canonicalColumns() {
    return canonicalColumnsOf(label, numeric, categorical, text);
  }

  /** The feature columns (numeric, categorical, text), in order: what an input row must hold. */
  public List<String> featureColumns() {
    List<String> out = new ArrayList<>(canonicalColumns());
    out.remove(0);
    return List.copyOf(out);
  }

  /** Every column the schema reads (id, label, features), each once, in canonical order. */
  public List<String> columns() {
    List<String> out = new ArrayList<>();
    if (id != null) {
      out.add(id);
    }
    for (String c : canonicalColumns()) {
      if (!out.contains(c)) {
        out.add(c);
      }
    }
    return List.copyOf(out);
  }

  /**
   * The fixed feature names, in model order: each numeric column by its name, then each categorical
   * column's one-hot features {@code column@value} in allowed order. Text features add {@code
   * column@token} names that depend on the data.
   */
  public List<String> fixedFeatureNames() {
    List<String> out = new ArrayList<>();
    numeric.forEach(n -> out.add(n.column()));
    for (CategoricalColumn c : categorical) {
      c.allowed().forEach(v -> out.add(c.column() + SEPARATOR + v));
    }
    return List.copyOf(out);
  }

  private static List<String> canonicalColumnsOf(
      LabelColumn label,
      List<NumericColumn> numeric,
      List<CategoricalColumn> categorical,
      List<TextColumn> text) {
    List<String> out = new ArrayList<>();
    out.add(label.column());
    numeric.forEach(n -> out.add(n.column()));
    categorical.forEach(c -> out.add(c.column()));
    text.forEach(t -> out.add(t.column()));
    return List.copyOf(out);
  }

  private static List<String> distinctValues(String what, List<String> values) {
    List<String> copy = List.copyOf(values);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException(what + ": expected at least one value, found none");
    }
    Set<String> seen = new HashSet<>();
    for (String v : copy) {
      if (!seen.add(v)) {
        throw new IllegalArgumentException(what + ": value '" + v + "' is listed twice");
      }
    }
    return copy;
  }

  private static String name(String what, String column) {
    Objects.requireNonNull(column, what);
    if (column.isEmpty()) {
      throw new IllegalArgumentException(what + ": expected a column name, found an empty name");
    }
    return column;
  }

  /**
   * The label column.
   *
   * @param column its name ({@code label} for tsv-text)
   * @param allowed the allowed labels, at least two, distinct, in order
   */
  public record LabelColumn(String column, List<String> allowed) {
    /** Validates the column. */
    public LabelColumn {
      name("label column", column);
      allowed = distinctValues("label " + column, allowed);
      if (allowed.size() < 2) {
        throw new IllegalArgumentException(
            "label " + column + ": expected at least two allowed labels, found " + allowed);
      }
    }
  }

  /**
   * A numeric feature; its feature name is the column name.
   *
   * @param column the column
   * @param min the smallest allowed value ({@code -Infinity} when unbounded)
   * @param max the largest allowed value ({@code +Infinity} when unbounded)
   */
  public record NumericColumn(String column, double min, double max) {
    /** Validates the column. */
    public NumericColumn {
      name("numeric column", column);
      if (Double.isNaN(min) || Double.isNaN(max) || min > max) {
        throw new IllegalArgumentException(column + ": bad range [" + min + ", " + max + "]");
      }
    }
  }

  /**
   * A categorical feature, one-hot encoded as {@code column@value} = 1.
   *
   * @param column the column
   * @param allowed the allowed values, distinct, in order
   */
  public record CategoricalColumn(String column, List<String> allowed) {
    /** Validates the column. */
    public CategoricalColumn {
      name("categorical column", column);
      allowed = distinctValues("categorical " + column, allowed);
    }
  }

  /**
   * A text feature: lower-cased (Locale.ROOT) tokens, counted, as features {@code column@token}. A
   * token is a maximal run of letters and digits or a maximal run of other non-whitespace
   * characters ({@code "Call now!! :-)"} gives {@code call, now, !!, :-)}).
   *
   * @param column the column ({@code text} for tsv-text)
   */
  public record TextColumn(String column) {
    /** Validates the column. */
    public TextColumn {
      name("text column", column);
    }
  }
}
