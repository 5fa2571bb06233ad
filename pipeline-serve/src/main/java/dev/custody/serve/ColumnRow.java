package dev.custody.serve;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Row {@code i} of a request's per-column values, read as a map from column name to value without
 * copying them into a map of its own: a batch request made one hash map per row. Unmodifiable.
 */
final class ColumnRow extends AbstractMap<String, Object> {
  private final Map<String, Object[]> columns;
  private final int row;

  /**
   * The values of each feature column, in the schema's order, when the reader that made the row
   * checked that every column of the request is one of the schema's and every feature column is
   * there; else null.
   */
  private final Object[][] byFeature;

  ColumnRow(Map<String, Object[]> columns, int row) {
    this(columns, row, null);
  }

  ColumnRow(Map<String, Object[]> columns, int row, Object[][] byFeature) {
    this.columns = columns;
    this.row = row;
    this.byFeature = byFeature;
  }

  /**
   * This row's value of each feature column, in the schema's order ({@link
   * dev.custody.verify.FeatureEncoder#encodeFeatureValues}), or null if the row's reader did not
   * check its columns against the schema (then the encoder reads it as a map and checks them).
   */
  Object[] featureValues() {
    if (byFeature == null) {
      return null;
    }
    Object[] values = new Object[byFeature.length];
    for (int k = 0; k < values.length; k++) {
      values[k] = byFeature[k][row];
    }
    return values;
  }

  @Override
  public Object get(Object column) {
    Object[] values = columns.get(column);
    return values == null ? null : values[row];
  }

  @Override
  public boolean containsKey(Object column) {
    return columns.containsKey(column);
  }

  @Override
  public Set<String> keySet() {
    return java.util.Collections.unmodifiableSet(columns.keySet());
  }

  @Override
  public int size() {
    return columns.size();
  }

  @Override
  public Set<Map.Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<String, Object>> iterator() {
        Iterator<Map.Entry<String, Object[]>> it = columns.entrySet().iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public Map.Entry<String, Object> next() {
            Map.Entry<String, Object[]> e = it.next();
            return new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()[row]);
          }
        };
      }

      @Override
      public int size() {
        return columns.size();
      }
    };
  }
}
