package dev.custody.train.screen;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.chain.DatasetPredicate;
import dev.custody.core.chain.FeatureSchema;
import dev.custody.train.Progress;
import dev.custody.train.data.CanonicalRow;
import dev.custody.train.data.ParsedRow;
import dev.custody.train.spec.ScreenSpec;
import dev.custody.train.spec.ScreenSpec.Policy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Runs the configured screens in order and applies each one's policy. */
public final class Screening {
  /** A flagged row (index into the rows the screen saw) and why. */
  record Flag(int index, String detail) {}

  /** What one screen found. */
  record Outcome(List<Flag> flags, Map<String, Double> statistics) {}

  /** The rows that survived and the reports. */
  public record Result(List<ParsedRow> kept, List<DatasetPredicate.Screen> reports) {}

  private Screening() {}

  /**
   * Runs the configured screens in order on the training split; the test split is only looked at.
   * Each screen's policy applies to the training rows it flags. On the test split the screen runs
   * as well, but no test row is ever dropped: its count is the report's {@code testFlagged}, so
   * that the attestation says what the held-out rows would have lost, while the gates judge the
   * model on all of them. Policy fail counts them with the training rows' flags (it refuses the
   * data rather than filtering it). The outlier screen judges test rows by the training rows'
   * medians and scales; the other screens look at the test rows alone.
   *
   * @param screens the screens, in run order
   * @param schema the columns of the rows
   * @param rows the training rows to screen
   * @param test the held-out rows, never dropped
   * @param baseline the verified rows of the baseline dataset, for {@code labelChanges}
   */
  public static Result run(
      List<ScreenSpec> screens,
      FeatureSchema schema,
      List<ParsedRow> rows,
      List<ParsedRow> test,
      List<CanonicalRow> baseline)
      throws PipelineException {
    return run(screens, schema, rows, test, baseline, Progress.none());
  }

  /**
   * Runs the configured screens in order as {@link #run(List, FeatureSchema, List, List, List)}
   * does, telling {@code progress} about the label-noise screen's folds on the training rows as
   * each one is done (as step "screen", unit "folds").
   */
  public static Result run(
      List<ScreenSpec> screens,
      FeatureSchema schema,
      List<ParsedRow> rows,
      List<ParsedRow> test,
      List<CanonicalRow> baseline,
      Progress progress)
      throws PipelineException {
    List<ParsedRow> current = rows;
    List<DatasetPredicate.Screen> reports = new ArrayList<>();
    for (ScreenSpec s : screens) {
      // The outlier screen fits the training rows once, for them and for the test split.
      OutlierScreen outliers =
          s instanceof ScreenSpec.Outliers spec ? new OutlierScreen(current, schema, spec) : null;
      Outcome o = outcome(s, schema, outliers, current, baseline, progress);
      long testFlagged =
          test.isEmpty()
              ? 0
              : outcome(s, schema, outliers, test, baseline, Progress.none()).flags().size();
      int reportRows = s.reportRows();
      long maxFlagged = s.maxFlagged();
      List<DatasetPredicate.FlaggedRow> first = new ArrayList<>();
      for (Flag f : o.flags()) {
        if (first.size() >= reportRows) {
          break;
        }
        CanonicalRow c = current.get(f.index()).canonical();
        first.add(
            new DatasetPredicate.FlaggedRow(c.source(), c.line(), c.id(), c.label(), f.detail()));
      }
      int dropped = s.policy() == Policy.DROP ? o.flags().size() : 0;
      DatasetPredicate.Screen report =
          new DatasetPredicate.Screen(
              s.name(),
              s.policy().word(),
              current.size(),
              o.flags().size(),
              dropped,
              testFlagged,
              o.statistics(),
              first);
      // Policy fail refuses the whole dataset: poison in the test split counts too (it is refused,
      // never filtered), or labels flipped only among test rows would mislead the gates unseen.
      if (s.policy() == Policy.FAIL && o.flags().size() + testFlagged > maxFlagged) {
        throw new PipelineException(Reason.SCREEN_FAILED, failure(report, maxFlagged, test.size()));
      }
      reports.add(report);
      if (dropped > 0) {
        boolean[] drop = new boolean[current.size()];
        o.flags().forEach(f -> drop[f.index()] = true);
        List<ParsedRow> next = new ArrayList<>(current.size() - dropped);
        for (int i = 0; i < current.size(); i++) {
          if (!drop[i]) {
            next.add(current.get(i));
          }
        }
        current = next;
      }
    }
    return new Result(current, reports);
  }

  /**
   * What screen {@code s} flags among {@code rows}; {@code outliers} is the fitted outlier screen.
   */
  private static Outcome outcome(
      ScreenSpec s,
      FeatureSchema schema,
      OutlierScreen outliers,
      List<ParsedRow> rows,
      List<CanonicalRow> baseline,
      Progress progress) {
    if (s instanceof ScreenSpec.Duplicates) {
      return duplicates(rows);
    } else if (s instanceof ScreenSpec.Conflicts) {
      return conflicts(rows);
    } else if (s instanceof ScreenSpec.Outliers) {
      return outliers.judge(rows);
    } else if (s instanceof ScreenSpec.LabelNoise noise) {
      return new LabelNoiseScreen(schema, noise)
          .run(rows, done -> progress.advanced("screen", "folds", done, noise.folds()));
    }
    return labelChanges(rows, baseline);
  }

