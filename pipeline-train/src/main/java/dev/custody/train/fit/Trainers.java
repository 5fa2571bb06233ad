package dev.custody.train.fit;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.train.Progress;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.linear.LbfgsLogisticTrainer;
import dev.custody.train.spec.TrainerSpec;
import dev.custody.train.tree.FeatureColumns;
import dev.custody.train.tree.HistCartTrainer;
import dev.custody.train.tree.HistForestTrainer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.dtree.impurity.GiniIndex;
import org.tribuo.classification.ensemble.FullyWeightedVotingCombiner;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.Transformation;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.transformations.MeanStdDevTransformation;

/**
 * Trains a Tribuo classification model from a {@link TrainingTable} as a {@link TrainerSpec} says.
 * Every call builds a fresh Tribuo trainer (a trainer's {@code train} advances its random state),
 * so the same spec and rows always give the same model content (see {@link ModelContent}).
 */
public final class Trainers {
  /** AdaGrad's epsilon, Tribuo's default. */
  private static final double ADAGRAD_EPSILON = 0.1;

  /** Tribuo's SGD trainers log nothing with this interval. */
  private static final int NO_LOGGING = -1;

  /**
   * Set to {@code true} ({@code -Dcustody.tribuo.logging=true}) to keep Tribuo's own logging:
   * without it, training through Custody leaves logger {@code org.tribuo} at {@code WARNING}.
   */
  public static final String TRIBUO_LOGGING_PROPERTY = "custody.tribuo.logging";

  /**
   * Tribuo logs every tree and epoch at INFO (about 220 lines on stderr per forest); the pipeline
   * reports its own progress. An application that configures {@code org.tribuo}'s level itself
   * (logging.properties) keeps it. Held here: a logger's level lasts only while it is referenced.
   */
  private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

  static {
    quietTribuoLogging();
  }

  /**
   * Sets logger {@code org.tribuo} to {@code WARNING} unless {@value #TRIBUO_LOGGING_PROPERTY} is
   * {@code true} or the application set its level already. Training through this class does it on
   * first use; the {@code custody} command calls it at start-up, for loading and serving too.
   */
  public static void quietTribuoLogging() {
    if (!Boolean.getBoolean(TRIBUO_LOGGING_PROPERTY) && TRIBUO_LOG.getLevel() == null) {
      TRIBUO_LOG.setLevel(Level.WARNING);
    }
  }

  private Trainers() {}

  /**
   * Trains a model on every row of {@code table}.
   *
   * @throws PipelineException with {@link Reason#TRAINING_FAILED} if the table has no rows, fewer
   *     than two distinct labels, or the trainer rejects the data; with {@link Reason#SPEC_INVALID}
   *     if a random forest leaves {@code featureFraction} to its default and that default samples
   *     nothing (a table of one feature)
   * @throws IllegalArgumentException if a row's label or feature is not declared by the table, or a
   *     value is not finite (ingest guarantees neither happens)
   */
  public static Model<Label> train(TrainerSpec spec, TrainingTable table) throws PipelineException {
    return train(spec, table, Progress.none());
  }

