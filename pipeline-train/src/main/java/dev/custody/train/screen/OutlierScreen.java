package dev.custody.train.screen;

import dev.custody.core.chain.FeatureSchema;
import dev.custody.train.data.ParsedRow;
import dev.custody.train.spec.ScreenSpec;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Flags rows with a numeric value far from its column's median: the modified z-score of Iglewicz
 * and Hoaglin, {@code z = (x - median) / (1.4826 * MAD)}, where MAD is the median absolute
 * deviation. When more than half the values equal the median (MAD = 0) the scale is the mean
 * absolute deviation from the median times 1.2533 instead; a column whose values are all equal is
 * skipped. A row is flagged when any column's |z| exceeds the threshold ({@link
 * dev.custody.train.spec.ScreenSpec.Outliers#threshold()}). With {@code perClass} (the default)
 * medians and scales are taken among the rows of the row's own label, so that the minority class of
 * a skewed table is not flagged merely for being different from the majority.
 */
final class OutlierScreen {
  private static final double MAD_SCALE = 1.4826;
  private static final double MEAN_AD_SCALE = 1.2533;

  private final List<ParsedRow> fit;
  private final FeatureSchema schema;
  private final ScreenSpec.Outliers spec;
  private final Map<String, Double> stats = new LinkedHashMap<>();
  private final Map<String, Fitted> byClass = new HashMap<>();

  /** All rows' fit: with {@code perClass} only for a test row of a class the training rows lack. */
  private Fitted all;

  /**
   * Fits the medians and scales of {@code fit} once, for its own rows and the test split's: the
   * test split is judged by the training split's statistics, as the model will be.
   */
  OutlierScreen(List<ParsedRow> fit, FeatureSchema schema, ScreenSpec.Outliers spec) {
    this.fit = fit;
    this.schema = schema;
    this.spec = spec;
    stats.put("threshold", spec.threshold());
    if (spec.perClass()) {
      Map<String, List<ParsedRow>> groups = new TreeMap<>();
      fit.forEach(r -> groups.computeIfAbsent(r.label(), k -> new ArrayList<>()).add(r));
      groups.forEach((label, g) -> byClass.put(label, fit(g, schema, stats, label + ":")));
    } else {
      all = fit(fit, schema, stats, "");
    }
  }

  /** Flags rows of {@code rows} against the fitted medians and scales. */
  Screening.Outcome judge(List<ParsedRow> rows) {
    double threshold = spec.threshold();
    List<Screening.Flag> flags = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      // A test row of a class the training rows lack is judged by all of them (fitted then, as
      // each fit sorts every numeric column).
      Fitted f = byClass.get(rows.get(i).label());
      if (f == null) {
        all = all != null ? all : fit(fit, schema, null, "");
        f = all;
      }
      int worst = -1;
      double worstZ = 0;
      for (int c = 0; c < f.median().length; c++) {
        if (f.scale()[c] == 0) {
          continue;
        }
        double z = (rows.get(i).numeric(c) - f.median()[c]) / f.scale()[c];
        if (Math.abs(z) > threshold && Math.abs(z) > Math.abs(worstZ)) {
          worst = c;
          worstZ = z;
        }
      }
      if (worst >= 0) {
        flags.add(
            new Screening.Flag(
                i,
                schema.numeric().get(worst).column()
                    + " = "
                    + plain(rows.get(i).numeric(worst))
                    + ": robust z "
                    + plain(round(worstZ))
                    + " beyond ±"
                    + plain(threshold)
                    + " (median "
                    + plain(f.median()[worst])
                    + (spec.perClass() ? " of label " + rows.get(i).label() : "")
                    + ")"));
      }
    }
    return new Screening.Outcome(flags, stats);
  }

  /** Per numeric column: the median and the robust scale of {@code rows}. */
  @SuppressWarnings("ArrayRecordComponent") // internal holder: never compared, hashed or printed
  private record Fitted(double[] median, double[] scale) {}

  /** Fits {@code rows}; records {@code PREFIXmedian:COLUMN} and scale in {@code stats} if given. */
  private static Fitted fit(
      List<ParsedRow> rows, FeatureSchema schema, Map<String, Double> stats, String prefix) {
    int columns = schema.numeric().size();
    double[] median = new double[columns];
    double[] scale = new double[columns];
    for (int c = 0; c < columns; c++) {
      double[] v = new double[rows.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = rows.get(i).numeric(c);
      }
      Arrays.sort(v);
      median[c] = middle(v);
      double sumDev = 0;
      for (int i = 0; i < v.length; i++) {
        sumDev += Math.abs(rows.get(i).numeric(c) - median[c]); // in row order, as always summed
      }
      double mad = medianDeviation(v, median[c]);
      scale[c] = mad > 0 ? MAD_SCALE * mad : v.length == 0 ? 0 : MEAN_AD_SCALE * sumDev / v.length;
      if (stats != null) {
        String name = schema.numeric().get(c).column();
        stats.put(prefix + "median:" + name, median[c]);
        stats.put(prefix + "scale:" + name, scale[c]);
      }
    }
    return new Fitted(median, scale);
  }

  /** The median of sorted {@code s}. */
  private static double middle(double[] s) {
    if (s.length == 0) {
      return 0;
    }
    int m = s.length / 2;
    return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  /**
   * The median of {@code |s[i] - m|} over sorted {@code s}, without sorting the deviations: they
   * fall from the left end to {@code m} and rise from there to the right end, so merging the two
   * runs gives them in order.
   */
  static double medianDeviation(double[] s, double m) {
    int n = s.length;
    if (n == 0) {
      return 0;
    }
    int right = 0;
    while (right < n && s[right] < m) {
      right++;
    }
    int left = right - 1;
    double prev = 0;
    double cur = 0;
    for (int k = 0; k <= n / 2; k++) {
      prev = cur;
      if (left < 0 || (right < n && Math.abs(s[right] - m) <= Math.abs(s[left] - m))) {
        cur = Math.abs(s[right++] - m);
      } else {
        cur = Math.abs(s[left--] - m);
      }
    }
    return n % 2 == 1 ? cur : (prev + cur) / 2;
  }

  private static double round(double v) {
    return new BigDecimal(v).round(new MathContext(3)).doubleValue();
  }

  private static String plain(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
