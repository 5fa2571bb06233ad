package dev.custody.train.linear;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.protos.ClassificationLinearSGDProto;
import org.tribuo.impl.ModelDataCarrier;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.util.ExpNormalizer;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.TrainerProvenance;
import org.tribuo.provenance.impl.TrainerProvenanceImpl;

/**
 * Multinomial logistic regression with an L2 penalty, solved full-batch by L-BFGS: it minimises
 *
 * <pre>(1/S) Σᵢ sᵢ · −log softmax(W xᵢ + b)[yᵢ] + (l2 / 2S) ‖W‖²</pre>
 *
 * over the rows' weights sᵢ (S their sum; the bias b is not penalised), which is scikit-learn's
 * {@code LogisticRegression(C=1/l2, solver="lbfgs")} objective for multinomial problems. It stops
 * when the largest gradient component is at most {@code tolerance}, when an iteration lowers the
 * objective by less than a relative 2.2e-9 (SciPy's default), or after {@code maxIterations}.
 *
 * <p>Rows stay sparse (text has thousands of token features, a message a few dozen), every sum runs
 * in row order and nothing is random, so the model depends only on the dataset and the parameters.
 * Dense rows (standardized) of a large enough dataset are split between the machine's cores: first
 * each row's residuals, then each weight's sum over every row in row order, the same terms in the
 * same order as on one thread, so the number of cores does not change a bit. The model is a stock
 * Tribuo {@link LinearSGDModel} (softmax probabilities, the dataset's feature map, the bias as the
 * last weight column), made by Tribuo's own protobuf reader from bytes built here, as Tribuo's
 * {@code LinearSGDTrainer} with {@code LogMulticlass} would make it; its provenance records this
 * class and its {@code @Config} parameters.
 */
public final class LbfgsLogisticTrainer implements Trainer<Label> {
  /** Tribuo's {@code LinearSGDTrainer} names its model so; kept, as for the hist trainers. */
  static final String MODEL_NAME = "linear-sgd-model";

  /** Corrections L-BFGS keeps (SciPy's default). */
  private static final int MEMORY = 10;

  /** SciPy's default relative reduction of the objective below which L-BFGS stops. */
  private static final double FTOL = 2.220446049250313e-9;

  /** Armijo's sufficient-decrease constant. */
  private static final double ARMIJO = 1e-4;

  /** The most step halvings of one line search. */
  private static final int MAX_HALVINGS = 40;

  /**
   * Values times classes below which a dense objective is summed on one thread: the hand-over costs
   * more than the sums. Either way the sums are the same, to the bit.
   */
  private static final long PARALLEL_WORK = 50_000;

  @Config(description = "The L2 penalty on the weights (scikit-learn's 1/C).")
  private double l2 = 1.0;

  @Config(description = "Stop when no gradient component exceeds this.")
  private double tolerance = 1e-4;

  @Config(description = "The most L-BFGS iterations.")
  private int maxIterations = 100;

  private int invocations;

  /** For OLCUT's configuration system, which sets the fields. */
  @SuppressWarnings("unused")
  private LbfgsLogisticTrainer() {}

  /**
   * A trainer with penalty {@code l2} (non-negative, finite), stopping at gradient {@code
   * tolerance} (positive) or after {@code maxIterations} (at least 1).
   *
   * @throws IllegalArgumentException naming the parameter that is out of range
   */
  public LbfgsLogisticTrainer(double l2, double tolerance, int maxIterations) {
    if (!(l2 >= 0 && Double.isFinite(l2))) {
      throw new IllegalArgumentException("l2: expected a non-negative number, found " + l2);
    }
    if (!(tolerance > 0 && Double.isFinite(tolerance))) {
      throw new IllegalArgumentException(
          "tolerance: expected a positive number, found " + tolerance);
    }
    if (maxIterations < 1) {
      throw new IllegalArgumentException(
          "maxIterations: expected at least 1, found " + maxIterations);
    }
    this.l2 = l2;
    this.tolerance = tolerance;
    this.maxIterations = maxIterations;
  }