  /**
   * Trains a model as {@link #train(TrainerSpec, TrainingTable)} does, telling {@code progress} of
   * a random forest's trees as they grow (step {@code train}, unit {@code trees}).
   *
   * @throws PipelineException as {@link #train(TrainerSpec, TrainingTable)}
   */
  public static Model<Label> train(TrainerSpec spec, TrainingTable table, Progress progress)
      throws PipelineException {
    if (!hasTwoLabels(table)) {
      Set<String> present = new TreeSet<>();
      for (TrainingTable.Row row : table.rows()) {
        present.add(row.label());
      }
      throw new PipelineException(
          Reason.TRAINING_FAILED,
          "training needs rows of at least two labels, found "
              + table.rows().size()
              + " rows with labels "
              + present);
    }
    Trainer<Label> trainer;
    try {
      trainer = trainer(spec, table);
    } catch (IllegalArgumentException e) {
      throw new PipelineException(Reason.SPEC_INVALID, "trainer.params." + e.getMessage(), e);
    }
    long forestTrees = forestTrees(spec);
    if (forestTrees > 0 && trainer instanceof HistForestTrainer forest) {
      // Trees grow in parallel, so they are reported together when done.
      progress.advanced("train", "trees", 0, forestTrees);
      // Straight from the table's columns to the bins, the model the same as from the Tribuo
      // dataset; a table the dataset would refuse goes the dataset's way, for its message.
      Optional<FeatureColumns> columns =
          FeatureColumns.of(table, TribuoTables.sourceProvenance(table));
      Model<Label> model =
          columns.isPresent()
              ? fit(spec, () -> forest.train(columns.get(), Map.of()))
              : fit(spec, trainer, TribuoTables.dataset(table, false));
      progress.advanced("train", "trees", forestTrees, forestTrees);
      return model;
    }
    MutableDataset<Label> dataset = TribuoTables.dataset(table, standardizes(spec));
    if (forestTrees > 0) {
      long trees = forestTrees;
      TreesGrown counting =
          TreesGrown.count(grown -> progress.advanced("train", "trees", grown, trees));
      try {
        Model<Label> model = fit(spec, trainer, dataset);
        progress.advanced("train", "trees", trees, trees);
        return model;
      } finally {
        counting.close();
      }
    }
    return fit(spec, trainer, dataset);
  }

  /** Whether the rows hold at least two distinct labels (usually found in the first rows). */
  private static boolean hasTwoLabels(TrainingTable table) {
    String first = null;
    for (TrainingTable.Row row : table.rows()) {
      if (first == null) {
        first = row.label();
      } else if (!first.equals(row.label())) {
        return true;
      }
    }
    return false;
  }

  /** The number of trees of a random forest spec, else 0. */
  private static long forestTrees(TrainerSpec spec) {
    if (spec instanceof TrainerSpec.RandomForest rf) {
      return rf.trees();
    }
    return spec instanceof TrainerSpec.HistForest hf ? hf.trees() : 0;
  }

  private static Model<Label> fit(
      TrainerSpec spec, Trainer<Label> trainer, MutableDataset<Label> dataset)
      throws PipelineException {
    return fit(spec, () -> trainer.train(dataset));
  }

  private static Model<Label> fit(TrainerSpec spec, Supplier<Model<Label>> training)
      throws PipelineException {
    try {
      return training.get();
    } catch (IllegalArgumentException | IllegalStateException | ArithmeticException e) {
      throw new PipelineException(
          Reason.TRAINING_FAILED,
          "the " + trainerName(spec) + " trainer failed: " + e.getMessage(),
          e);
    }
  }

  /**
   * A fresh Tribuo trainer for {@code spec}; {@code table} decides which features get scaled and
   * the default feature fraction of a random forest.
   *
   * @throws IllegalArgumentException if a random forest's default feature fraction samples nothing
   */
  static Trainer<Label> trainer(TrainerSpec spec, TrainingTable table) {
    // Java 17 has no pattern switch; the spec is sealed, so this chain covers every type.
    if (spec instanceof TrainerSpec.LogisticRegression lr) {
      return logisticRegression(lr, table);
    }
    if (spec instanceof TrainerSpec.LbfgsLogistic lr) {
      LbfgsLogisticTrainer lbfgs =
          new LbfgsLogisticTrainer(lr.l2(), lr.tolerance(), lr.maxIterations());
      return lr.standardize() ? standardized(lbfgs, table) : lbfgs;
    }
    if (spec instanceof TrainerSpec.Cart cart) {
      return new CARTClassificationTrainer(
          cart.maxDepth(),
          cart.minLeaf(),
          cart.minImpurityDecrease(),
          1.0f,
          false,
          new GiniIndex(),
          cart.seed());
    }
    if (spec instanceof TrainerSpec.HistCart cart) {
      return new HistCartTrainer(cart.maxDepth(), cart.minLeaf(), cart.bins());
    }
    if (spec instanceof TrainerSpec.HistForest forest) {
      return new HistForestTrainer(
          forest.trees(),
          forest.maxDepth(),
          forest.minLeaf(),
          forest.featureFractionFor(table.featureNames().size()),
          forest.bins(),
          forest.seed(),
          // The trees grow in parallel; the model does not depend on how many at a time.
          Runtime.getRuntime().availableProcessors());
    }
    TrainerSpec.RandomForest rf = (TrainerSpec.RandomForest) spec;
    float fraction = rf.featureFractionFor(table.featureNames().size());
    return new RandomForestTrainer<>(
        new CARTClassificationTrainer(
            rf.maxDepth(), rf.minLeaf(), 0.0f, fraction, false, new GiniIndex(), rf.seed()),
        new FullyWeightedVotingCombiner(),
        rf.trees(),
        rf.seed());
  }

