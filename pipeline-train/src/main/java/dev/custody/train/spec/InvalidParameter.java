package dev.custody.train.spec;

import java.util.Locale;

/**
 * A trainer or screen parameter outside its range. The spec records throw it from their
 * constructors, naming the parameter by its spec key, so that the parser can report the error at
 * that key's line:column; every range rule lives in the record that holds the value.
 */
final class InvalidParameter extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final String detail;

  private InvalidParameter(String key, String detail) {
    super(key + ": " + detail);
    this.key = key;
    this.detail = detail;
  }

  /** The parameter's key in the spec ({@code minLeaf}, {@code trees}, ...). */
  String key() {
    return key;
  }

  /** What was expected and what was found, without the key. */
  String detail() {
    return detail;
  }

  static InvalidParameter of(String key, String detail) {
    return new InvalidParameter(key, detail);
  }

  /** {@code value} if it is in [{@code min}, {@code max}]. */
  static long integerIn(String key, long value, long min, long max) {
    if (value < min || value > max) {
      throw of(key, "expected an integer in [" + min + ", " + max + "], found " + value);
    }
    return value;
  }

  /** {@code value} if it is in (min, max] or [min, max], as {@code minInclusive} says. */
  static double numberIn(String key, double value, double min, boolean minInclusive, double max) {
    boolean ok = (minInclusive ? value >= min : value > min) && value <= max;
    if (!ok) {
      throw of(
          key,
          String.format(
              Locale.ROOT,
              "expected a number in %s%s, %s], found %s",
              minInclusive ? "[" : "(",
              min,
              max,
              value));
    }
    return value;
  }
}