  /**
   * @throws IllegalArgumentException if the dataset is empty, its weights sum to 0, or it holds a
   *     label its output domain does not
   */
  @Override
  public LinearSGDModel train(Dataset<Label> examples, Map<String, Provenance> runProvenance) {
    TrainerProvenance provenance;
    synchronized (this) {
      provenance = getProvenance();
      invocations++;
    }
    ImmutableFeatureMap features = examples.getFeatureIDMap();
    ImmutableOutputInfo<Label> labels = examples.getOutputIDInfo();
    Rows rows = Rows.of(examples, features, labels);
    double[] theta;
    int threads = Runtime.getRuntime().availableProcessors();
    if (threads > 1 && rows.dense() && (long) rows.value.length * labels.size() >= PARALLEL_WORK) {
      // The calling thread sums one block itself.
      ForkJoinPool pool = new ForkJoinPool(threads - 1);
      try {
        theta =
            new Objective(rows, labels.size(), l2, true, pool).minimise(tolerance, maxIterations);
      } finally {
        pool.shutdown();
      }
    } else {
      theta = new Objective(rows, labels.size(), l2).minimise(tolerance, maxIterations);
    }
    return model(
        theta,
        labels.size(),
        features.size() + 1,
        new ModelProvenance(
            LinearSGDModel.class.getName(),
            OffsetDateTime.now(ZoneOffset.UTC),
            examples.getProvenance(),
            provenance,
            runProvenance),
        features,
        labels);
  }

  /**
   * The Tribuo model of weights {@code theta} ({@code classes} rows of {@code width} columns, the
   * last the bias), through {@code LinearSGDModel}'s protobuf form: its constructor is
   * package-private.
   */
  private static LinearSGDModel model(
      double[] theta,
      int classes,
      int width,
      ModelProvenance provenance,
      ImmutableFeatureMap features,
      ImmutableOutputInfo<Label> labels) {
    DenseMatrix weights = new DenseMatrix(classes, width);
    for (int k = 0; k < classes; k++) {
      for (int j = 0; j < width; j++) {
        weights.set(k, j, theta[k * width + j]);
      }
    }
    ModelDataCarrier<Label> carrier =
        new ModelDataCarrier<>(
            MODEL_NAME, provenance, features, labels, true, provenance.getTribuoVersion());
    ClassificationLinearSGDProto proto =
        ClassificationLinearSGDProto.newBuilder()
            .setMetadata(carrier.serialize())
            .setParams(new LinearParameters(weights).serialize())
            .setNormalizer(new ExpNormalizer().serialize())
            .build();
    try {
      return LinearSGDModel.deserializeFromProto(
          LinearSGDModel.CURRENT_VERSION, LinearSGDModel.class.getName(), Any.pack(proto));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("Tribuo refused a linear model built in memory", e);
    }
  }

  /** The rows in compressed sparse form: feature ids (the bias not stored), values, label ids. */
  static final class Rows {
    final int[] start;
    final int[] feature;
    final double[] value;
    final int[] label;
    final double[] weight;
    final int width;

    Rows(int[] start, int[] feature, double[] value, int[] label, double[] weight, int width) {
      this.start = start;
      this.feature = feature;
      this.value = value;
      this.label = label;
      this.weight = weight;
      this.width = width;
    }

    // The name cache compares by identity on purpose: a different string takes the map lookup.
    @SuppressWarnings("ReferenceEquality")
    static Rows of(
        Dataset<Label> examples, ImmutableFeatureMap features, ImmutableOutputInfo<Label> labels) {
      int n = examples.size();
      if (n == 0) {
        throw new IllegalArgumentException("no training rows");
      }
      int[] start = new int[n + 1];
      int nnz = 0;
      for (Example<Label> e : examples) {
        nnz += e.size();
      }
      int[] feature = new int[nnz];
      double[] value = new double[nnz];
      int[] label = new int[n];
      double[] weight = new double[n];
      int i = 0;
      int at = 0;
      // Rows of one dataset mostly share their name strings position by position (dense rows
      // always): an identical name at the same position has the id found before, no map lookup.
      String[] seenName = new String[features.size()];
      int[] seenId = new int[features.size()];
      for (Example<Label> e : examples) {
        int id = labels.getID(e.getOutput());
        if (id < 0) {
          throw new IllegalArgumentException("a row's label is not in the dataset's domain");
        }
        label[i] = id;
        weight[i] = e.getWeight();
        int position = 0;
        for (Feature f : e) {
          String name = f.getName();
          int fid;
          if (position < seenName.length && seenName[position] == name) {
            fid = seenId[position];
          } else {
            fid = features.getID(name);
            if (position < seenName.length) {
              seenName[position] = name;
              seenId[position] = fid;
            }
          }
          position++;
          if (fid >= 0 && f.getValue() != 0.0) {
            feature[at] = fid;
            value[at] = f.getValue();
            at++;
          }
        }
        start[++i] = at;
      }
      return new Rows(start, feature, value, label, weight, features.size() + 1);
    }

