package dev.custody.train.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What changed between two versions of a dataset, row by row. Rows are matched by id when every row
 * on both sides has one (then a row whose fields differ is <em>changed</em>); otherwise by content,
 * as multisets (then a changed row shows as one removed and one added).
 *
 * @param byId whether rows were matched by id
 * @param added rows only in the new data, in new order
 * @param removed rows only in the old data, in old order
 * @param changed rows whose id is in both but whose fields differ, in new order
 */
public record DataDiff(
    boolean byId, List<CanonicalRow> added, List<CanonicalRow> removed, List<Change> changed) {
  public DataDiff {
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    changed = List.copyOf(changed);
  }

  /**
   * A row with the same id and different fields.
   *
   * @param before the old row
   * @param after the new row
   * @param fields indices (into {@link CanonicalRow#fields()}) of the fields that differ
   */
  public record Change(CanonicalRow before, CanonicalRow after, List<Integer> fields) {
    public Change {
      Objects.requireNonNull(before, "before");
      Objects.requireNonNull(after, "after");
      fields = List.copyOf(fields);
    }
  }

  /** Whether the two datasets hold the same rows (order aside). */
  public boolean isEmpty() {
    return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
  }

  /**
   * Compares two datasets' canonical rows.
   *
   * @throws IllegalArgumentException if ids are used and one side repeats an id
   */
  public static DataDiff between(List<CanonicalRow> oldRows, List<CanonicalRow> newRows) {
    boolean byId =
        !oldRows.isEmpty()
            && !newRows.isEmpty()
            && oldRows.stream().allMatch(CanonicalRow::hasId)
            && newRows.stream().allMatch(CanonicalRow::hasId);
    return byId ? byId(oldRows, newRows) : byContent(oldRows, newRows);
  }

  private static DataDiff byId(List<CanonicalRow> oldRows, List<CanonicalRow> newRows) {
    Map<String, CanonicalRow> before = index(oldRows);
    Map<String, CanonicalRow> after = index(newRows);
    List<CanonicalRow> added = new ArrayList<>();
    List<Change> changed = new ArrayList<>();
    for (CanonicalRow n : newRows) {
      CanonicalRow o = before.get(n.id());
      if (o == null) {
        added.add(n);
      } else if (!o.fields().equals(n.fields())) {
        List<Integer> diff = new ArrayList<>();
        int max = Math.max(o.fields().size(), n.fields().size());
        for (int i = 0; i < max; i++) {
          boolean same =
              i < o.fields().size()
                  && i < n.fields().size()
                  && o.fields().get(i).equals(n.fields().get(i));
          if (!same) {
            diff.add(i);
          }
        }
        changed.add(new Change(o, n, diff));
      }
    }
    List<CanonicalRow> removed = new ArrayList<>();
    for (CanonicalRow o : oldRows) {
      if (!after.containsKey(o.id())) {
        removed.add(o);
      }
    }
    return new DataDiff(true, added, removed, changed);
  }

  private static Map<String, CanonicalRow> index(List<CanonicalRow> rows) {
    Map<String, CanonicalRow> out = new HashMap<>();
    for (CanonicalRow r : rows) {
      CanonicalRow prev = out.putIfAbsent(r.id(), r);
      if (prev != null) {
        throw new IllegalArgumentException(
            "id "
                + r.id()
                + " repeats: "
                + prev.source()
                + " line "
                + prev.line()
                + " and "
                + r.source()
                + " line "
                + r.line());
      }
    }
    return out;
  }

  private static DataDiff byContent(List<CanonicalRow> oldRows, List<CanonicalRow> newRows) {
    Map<List<String>, Deque<CanonicalRow>> unmatchedOld = new LinkedHashMap<>();
    for (CanonicalRow o : oldRows) {
      unmatchedOld.computeIfAbsent(key(o), k -> new ArrayDeque<>()).add(o);
    }
    List<CanonicalRow> added = new ArrayList<>();
    List<CanonicalRow> matchedOld = new ArrayList<>();
    for (CanonicalRow n : newRows) {
      Deque<CanonicalRow> q = unmatchedOld.get(key(n));
      if (q == null || q.isEmpty()) {
        added.add(n);
      } else {
        matchedOld.add(q.poll());
      }
    }
    List<CanonicalRow> removed = new ArrayList<>();
    Set<CanonicalRow> matched = Collections.newSetFromMap(new IdentityHashMap<>());
    matched.addAll(matchedOld);
    for (CanonicalRow o : oldRows) {
      if (!matched.contains(o)) {
        removed.add(o);
      }
    }
    return new DataDiff(false, added, removed, List.of());
  }

  /** Content key: id (possibly empty) and fields. */
  private static List<String> key(CanonicalRow r) {
    List<String> k = new ArrayList<>(r.fields().size() + 1);
    k.add(r.id());
    k.addAll(r.fields());
    return k;
  }
}
