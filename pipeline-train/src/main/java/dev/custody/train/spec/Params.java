package dev.custody.train.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Validated parameters of a trainer or a screen: every key is known and every value has its
 * declared type and range (checked when the spec was read, with line:column on failure). Values are
 * {@link Long}, {@link Double}, {@link Boolean} or {@link String}.
 *
 * @param values the parameters given in the spec, in spec order (defaults are not filled in)
 */
public record Params(Map<String, Object> values) {
  /** No parameters. */
  public static final Params NONE = new Params(Map.of());

  public Params {
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : values.entrySet()) {
      Object v = Objects.requireNonNull(e.getValue(), e.getKey());
      if (!(v instanceof Long
          || v instanceof Double
          || v instanceof Boolean
          || v instanceof String)) {
        throw new IllegalArgumentException(e.getKey() + ": unsupported type " + v.getClass());
      }
      copy.put(e.getKey(), v);
    }
    values = Collections.unmodifiableMap(copy);
  }

  /** Whether the spec gave {@code key}. */
  public boolean has(String key) {
    return values.containsKey(key);
  }

  /** An integer parameter, or {@code defaultValue} when absent. */
  public long longValue(String key, long defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Long l) {
      return l;
    }
    throw new IllegalArgumentException(key + " is not an integer parameter: " + v);
  }

  /** An integer parameter that fits an int, or {@code defaultValue} when absent. */
  public int intValue(String key, int defaultValue) {
    return Math.toIntExact(longValue(key, defaultValue));
  }

  /** A numeric parameter (integers widen), or {@code defaultValue} when absent. */
  public double doubleValue(String key, double defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new IllegalArgumentException(key + " is not a numeric parameter: " + v);
  }

  /** A boolean parameter, or {@code defaultValue} when absent. */
  public boolean booleanValue(String key, boolean defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException(key + " is not a boolean parameter: " + v);
  }

  /** A string parameter, or {@code defaultValue} when absent. */
  public String stringValue(String key, String defaultValue) {
    Object v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException(key + " is not a string parameter: " + v);
  }
}