    /**
     * Whether every row holds every feature, in id order: then row {@code i}'s values are {@code
     * value[i * (width - 1) ...]} and the sums can skip the feature ids, in the same order.
     */
    boolean dense() {
      int features = width - 1;
      if ((long) features * label.length != value.length) {
        return false;
      }
      for (int p = 0; p < feature.length; p++) {
        if (feature[p] != p % features) {
          return false;
        }
      }
      return true;
    }
  }

  /** The penalised loss over {@link Rows} and its gradient, and L-BFGS to minimise it. */
  static final class Objective {
    private final Rows rows;
    private final int classes;
    private final int width;
    private final double l2;
    private final double weightSum;
    private final double[] scores;
    private final boolean dense;
    private final ForkJoinPool pool;

    /** Parallel sums only: each row's weighted loss, and its residual per class. */
    private final double[] rowLoss;

    private final double[] residuals;

    Objective(Rows rows, int classes, double l2) {
      this(rows, classes, l2, rows.dense(), null);
    }

    /**
     * {@code dense} only if {@link Rows#dense()}; false takes the sparse sums (for tests). With a
     * {@code pool} (dense rows only), each evaluation splits its rows, then its weights, between
     * the calling thread and the pool's: a row's scores and residuals, and a weight's sum over the
     * rows in row order, are the same terms in the same order as on one thread, so the bits do not
     * depend on the number of threads.
     */
    Objective(Rows rows, int classes, double l2, boolean dense, ForkJoinPool pool) {
      if (pool != null && !dense) {
        throw new IllegalArgumentException("the parallel sums need dense rows");
      }
      this.rows = rows;
      this.dense = dense;
      this.pool = pool;
      this.rowLoss = pool == null ? null : new double[rows.label.length];
      this.residuals = pool == null ? null : new double[rows.label.length * classes];
      this.classes = classes;
      this.width = rows.width;
      this.l2 = l2;
      double sum = 0;
      for (double w : rows.weight) {
        sum += w;
      }
      if (!(sum > 0)) {
        throw new IllegalArgumentException("the rows' weights sum to " + sum);
      }
      this.weightSum = sum;
      this.scores = new double[classes];
    }

    /** The objective at {@code theta}, its gradient written to {@code gradient}. */
    double valueAndGradient(double[] theta, double[] gradient) {
      Arrays.fill(gradient, 0.0);
      if (pool != null) {
        return parallelValueAndGradient(theta, gradient);
      }
      int[] start = rows.start;
      int[] feature = rows.feature;
      double[] value = rows.value;
      int bias = width - 1;
      double loss = 0;
      for (int i = 0; i < rows.label.length; i++) {
        int from = start[i];
        int to = start[i + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < classes; k++) {
          int base = k * width;
          double z = theta[base + bias];
          if (dense) {
            // Same terms in the same order as the sparse loop: the same bits.
            for (int p = from, j = base; p < to; p++, j++) {
              z += theta[j] * value[p];
            }
          } else {
            for (int p = from; p < to; p++) {
              z += theta[base + feature[p]] * value[p];
            }
          }
          scores[k] = z;
          max = Math.max(max, z);
        }
        int y = rows.label[i];
        double w = rows.weight[i];
        double margin = scores[y] - max;
        double norm = 0;
        for (int k = 0; k < classes; k++) {
          scores[k] = Math.exp(scores[k] - max);
          norm += scores[k];
        }
        loss += w * (Math.log(norm) - margin);
        for (int k = 0; k < classes; k++) {
          double residual = w * (scores[k] / norm - (k == y ? 1.0 : 0.0));
          if (residual == 0.0) {
            continue;
          }
          int base = k * width;
          gradient[base + bias] += residual;
          if (dense) {
            for (int p = from, j = base; p < to; p++, j++) {
              gradient[j] += residual * value[p];
            }
          } else {
            for (int p = from; p < to; p++) {
              gradient[base + feature[p]] += residual * value[p];
            }
          }
        }
      }
      return penalised(loss, theta, gradient);
    }

