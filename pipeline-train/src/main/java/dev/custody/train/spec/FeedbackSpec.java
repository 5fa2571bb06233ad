package dev.custody.train.spec;

import static dev.custody.train.spec.InvalidParameter.integerIn;
import static dev.custody.train.spec.InvalidParameter.numberIn;

import dev.custody.train.spec.PipelineSpec.Source;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A feedback dataset (the file {@code custody feedback export} writes: one canonical feedback
 * record per line) and the defences that stand between it and the training table (spec key {@code
 * feedback}). Every defence always runs; its spec key only changes its parameters, so a spec cannot
 * let feedback into training uncapped.
 *
 * @param data the pinned feedback file
 * @param attestation the signed export attestation of {@code data}, relative to the spec directory,
 *     or null when the spec names none
 * @param influenceCap how feedback is grouped into items, each item at most one training example
 * @param trust how much a client's vote weighs
 * @param quarantine which feedback is held out for review
 * @param impact the leave-one-source-out test
 * @param canary whether contested items join the canary gate
 */
public record FeedbackSpec(
    Source data,
    String attestation,
    InfluenceCap influenceCap,
    Trust trust,
    Quarantine quarantine,
    Impact impact,
    Canary canary) {
  public FeedbackSpec {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(influenceCap, "influenceCap");
    Objects.requireNonNull(trust, "trust");
    Objects.requireNonNull(quarantine, "quarantine");
    Objects.requireNonNull(impact, "impact");
    Objects.requireNonNull(canary, "canary");
  }

  /** The export attestation's path, if the spec names one. */
  public Optional<String> attestationPath() {
    return Optional.ofNullable(attestation);
  }

  /** How inputs are reduced to an item key before grouping. */
  public enum Normalise {
    /**
     * Unicode NFKC, lower case, punctuation removed, whitespace collapsed: what a reader sees as
     * the same message is the same item.
     */
    TEXT("text"),
    /** The canonical input as sent (for tabular schemas, where punctuation can be meaningful). */
    EXACT("exact");

    private final String word;

    Normalise(String word) {
      this.word = word;
    }

    /** The word used in the spec. */
    public String word() {
      return word;
    }
  }

  /**
   * The influence cap (spec key {@code influenceCap}): all feedback on one item, and on its
   * near-duplicates, is at most one training example.
   *
   * @param normalise how an input becomes an item key
   * @param similarity two text items whose token sets have a Jaccard similarity at least this are
   *     the same item; 1 merges only equal token sets (inputs the bag-of-words model cannot tell
   *     apart are always one item)
   */
  public record InfluenceCap(Normalise normalise, double similarity) {
    /** Default Jaccard threshold for near-duplicates. */
    public static final double DEFAULT_SIMILARITY = 0.8;

    public InfluenceCap {
      Objects.requireNonNull(normalise, "normalise");
      numberIn("similarity", similarity, 0, false, 1);
    }

    /** The defaults: normalised text, Jaccard 0.8. */
    public static InfluenceCap defaults() {
      return new InfluenceCap(Normalise.TEXT, DEFAULT_SIMILARITY);
    }
  }

  /**
   * Trust weights (spec key {@code trust}): a client's vote weighs {@code min(max, initial +
   * perAgreement * n)}, n the number of distinct items on which its feedback agreed with a
   * confirmed label (the base training set).
   *
   * @param initial a new client's weight, near zero
   * @param perAgreement what each confirmed agreement adds
   * @param max the most any client weighs
   */
  public record Trust(double initial, double perAgreement, double max) {
    /** Default weight of a new client. */
    public static final double DEFAULT_INITIAL = 0.05;

    /** Default gain per confirmed agreement. */
    public static final double DEFAULT_PER_AGREEMENT = 0.01;

    /** Default bound of a client's weight. */
    public static final double DEFAULT_MAX = 0.25;

    public Trust {
      numberIn("initial", initial, 0, true, 1);
      numberIn("perAgreement", perAgreement, 0, true, 1);
      numberIn("max", max, 0, false, 1);
      if (initial > max) {
        throw InvalidParameter.of(
            "initial", "expected at most max (" + max + "), found " + initial);
      }
    }

    /** The defaults: 0.05, +0.01 per agreement, at most 0.25. */
    public static Trust defaults() {
      return new Trust(DEFAULT_INITIAL, DEFAULT_PER_AGREEMENT, DEFAULT_MAX);
    }

    /** The weight of a client with {@code agreements} confirmed agreements. */
    public double weight(long agreements) {
      return Math.min(max, initial + perAgreement * agreements);
    }
  }

  /**
   * Quarantine (spec key {@code quarantine}): feedback claiming one of {@code labels} for an input
   * the served model labelled otherwise with confidence at least {@code above} is held out of
   * training and listed for review; so is feedback the server already quarantined.
   *
   * @param above the served confidence from which a contradiction is held out, in [0.5, 1]
   * @param labels the protected direction: the claimed labels this applies to (seed 003: {@code
   *     ham}, "known spam stays spam"); empty holds out only what the server quarantined
   */
  public record Quarantine(double above, List<String> labels) {
    /** Default confidence threshold. */
    public static final double DEFAULT_ABOVE = 0.9;

    public Quarantine {
      numberIn("above", above, 0.5, true, 1);
      labels = List.copyOf(labels);
    }
  }

  /**
   * The per-source impact test (spec key {@code impact}): the candidate is retrained without each
   * of the {@code maxGroups} most influential sources, and a source whose removal changes the
   * measured figures by more than {@code maxChange} is quarantined.
   *
   * @param maxChange the largest tolerated change, in [0, 1]: of test accuracy, of golden-set
   *     accuracy, or of the fraction of canary and contested rows whose prediction changes
   * @param maxGroups how many sources are tested (the most influential first); 0 turns the test off
   */
  public record Impact(double maxChange, int maxGroups) {
    /** Default tolerated change. */
    public static final double DEFAULT_MAX_CHANGE = 0.01;

    /** Default number of sources tested. */
    public static final int DEFAULT_MAX_GROUPS = 5;

    public Impact {
      numberIn("maxChange", maxChange, 0, true, 1);
      integerIn("maxGroups", maxGroups, 0, 100);
    }

    /** The defaults: change at most 0.01, five sources tested. */
    public static Impact defaults() {
      return new Impact(DEFAULT_MAX_CHANGE, DEFAULT_MAX_GROUPS);
    }
  }

  /**
   * The contested canary (spec key {@code canary}).
   *
   * @param contested whether every item with feedback in the protected direction against the served
   *     prediction joins the canary gate with the served label
   */
  public record Canary(boolean contested) {}
}
