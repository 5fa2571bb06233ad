package dev.custody.verify;

import java.util.Arrays;
import java.util.List;

/**
 * One row's encoded features: names sorted (by {@link String#compareTo}), each once, with their
 * values. {@link FeatureEncoder} is the only producer, for training and serving alike.
 */
public final class Features {
  private final String[] names;
  private final double[] values;
  private final int size;

  /** Takes ownership of both arrays; only the first {@code size} entries count. */
  Features(String[] names, double[] values, int size) {
    this.names = names;
    this.values = values;
    this.size = size;
  }

  /** How many features the row has. */
  public int size() {
    return size;
  }

  /** The i-th feature name, in sorted order. */
  public String name(int i) {
    return names[checkIndex(i)];
  }

  /** The value of the i-th feature. */
  public double value(int i) {
    return values[checkIndex(i)];
  }

  /** The feature names, sorted. */
  public List<String> names() {
    return List.of(Arrays.copyOf(names, size));
  }

  /** The values, in the order of {@link #names()} (a copy). */
  public double[] values() {
    return Arrays.copyOf(values, size);
  }

  private int checkIndex(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("feature " + i + " of " + size);
    }
    return i;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Features f
        && Arrays.equals(names, 0, size, f.names, 0, f.size)
        && Arrays.equals(values, 0, size, f.values, 0, f.size);
  }

  @Override
  public int hashCode() {
    return 31 * names().hashCode() + Arrays.hashCode(values());
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("Features{");
    for (int i = 0; i < size; i++) {
      out.append(i == 0 ? "" : ", ").append(names[i]).append('=').append(values[i]);
    }
    return out.append('}').toString();
  }
}