    /**
     * {@link #valueAndGradient} on dense rows in {@link #pool}: first the rows' residuals and
     * losses in row blocks, then each gradient component's sum over every row, in row order, in
     * blocks of features; then the loss summed in row order.
     */
    private double parallelValueAndGradient(double[] theta, double[] gradient) {
      int n = rows.label.length;
      int parts = pool.getParallelism() + 1;
      ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[parts - 1];
      for (int t = 1; t < parts; t++) {
        int from = (int) ((long) n * t / parts);
        int to = (int) ((long) n * (t + 1) / parts);
        tasks[t - 1] = pool.submit(() -> residuals(theta, from, to, new double[classes]));
      }
      residuals(theta, 0, (int) ((long) n / parts), scores);
      for (ForkJoinTask<?> task : tasks) {
        task.join();
      }
      int features = width - 1;
      for (int t = 1; t < parts; t++) {
        int from = features * t / parts;
        int to = features * (t + 1) / parts;
        tasks[t - 1] = pool.submit(() -> gradientColumns(gradient, from, to, false));
      }
      gradientColumns(gradient, 0, features / parts, true);
      for (ForkJoinTask<?> task : tasks) {
        task.join();
      }
      double loss = 0;
      for (int i = 0; i < n; i++) {
        loss += rowLoss[i];
      }
      return penalised(loss, theta, gradient);
    }

    /** Rows {@code [from, to)}: their weighted losses and residuals, as the sequential loop. */
    private void residuals(double[] theta, int from, int to, double[] scores) {
      double[] value = rows.value;
      int features = width - 1;
      int bias = width - 1;
      for (int i = from; i < to; i++) {
        int first = i * features;
        int last = first + features;
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < classes; k++) {
          int base = k * width;
          double z = theta[base + bias];
          for (int p = first, j = base; p < last; p++, j++) {
            z += theta[j] * value[p];
          }
          scores[k] = z;
          max = Math.max(max, z);
        }
        int y = rows.label[i];
        double w = rows.weight[i];
        double margin = scores[y] - max;
        double norm = 0;
        for (int k = 0; k < classes; k++) {
          scores[k] = Math.exp(scores[k] - max);
          norm += scores[k];
        }
        rowLoss[i] = w * (Math.log(norm) - margin);
        for (int k = 0; k < classes; k++) {
          residuals[i * classes + k] = w * (scores[k] / norm - (k == y ? 1.0 : 0.0));
        }
      }
    }

    /**
     * The data part of the gradient for features {@code [from, to)} of every class (and the biases
     * if {@code bias}), each summed over the rows in row order, as the sequential loop.
     */
    private void gradientColumns(double[] gradient, int from, int to, boolean bias) {
      double[] value = rows.value;
      int features = width - 1;
      int n = rows.label.length;
      for (int i = 0; i < n; i++) {
        int row = i * features;
        for (int k = 0; k < classes; k++) {
          double residual = residuals[i * classes + k];
          if (residual == 0.0) {
            continue;
          }
          int base = k * width;
          if (bias) {
            gradient[base + features] += residual;
          }
          for (int p = row + from, j = base + from; j < base + to; p++, j++) {
            gradient[j] += residual * value[p];
          }
        }
      }
    }

    /** Adds the penalty to {@code loss} and {@code gradient} and divides both by the weights. */
    private double penalised(double loss, double[] theta, double[] gradient) {
      int bias = width - 1;
      double penalty = 0;
      for (int k = 0; k < classes; k++) {
        int base = k * width;
        for (int j = 0; j < bias; j++) {
          double t = theta[base + j];
          penalty += t * t;
          gradient[base + j] += l2 * t;
        }
      }
      for (int j = 0; j < gradient.length; j++) {
        gradient[j] /= weightSum;
      }
      return (loss + 0.5 * l2 * penalty) / weightSum;
    }