  private static Trainer<Label> logisticRegression(
      TrainerSpec.LogisticRegression lr, TrainingTable table) {
    LinearSGDTrainer sgd =
        new LinearSGDTrainer(
            new LogMulticlass(),
            new AdaGrad(lr.learningRate(), ADAGRAD_EPSILON),
            lr.epochs(),
            NO_LOGGING,
            lr.minibatch(),
            lr.seed());
    return lr.standardize() ? standardized(sgd, table) : sgd;
  }

  /**
   * {@code inner} training on z-scored features (those that vary over the table), its model a
   * {@code TransformedModel} that scales before predicting.
   */
  private static Trainer<Label> standardized(Trainer<Label> inner, TrainingTable table) {
    Map<String, List<Transformation>> perFeature = new TreeMap<>();
    for (String feature : varyingFeatures(table)) {
      // Tribuo reads the keys as regular expressions.
      perFeature.put(Pattern.quote(feature), List.of(new MeanStdDevTransformation()));
    }
    // The training rows are already dense (see train), so the statistics count every zero;
    // Tribuo's own counting of implicit zeros (includeImplicitZeroFeatures) loses the variance
    // in 4.3.2. densify makes the model add the same explicit zeros before predicting.
    return new TransformTrainer<>(inner, new TransformationMap(perFeature), true, false);
  }

  /** Whether {@code spec} standardizes, and so trains on dense examples. */
  static boolean standardizes(TrainerSpec spec) {
    if (spec instanceof TrainerSpec.LbfgsLogistic lr) {
      return lr.standardize();
    }
    return spec instanceof TrainerSpec.LogisticRegression lr && lr.standardize();
  }

  /**
   * The features that take more than one value over the rows (an absent feature counts as 0).
   * Constant features are left unscaled: their standard deviation is 0.
   */
  static Set<String> varyingFeatures(TrainingTable table) {
    // Per feature: min, max and how many rows hold it, in one map entry (no boxed counts).
    Map<String, double[]> minMaxSeen = new HashMap<>();
    for (TrainingTable.Row row : table.rows()) {
      List<String> names = row.names();
      List<Double> values = row.values();
      for (int i = 0; i < names.size(); i++) {
        double v = values.get(i);
        double[] mms = minMaxSeen.get(names.get(i));
        if (mms == null) {
          minMaxSeen.put(names.get(i), new double[] {v, v, 1});
        } else {
          mms[0] = Math.min(mms[0], v);
          mms[1] = Math.max(mms[1], v);
          mms[2]++;
        }
      }
    }
    Set<String> out = new TreeSet<>();
    int rows = table.rows().size();
    for (Map.Entry<String, double[]> e : minMaxSeen.entrySet()) {
      double min = e.getValue()[0];
      double max = e.getValue()[1];
      if (e.getValue()[2] < rows) {
        min = Math.min(min, 0.0);
        max = Math.max(max, 0.0);
      }
      if (min != max) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  private static String trainerName(TrainerSpec spec) {
    if (spec instanceof TrainerSpec.LogisticRegression) {
      return "logistic regression";
    }
    if (spec instanceof TrainerSpec.LbfgsLogistic) {
      return "L-BFGS logistic regression";
    }
    if (spec instanceof TrainerSpec.HistCart) {
      return "histogram CART";
    }
    if (spec instanceof TrainerSpec.HistForest) {
      return "histogram random forest";
    }
    return spec instanceof TrainerSpec.Cart ? "CART" : "random forest";
  }
}