  private static String failure(DatasetPredicate.Screen r, long maxFlagged, int testRows) {
    StringBuilder b =
        new StringBuilder("screen ")
            .append(r.screen())
            .append(" failed: expected at most ")
            .append(maxFlagged)
            .append(" flagged rows, found ")
            .append(r.flagged())
            .append(" of ")
            .append(r.rowsChecked());
    if (r.testFlagged() > 0) {
      b.append(" training rows and ")
          .append(r.testFlagged())
          .append(" of ")
          .append(testRows)
          .append(" test rows");
    }
    if (!r.firstRows().isEmpty()) {
      b.append("; first: ");
      List<String> parts = new ArrayList<>();
      for (DatasetPredicate.FlaggedRow f : r.firstRows()) {
        parts.add(f.source() + " line " + f.line() + " (" + f.detail() + ")");
      }
      b.append(String.join("; ", parts));
    }
    return b.toString();
  }

  /**
   * Rows whose label differs from the baseline's label for the same row: matched by id when the
   * rows have ids, else by their feature fields. Rows absent from the baseline are not flagged
   * (they are new; the other screens judge them).
   */
  static Outcome labelChanges(List<ParsedRow> rows, List<CanonicalRow> baseline) {
    Map<List<String>, CanonicalRow> before = new HashMap<>();
    for (CanonicalRow b : baseline) {
      before.putIfAbsent(changeKey(b), b);
    }
    List<Flag> flags = new ArrayList<>();
    long matched = 0;
    for (int i = 0; i < rows.size(); i++) {
      CanonicalRow c = rows.get(i).canonical();
      CanonicalRow b = before.get(changeKey(c));
      if (b == null) {
        continue;
      }
      matched++;
      if (!b.label().equals(c.label())) {
        flags.add(
            new Flag(
                i,
                "label changed from "
                    + b.label()
                    + " (baseline "
                    + b.source()
                    + " line "
                    + b.line()
                    + ") to "
                    + c.label()));
      }
    }
    Map<String, Double> stats = new LinkedHashMap<>();
    stats.put("baselineRows", (double) baseline.size());
    stats.put("matchedRows", (double) matched);
    return new Outcome(flags, stats);
  }

  private static List<String> changeKey(CanonicalRow r) {
    return r.id().isEmpty() ? r.fields().subList(1, r.fields().size()) : List.of("id", r.id());
  }

  /** The feature vector as a map key: equal keys mean the model sees the same input. */
  private record FeatureKey(List<String> names, List<Double> values) {
    static FeatureKey of(ParsedRow r) {
      return new FeatureKey(r.row().names(), r.row().values());
    }
  }

  /** The feature vector and label as a map key: one map, not one map of labels per row. */
  private record LabelledKey(List<String> names, List<Double> values, String label) {}

  /** Rows whose features and label equal an earlier row's: all but the first are flagged. */
  static Outcome duplicates(List<ParsedRow> rows) {
    Map<LabelledKey, Integer> first = new HashMap<>();
    List<Flag> flags = new ArrayList<>();
    Set<FeatureKey> groups = new HashSet<>();
    for (int i = 0; i < rows.size(); i++) {
      ParsedRow r = rows.get(i);
      Integer prev =
          first.putIfAbsent(new LabelledKey(r.row().names(), r.row().values(), r.label()), i);
      if (prev != null) {
        CanonicalRow p = rows.get(prev).canonical();
        flags.add(
            new Flag(i, "duplicate of " + where(p, r.canonical()) + " (label " + r.label() + ")"));
        groups.add(FeatureKey.of(r));
      }
    }
    Map<String, Double> stats = new LinkedHashMap<>();
    stats.put("groups", (double) groups.size());
    return new Outcome(flags, stats);
  }

  /** Rows whose features equal another row's but whose labels differ: every such row is flagged. */
  static Outcome conflicts(List<ParsedRow> rows) {
    Map<FeatureKey, List<Integer>> byKey = new LinkedHashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      byKey.computeIfAbsent(FeatureKey.of(rows.get(i)), x -> new ArrayList<>()).add(i);
    }
    TreeMap<Integer, String> flagged = new TreeMap<>();
    int groups = 0;
    for (List<Integer> members : byKey.values()) {
      if (members.size() < 2) {
        continue; // one row has one label: no map of labels for most rows
      }
      Map<String, Long> labels = new TreeMap<>();
      for (int i : members) {
        labels.merge(rows.get(i).label(), 1L, Long::sum);
      }
      if (labels.size() > 1) {
        groups++;
        CanonicalRow head = rows.get(members.get(0)).canonical();
        for (int i : members) {
          CanonicalRow c = rows.get(i).canonical();
          String detail =
              i == members.get(0)
                  ? "labels " + labels + " among " + members.size() + " rows with these features"
                  : "same features as " + where(head, c) + ", labels " + labels;
          flagged.put(i, detail);
        }
      }
    }
    List<Flag> flags = new ArrayList<>();
    flagged.forEach((i, d) -> flags.add(new Flag(i, d)));
    Map<String, Double> stats = new LinkedHashMap<>();
    stats.put("groups", (double) groups);
    return new Outcome(flags, stats);
  }

  private static String where(CanonicalRow p, CanonicalRow here) {
    return p.source().equals(here.source()) ? "line " + p.line() : p.source() + " line " + p.line();
  }
}
