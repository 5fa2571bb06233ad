package dev.custody.train.screen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OutlierScreenTest {
  /** The median of the deviations, as the screen computed it before: sort them, take the middle. */
  private static double sortedMedianDeviation(double[] values, double m) {
    double[] dev = new double[values.length];
    for (int i = 0; i < dev.length; i++) {
      dev[i] = Math.abs(values[i] - m);
    }
    Arrays.sort(dev);
    int k = dev.length / 2;
    return dev.length == 0 ? 0 : dev.length % 2 == 1 ? dev[k] : (dev[k - 1] + dev[k]) / 2;
  }

  @Test
  void medianDeviationOfSortedValuesEqualsTheMedianOfTheSortedDeviations() {
    SplittableRandom random = new SplittableRandom(7);
    for (int trial = 0; trial < 500; trial++) {
      int n = random.nextInt(0, 40);
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        // Few distinct values (ties, runs equal to the median) and fractional ones.
        v[i] = trial % 2 == 0 ? random.nextInt(-3, 4) : random.nextDouble(-1e6, 1e6);
      }
      Arrays.sort(v);
      double m = n == 0 ? 0 : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
      // Also a centre that is not the median (the merge must not rely on it).
      for (double centre : new double[] {m, m + 0.5, -1e7, 1e7}) {
        assertThat(OutlierScreen.medianDeviation(v, centre))
            .as("trial %d, centre %s, values %s", trial, centre, Arrays.toString(v))
            .isEqualTo(sortedMedianDeviation(v, centre));
      }
    }
  }
}
