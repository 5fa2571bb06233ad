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

  ColumnRow(Map<String, Object[]> columns, int row) {
    this.columns = columns;
    this.row = row;
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
