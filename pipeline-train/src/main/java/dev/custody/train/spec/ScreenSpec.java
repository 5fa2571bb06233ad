package dev.custody.train.spec;

import static dev.custody.train.spec.InvalidParameter.integerIn;
import static dev.custody.train.spec.InvalidParameter.numberIn;

import java.util.Locale;
import java.util.Objects;

/**
 * One configured data screen, parsed straight from the spec's {@code screens} section ({@code
 * screens: {outliers: {policy: warn, params: {threshold: 10}}}}). Every screen has a {@link
 * Policy}, {@code maxFlagged} (how many flagged rows policy {@code fail} tolerates, default 0) and
 * {@code reportRows} (how many flagged rows the report lists, in [0, 10000], default 10), given in
 * its {@code params} beside its own parameters. Each record validates its parameters on
 * construction.
 */
public sealed interface ScreenSpec
    permits ScreenSpec.Duplicates,
        ScreenSpec.Conflicts,
        ScreenSpec.Outliers,
        ScreenSpec.LabelNoise,
        ScreenSpec.LabelChanges {

  /** Default number of flagged rows a report lists. */
  int DEFAULT_REPORT_ROWS = 10;

  /** Default number of flagged rows policy {@code fail} tolerates. */
  long DEFAULT_MAX_FLAGGED = 0;

  /** The screen's key in the spec ({@code duplicates}, ..., {@code labelChanges}). */
  String name();

  /** What to do with the rows the screen flags. */
  Policy policy();

  /** How many flagged rows policy {@link Policy#FAIL} tolerates. */
  long maxFlagged();

  /** How many flagged rows the report lists. */
  int reportRows();

  /** What a screen does with the rows it flags. */
  enum Policy {
    /** Refuse the data when more rows are flagged than the screen's {@code maxFlagged}. */
    FAIL,
    /** Report the flagged rows and keep them. */
    WARN,
    /** Report the flagged rows and leave them out of the training table. */
    DROP;

    /** The word used in the spec. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Rows with the same features and the same label as an earlier row (spec key {@code duplicates}).
   *
   * @param policy what to do with flagged rows
   * @param maxFlagged flagged rows tolerated by policy fail, at least 0
   * @param reportRows flagged rows listed in the report, in [0, 10000]
   */
  record Duplicates(Policy policy, long maxFlagged, int reportRows) implements ScreenSpec {
    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public Duplicates {
      requireCommon(policy, maxFlagged, reportRows);
    }

    @Override
    public String name() {
      return "duplicates";
    }
  }

  /**
   * Rows with the same features as another row but a different label (spec key {@code conflicts}).
   *
   * @param policy what to do with flagged rows
   * @param maxFlagged flagged rows tolerated by policy fail, at least 0
   * @param reportRows flagged rows listed in the report, in [0, 10000]
   */
  record Conflicts(Policy policy, long maxFlagged, int reportRows) implements ScreenSpec {
    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public Conflicts {
      requireCommon(policy, maxFlagged, reportRows);
    }

    @Override
    public String name() {
      return "conflicts";
    }
  }

  /**
   * Numeric values far from the column's median, in units of its (scaled) MAD (spec key {@code
   * outliers}).
   *
   * @param policy what to do with flagged rows
   * @param maxFlagged flagged rows tolerated by policy fail, at least 0
   * @param reportRows flagged rows listed in the report, in [0, 10000]
   * @param threshold the robust z beyond which a value is flagged, in (0, 1000000] (default 7)
   * @param perClass whether medians and scales are taken per label (default true), so that a class
   *     whose values differ from the majority's is not flagged for that alone
   */
  record Outliers(
      Policy policy, long maxFlagged, int reportRows, double threshold, boolean perClass)
      implements ScreenSpec {
    /**
     * Default robust-z threshold. Iglewicz and Hoaglin's 3.5 is for one normal column; a row is
     * flagged when any of its columns is, and real columns are skewed: at 3.5 the screen flagged
     * 19% of the credit rows and 27% of a 30-feature table (55% of one class). At 7, per class,
     * 3.7% to 6.7% of the rows of credit, wine and that table (README, "Data screens").
     */
    public static final double DEFAULT_THRESHOLD = 7;

    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public Outliers {
      requireCommon(policy, maxFlagged, reportRows);
      numberIn("threshold", threshold, 0, false, 1e6);
    }

    @Override
    public String name() {
      return "outliers";
    }
  }

  /**
   * Rows whose label is unlikely given out-of-fold predictions (spec key {@code labelNoise}): of a
   * logistic regression (the default), a histogram CART tree or a histogram forest ({@code model}).
   * The spec gives the logistic regression's binning as {@code expand: bins | none} (default bins)
   * and {@code bins}; {@code expand: none} is {@code bins} 0 here. The tree models take neither
   * epochs nor expansion: {@code epochs} and {@code bins} are their defaults then, and unused.
   *
   * @param policy what to do with flagged rows
   * @param maxFlagged flagged rows tolerated by policy fail, at least 0
   * @param reportRows flagged rows listed in the report, in [0, 10000]
   * @param folds cross-validation folds, in [2, 50] (default 5)
   * @param epochs SGD epochs per fold, in [1, 1000] (default 10)
   * @param seed seed of the fold shuffle and the trainers (default: the split's seed)
   * @param bins quantile bins per numeric column, in [2, 100] (default 10), or 0 for none
   * @param model the model whose out-of-fold probabilities the screen reads
   */
  record LabelNoise(
      Policy policy,
      long maxFlagged,
      int reportRows,
      int folds,
      int epochs,
      long seed,
      int bins,
      Model model)
      implements ScreenSpec {
    /** The screen's model: spec values {@code logistic}, {@code hist-cart}, {@code hist-forest}. */
    public enum Model {
      /** Tribuo's SGD logistic regression on standardised (and binned) features; the default. */
      LOGISTIC("logistic"),
      /** One histogram CART tree (depth 8, leaves of at least 20 rows). */
      HIST_CART("hist-cart"),
      /** A histogram forest (20 trees of depth 8, leaves of at least 20 rows). */
      HIST_FOREST("hist-forest");

      private final String specName;

      Model(String specName) {
        this.specName = specName;
      }

      /** The model's name in a spec. */
      public String specName() {
        return specName;
      }
    }

    /** Default number of folds. */
    public static final int DEFAULT_FOLDS = 5;

    /** Default SGD epochs per fold. */
    public static final int DEFAULT_EPOCHS = 10;

    /** Default quantile bins per numeric column. */
    public static final int DEFAULT_BINS = 10;

    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public LabelNoise {
      requireCommon(policy, maxFlagged, reportRows);
      Objects.requireNonNull(model, "model");
      integerIn("folds", folds, 2, 50);
      integerIn("epochs", epochs, 1, 1_000);
      if (bins != 0) {
        integerIn("bins", bins, 2, 100);
      }
    }

    /**
     * A screen with the logistic regression, as specs that name no model have.
     *
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public LabelNoise(
        Policy policy,
        long maxFlagged,
        int reportRows,
        int folds,
        int epochs,
        long seed,
        int bins) {
      this(policy, maxFlagged, reportRows, folds, epochs, seed, bins, Model.LOGISTIC);
    }

    @Override
    public String name() {
      return "labelNoise";
    }
  }

  /**
   * Rows whose label differs from the same row (same id, else same features) in a baseline dataset:
   * the previous, pinned version of the data (spec key {@code labelChanges}). Catches relabelled
   * rows exactly.
   *
   * @param policy what to do with flagged rows
   * @param maxFlagged flagged rows tolerated by policy fail, at least 0
   * @param reportRows flagged rows listed in the report, in [0, 10000]
   * @param baseline the previous spec, relative to this spec's directory; required
   */
  record LabelChanges(Policy policy, long maxFlagged, int reportRows, String baseline)
      implements ScreenSpec {
    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public LabelChanges {
      requireCommon(policy, maxFlagged, reportRows);
      Objects.requireNonNull(baseline, "baseline");
      if (baseline.isBlank()) {
        throw InvalidParameter.of("baseline", "expected the previous spec's path, found a blank");
      }
    }

    @Override
    public String name() {
      return "labelChanges";
    }
  }

  private static void requireCommon(Policy policy, long maxFlagged, int reportRows) {
    Objects.requireNonNull(policy, "policy");
    integerIn("maxFlagged", maxFlagged, 0, Long.MAX_VALUE);
    integerIn("reportRows", reportRows, 0, 10_000);
  }
}