    /** L-BFGS from all-zero weights, with a backtracking (Armijo) line search. */
    double[] minimise(double tolerance, int maxIterations) {
      int dim = classes * width;
      double[] x = new double[dim];
      double[] g = new double[dim];
      double f = valueAndGradient(x, g);
      double[][] s = new double[MEMORY][dim];
      double[][] y = new double[MEMORY][dim];
      double[] rho = new double[MEMORY];
      double[] alpha = new double[MEMORY];
      double[] direction = new double[dim];
      double[] xNext = new double[dim];
      double[] gNext = new double[dim];
      int stored = 0;
      int newest = -1;
      for (int iteration = 0; iteration < maxIterations && maxAbs(g) > tolerance; iteration++) {
        // Two-loop recursion: direction = -H g.
        for (int j = 0; j < dim; j++) {
          direction[j] = -g[j];
        }
        for (int m = 0; m < stored; m++) {
          int c = Math.floorMod(newest - m, MEMORY);
          alpha[c] = rho[c] * dot(s[c], direction);
          axpy(-alpha[c], y[c], direction);
        }
        double step = 1.0;
        if (stored > 0) {
          double gamma = dot(s[newest], y[newest]) / dot(y[newest], y[newest]);
          scale(gamma, direction);
        } else {
          step = Math.min(1.0, 1.0 / Math.sqrt(dot(g, g)));
        }
        for (int m = stored - 1; m >= 0; m--) {
          int c = Math.floorMod(newest - m, MEMORY);
          double beta = rho[c] * dot(y[c], direction);
          axpy(alpha[c] - beta, s[c], direction);
        }
        double slope = dot(g, direction);
        if (!(slope < 0)) {
          // Not a descent direction (rounding): restart from steepest descent.
          stored = 0;
          for (int j = 0; j < dim; j++) {
            direction[j] = -g[j];
          }
          slope = -dot(g, g);
          step = Math.min(1.0, 1.0 / Math.sqrt(-slope));
        }
        double fNext = Double.NaN;
        boolean accepted = false;
        for (int h = 0; h < MAX_HALVINGS; h++) {
          for (int j = 0; j < dim; j++) {
            xNext[j] = x[j] + step * direction[j];
          }
          fNext = valueAndGradient(xNext, gNext);
          if (fNext <= f + ARMIJO * step * slope) {
            accepted = true;
            break;
          }
          step *= 0.5;
        }
        if (!accepted) {
          break; // no decrease left at this precision
        }
        double sy = 0;
        double yy = 0;
        for (int j = 0; j < dim; j++) {
          double dy = gNext[j] - g[j];
          sy += (xNext[j] - x[j]) * dy;
          yy += dy * dy;
        }
        // A pair without positive curvature would break the update: it is not kept.
        if (sy > 1e-10 * yy) {
          newest = (newest + 1) % MEMORY;
          for (int j = 0; j < dim; j++) {
            s[newest][j] = xNext[j] - x[j];
            y[newest][j] = gNext[j] - g[j];
          }
          rho[newest] = 1.0 / sy;
          stored = Math.min(stored + 1, MEMORY);
        }
        double decrease = f - fNext;
        System.arraycopy(xNext, 0, x, 0, dim);
        System.arraycopy(gNext, 0, g, 0, dim);
        double previous = f;
        f = fNext;
        if (decrease <= FTOL * Math.max(Math.max(Math.abs(previous), Math.abs(f)), 1.0)) {
          break;
        }
      }
      return x;
    }

    private static double dot(double[] a, double[] b) {
      double sum = 0;
      for (int j = 0; j < a.length; j++) {
        sum += a[j] * b[j];
      }
      return sum;
    }

    private static void axpy(double a, double[] x, double[] y) {
      for (int j = 0; j < x.length; j++) {
        y[j] += a * x[j];
      }
    }

    private static void scale(double a, double[] x) {
      for (int j = 0; j < x.length; j++) {
        x[j] *= a;
      }
    }

    private static double maxAbs(double[] x) {
      double max = 0;
      for (double v : x) {
        max = Math.max(max, Math.abs(v));
      }
      return max;
    }
  }

  @Override
  public synchronized int getInvocationCount() {
    return invocations;
  }

  @Override
  public synchronized void setInvocationCount(int invocationCount) {
    if (invocationCount < 0) {
      throw new IllegalArgumentException("invocationCount: expected at least 0");
    }
    this.invocations = invocationCount;
  }

  @Override
  public TrainerProvenance getProvenance() {
    return new TrainerProvenanceImpl(this);
  }

  @Override
  public String toString() {
    return "LbfgsLogisticTrainer(l2="
        + l2
        + ",tolerance="
        + tolerance
        + ",maxIterations="
        + maxIterations
        + ")";
  }
}
