package dev.custody.train.screen;

import dev.custody.core.chain.FeatureSchema;
import dev.custody.train.data.ParsedRow;
import dev.custody.train.spec.ScreenSpec;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flags rows with a numeric value far from its column's median: the modified z-score of Iglewicz
 * and Hoaglin, {@code z = (x - median) / (1.4826 * MAD)}, where MAD is the median absolute
 * deviation. When more than half the values equal the median (MAD = 0) the scale is the mean
 * absolute deviation from the median times 1.2533 instead; a column whose values are all equal is
 * skipped. A row is flagged when any column's |z| exceeds the threshold ({@link
 * dev.custody.train.spec.ScreenSpec.Outliers#threshold()}).
 */
final class OutlierScreen {
  private static final double MAD_SCALE = 1.4826;
  private static final double MEAN_AD_SCALE = 1.2533;

  private OutlierScreen() {}

  static Screening.Outcome run(
      List<ParsedRow> rows, FeatureSchema schema, ScreenSpec.Outliers spec) {
    double threshold = spec.threshold();
    int columns = schema.numeric().size();
    double[] median = new double[columns];
    double[] scale = new double[columns];
    Map<String, Double> stats = new LinkedHashMap<>();
    stats.put("threshold", threshold);
    for (int c = 0; c < columns; c++) {
      double[] v = new double[rows.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = rows.get(i).numeric(c);
      }
      median[c] = median(v);
      double[] dev = new double[v.length];
      double sumDev = 0;
      for (int i = 0; i < v.length; i++) {
        dev[i] = Math.abs(v[i] - median[c]);
        sumDev += dev[i];
      }
      double mad = median(dev);
      scale[c] = mad > 0 ? MAD_SCALE * mad : v.length == 0 ? 0 : MEAN_AD_SCALE * sumDev / v.length;
      String name = schema.numeric().get(c).column();
      stats.put("median:" + name, median[c]);
      stats.put("scale:" + name, scale[c]);
    }
    List<Screening.Flag> flags = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      int worst = -1;
      double worstZ = 0;
      for (int c = 0; c < columns; c++) {
        if (scale[c] == 0) {
          continue;
        }
        double z = (rows.get(i).numeric(c) - median[c]) / scale[c];
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
                    + plain(median[worst])
                    + ")"));
      }
    }
    return new Screening.Outcome(flags, stats);
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return 0;
    }
    double[] s = values.clone();
    Arrays.sort(s);
    int m = s.length / 2;
    return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  private static double round(double v) {
    return new BigDecimal(v).round(new MathContext(3)).doubleValue();
  }

  private static String plain(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
