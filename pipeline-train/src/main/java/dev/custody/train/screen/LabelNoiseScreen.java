package dev.custody.train.screen;

import dev.custody.core.chain.FeatureSchema;
import dev.custody.train.data.ParsedRow;
import dev.custody.train.spec.ScreenSpec;
import dev.custody.train.tree.OutOfFoldTrees;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * Label-noise suspects by confident learning (Northcutt, Jiang and Chuang, "Confident Learning:
 * Estimating Uncertainty in Dataset Labels", JAIR 2021).
 *
 * <p>Each row's out-of-fold probabilities come from a Tribuo logistic regression (SGD with AdaGrad)
 * trained on the other folds: stratified K-fold (default 5) with a seeded shuffle, and a fresh
 * trainer per fold seeded with {@code seed + fold}. Features are prepared on the training folds
 * only: numeric columns are standardised and, by default, also one-hot encoded into 10 quantile
 * bins (so the linear model can follow non-monotone effects such as PAY_0's); text token counts
 * become {@code log(1 + count)}, L2-normalised per row; one-hot categoricals pass through. A
 * held-out row none of whose features the training folds saw gets their class frequencies.
 *
 * <p>For each class j the threshold {@code t_j} is the mean probability of j over the rows labelled
 * j (the class's mean self-confidence). A row's confident label is the most probable class among
 * those whose probability reaches their threshold; the row is a suspect when that label exists and
 * differs from the given one (the off-diagonal of the confident joint). With fewer rows than folds,
 * or a training fold that lacks a class, the screen does not run and reports {@code skipped = 1}.
 */
final class LabelNoiseScreen {
  private final List<String> labels;
  private final List<String> numericColumns;
  private final Set<String> textColumns;
  private final int folds;
  private final int epochs;
  private final long seed;
  private final int bins;
  private final ScreenSpec.LabelNoise.Model model;

  /**
   * @param bins quantile bins per numeric column (one-hot, beside the standardised value), or 0 for
   *     none
   */
  LabelNoiseScreen(FeatureSchema schema, int folds, int epochs, long seed, int bins) {
    this(schema, folds, epochs, seed, bins, ScreenSpec.LabelNoise.Model.LOGISTIC);
  }

  /**
   * @param bins quantile bins per numeric column (one-hot, beside the standardised value), or 0 for
   *     none; the logistic regression's only
   * @param model the model whose out-of-fold probabilities are read
   */
  LabelNoiseScreen(
      FeatureSchema schema,
      int folds,
      int epochs,
      long seed,
      int bins,
      ScreenSpec.LabelNoise.Model model) {
    this.labels = schema.label().allowed();
    List<String> numeric = new ArrayList<>();
    schema.numeric().forEach(n -> numeric.add(n.column()));
    this.numericColumns = List.copyOf(numeric);
    Set<String> text = new HashSet<>();
    schema.text().forEach(t -> text.add(t.column()));
    this.textColumns = Set.copyOf(text);
    this.folds = folds;
    this.epochs = epochs;
    this.seed = seed;
    this.bins = bins;
    this.model = model;
  }

  /** The screen a spec configures. */
  LabelNoiseScreen(FeatureSchema schema, ScreenSpec.LabelNoise spec) {
    this(schema, spec.folds(), spec.epochs(), spec.seed(), spec.bins(), spec.model());
  }

  Screening.Outcome run(List<ParsedRow> rows) {
    return run(rows, done -> {});
  }

  /** Screens {@code rows}, telling {@code foldsDone} how many folds are done after each one. */
  Screening.Outcome run(List<ParsedRow> rows, IntConsumer foldsDone) {
    int n = rows.size();
    int k = labels.size();
    int[] y = labelIndices(rows);
    Map<String, Double> stats = new LinkedHashMap<>();
    stats.put("folds", (double) folds);
    stats.put("seed", (double) seed);
    double[][] p = outOfFold(rows, foldsDone);
    if (p == null) {
      stats.put("skipped", 1.0);
      return new Screening.Outcome(List.of(), stats);
    }
    double[] threshold = new double[k];
    long[] count = new long[k];
    for (int i = 0; i < n; i++) {
      threshold[y[i]] += p[i][y[i]];
      count[y[i]]++;
    }
    for (int j = 0; j < k; j++) {
      threshold[j] = count[j] == 0 ? 1.0 : threshold[j] / count[j];
      stats.put("threshold:" + labels.get(j), round(threshold[j]));
    }
    // Each class threshold as flags print it, rounded once rather than twice per flag.
    String[] shownThreshold = new String[k];
    for (int j = 0; j < k; j++) {
      shownThreshold[j] = plain(round(threshold[j]));
    }
    List<Screening.Flag> flags = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int given = y[i];
      int suspect = suspect(p[i], given, threshold);
      if (suspect >= 0) {
        flags.add(
            new Screening.Flag(
                i,
                "given "
                    + labels.get(given)
                    + " (p "
                    + plain(round(p[i][given]))
                    + ", threshold "
                    + shownThreshold[given]
                    + "), confident "
                    + labels.get(suspect)
                    + " (p "
                    + plain(round(p[i][suspect]))
                    + " >= threshold "
                    + shownThreshold[suspect]
                    + ")"));
      }
    }
    return new Screening.Outcome(flags, stats);
  }

  int[] labelIndices(List<ParsedRow> rows) {
    Map<String, Integer> labelIndex = new HashMap<>();
    for (int j = 0; j < labels.size(); j++) {
      labelIndex.put(labels.get(j), j);
    }
    int[] y = new int[rows.size()];
    for (int i = 0; i < y.length; i++) {
      y[i] = labelIndex.get(rows.get(i).label());
    }
    return y;
  }

  /**
   * Out-of-fold probabilities, {@code p[row][label index]}, or null when there are too few rows
   * (fewer than the folds, or a training fold without every class).
   */
  private double[][] outOfFold(List<ParsedRow> rows, IntConsumer foldsDone) {
    int n = rows.size();
    if (n < folds) {
      return null;
    }
    int[] y = labelIndices(rows);
    int[] fold = stratifiedFolds(y, labels.size());
    if (model != ScreenSpec.LabelNoise.Model.LOGISTIC) {
      if (!everyTrainingFoldHasEveryClass(y, fold)) {
        return null;
      }
      return OutOfFoldTrees.probabilities(
          denseColumns(rows),
          y,
          labels.size(),
          fold,
          folds,
          model == ScreenSpec.LabelNoise.Model.HIST_FOREST,
          seed,
          counter(foldsDone));
    }
    double[][] p = new double[n][labels.size()];
    // Each fold trains its own seeded trainer and writes only its own rows: the folds run in
    // parallel and give the same probabilities as one after the other.
    Runnable done = counter(foldsDone);
    boolean complete =
        IntStream.range(0, folds)
            .parallel()
            .mapToObj(
                f -> {
                  boolean trained = trainAndPredict(rows, fold, f, p);
                  done.run();
                  return trained;
                })
            .toList()
            .stream()
            .allMatch(Boolean::booleanValue);
    return complete ? p : null;
  }

  /** Counts folds done for {@code foldsDone}, one at a time and in increasing order. */
  private static Runnable counter(IntConsumer foldsDone) {
    int[] count = {0};
    return () -> {
      synchronized (count) {
        foldsDone.accept(++count[0]);
      }
    };
  }

  /** Whether every fold's complement (its training rows) holds a row of every class. */
  private boolean everyTrainingFoldHasEveryClass(int[] y, int[] fold) {
    int k = labels.size();
    int[][] count = new int[folds][k];
    int[] total = new int[k];
    for (int i = 0; i < y.length; i++) {
      count[fold[i]][y[i]]++;
      total[y[i]]++;
    }
    for (int f = 0; f < folds; f++) {
      for (int j = 0; j < k; j++) {
        if (total[j] - count[f][j] == 0) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The rows' features as dense columns, {@code columns[feature][row]}, features in name order (an
   * absent feature is 0, as the trees read it).
   */
  private static double[][] denseColumns(List<ParsedRow> rows) {
    // Rows of fixed columns share one list of names (ingest shares it): each distinct list is
    // looked up once, not each row's names in a tree map.
    Map<String, Integer> index = new TreeMap<>();
    List<String> last = null;
    for (ParsedRow r : rows) {
      List<String> names = r.row().names();
      if (names != last) {
        for (String name : names) {
          index.putIfAbsent(name, 0);
        }
        last = names;
      }
    }
    int f = 0;
    for (Map.Entry<String, Integer> e : index.entrySet()) {
      e.setValue(f++);
    }
    double[][] columns = new double[f][rows.size()];
    last = null;
    int[] at = new int[0];
    for (int i = 0; i < rows.size(); i++) {
      List<String> names = rows.get(i).row().names();
      if (names != last) {
        at = new int[names.size()];
        for (int c = 0; c < at.length; c++) {
          at[c] = index.get(names.get(c));
        }
        last = names;
      }
      List<Double> values = rows.get(i).row().values();
      for (int c = 0; c < at.length; c++) {
        columns[at[c]][i] = values.get(c);
      }
    }
    return columns;
  }

  /**
   * The confident label of a row when it differs from the given one, else -1: the most probable
   * class among those whose probability reaches their class threshold.
   */
  private static int suspect(double[] p, int given, double[] threshold) {
    int confident = -1;
    for (int j = 0; j < p.length; j++) {
      if (p[j] >= threshold[j] && (confident < 0 || p[j] > p[confident])) {
        confident = j;
      }
    }
    return confident != given ? confident : -1;
  }

  /** Assigns rows to folds: per class, a seeded shuffle dealt round-robin. */
  private int[] stratifiedFolds(int[] y, int k) {
    int[] fold = new int[y.length];
    SplittableRandom rng = new SplittableRandom(seed);
    int next = 0;
    for (int j = 0; j < k; j++) {
      List<Integer> members = new ArrayList<>();
      for (int i = 0; i < y.length; i++) {
        if (y[i] == j) {
          members.add(i);
        }
      }
      for (int i = members.size() - 1; i > 0; i--) {
        int swap = rng.nextInt(i + 1);
        Integer t = members.get(i);
        members.set(i, members.get(swap));
        members.set(swap, t);
      }
      for (int i : members) {
        fold[i] = next;
        next = (next + 1) % folds;
      }
    }
    return fold;
  }

  /**
   * Trains on every fold but {@code f} and writes probabilities for fold {@code f}'s rows.
   *
   * @return false if the training folds lack a class (too few rows to screen)
   */
  private boolean trainAndPredict(List<ParsedRow> rows, int[] fold, int f, double[][] p) {
    List<Integer> train = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      (fold[i] == f ? test : train).add(i);
    }
    Transform t = Transform.fit(rows, train, numericColumns, bins, textColumns);
    LabelFactory factory = new LabelFactory();
    MutableDataset<Label> data =
        new MutableDataset<>(
            new SimpleDataSourceProvenance("custody label-noise screen, fold " + f, factory),
            factory);
    for (int i : train) {
      data.add(t.example(rows.get(i)));
    }
    if (data.getOutputs().size() < labels.size() || test.isEmpty()) {
      return false;
    }
    LinearSGDTrainer trainer =
        new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(1.0, 0.1), epochs, -1, 1, seed + f);
    Model<Label> model = trainer.train(data);
    double[] prior = new double[labels.size()];
    for (int i : train) {
      prior[labels.indexOf(rows.get(i).label())] += 1.0 / train.size();
    }
    for (int i : test) {
      Example<Label> example = t.example(rows.get(i));
      if (!knowsAnyFeature(model, example)) {
        // Only features the training folds never saw (rare tokens): Tribuo cannot predict, so the
        // row gets the training folds' class frequencies.
        p[i] = prior.clone();
        continue;
      }
      Prediction<Label> pred = model.predict(example);
      Map<String, Label> scores = pred.getOutputScores();
      for (int j = 0; j < labels.size(); j++) {
        Label l = scores.get(labels.get(j));
        p[i][j] = l == null ? 0 : l.getScore();
      }
    }
    return true;
  }

  private static boolean knowsAnyFeature(Model<Label> model, Example<Label> example) {
    for (Feature f : example) {
      if (model.getFeatureIDMap().get(f.getName()) != null) {
        return true;
      }
    }
    return false;
  }

  /**
   * Feature scaling fitted on the training folds: numeric columns are standardised (mean 0, sd 1);
   * with binning, each numeric column also gets one-hot quantile-bin features, so the linear model
   * can follow non-monotone effects. Other features (one-hot, token counts) pass through.
   */
  static final class Transform {
    private final Map<String, double[]> standardise;
    private final Map<String, double[]> cuts;
    private final Set<String> textColumns;

    private Transform(
        Map<String, double[]> standardise, Map<String, double[]> cuts, Set<String> textColumns) {
      this.standardise = standardise;
      this.cuts = cuts;
      this.textColumns = textColumns;
    }

    static Transform fit(
        List<ParsedRow> rows,
        List<Integer> train,
        List<String> numeric,
        int bins,
        Set<String> textColumns) {
      Map<String, double[]> standardise = new HashMap<>();
      Map<String, double[]> cuts = new HashMap<>();
      for (int c = 0; c < numeric.size(); c++) {
        double[] v = new double[train.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = rows.get(train.get(i)).numeric(c);
        }
        double mean = Arrays.stream(v).sum() / Math.max(1, v.length);
        double var = 0;
        for (double x : v) {
          var += (x - mean) * (x - mean);
        }
        double sd = Math.sqrt(var / Math.max(1, v.length));
        standardise.put(numeric.get(c), new double[] {mean, sd > 0 ? sd : 1});
        if (bins > 1) {
          Arrays.sort(v);
          List<Double> edges = new ArrayList<>();
          for (int b = 1; b < bins; b++) {
            double q = v[(int) Math.min(v.length - 1, (long) b * v.length / bins)];
            if (edges.isEmpty() || q > edges.get(edges.size() - 1)) {
              edges.add(q);
            }
          }
          cuts.put(numeric.get(c), edges.stream().mapToDouble(Double::doubleValue).toArray());
        }
      }
      return new Transform(standardise, cuts, textColumns);
    }

    private boolean isText(String name) {
      int at = name.indexOf('@');
      return at > 0 && textColumns.contains(name.substring(0, at));
    }

    Example<Label> example(ParsedRow r) {
      List<String> names = r.row().names();
      List<Double> values = r.row().values();
      List<String> outNames = new ArrayList<>(names.size() * 2);
      List<Double> outValues = new ArrayList<>(names.size() * 2);
      double textNorm = 0;
      for (int i = 0; i < names.size(); i++) {
        if (isText(names.get(i))) {
          double w = Math.log1p(values.get(i));
          textNorm += w * w;
        }
      }
      textNorm = Math.sqrt(textNorm);
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        double v = values.get(i);
        double[] ms = standardise.get(name);
        if (ms == null) {
          outNames.add(name);
          outValues.add(isText(name) ? Math.log1p(v) / textNorm : v);
          continue;
        }
        outNames.add(name);
        outValues.add((v - ms[0]) / ms[1]);
        double[] edges = cuts.get(name);
        if (edges != null) {
          int bin = 0;
          while (bin < edges.length && v >= edges[bin]) {
            bin++;
          }
          outNames.add(name + "@bin" + bin);
          outValues.add(1.0);
        }
      }
      String[] n = outNames.toArray(new String[0]);
      double[] v = new double[n.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = outValues.get(i);
      }
      return new ArrayExample<>(new Label(r.label()), n, v);
    }
  }

  private static double round(double v) {
    return new BigDecimal(v).round(new MathContext(4)).doubleValue();
  }

  private static String plain(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
