package dev.custody.train.evaluate;

import dev.custody.core.Sha256;
import dev.custody.core.chain.GatePredicate;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One release gate, evaluated: what was measured, on which data, against which threshold.
 *
 * @param name the gate's name: {@code test-METRIC}, {@code golden-METRIC}, {@code canary} or {@code
 *     max-change-METRIC}
 * @param metric what was measured: a metric name ({@code accuracy}, {@code auc}, {@code macroF1},
 *     {@code recall:1}, ...), {@code canary-agreement}, or {@code METRIC-drop} for a change against
 *     the baseline
 * @param comparator {@code >=}, {@code ==} or {@code <=}
 * @param threshold the required value
 * @param observed the measured value ({@code NaN} when the metric is undefined on the data, which
 *     fails the gate)
 * @param passed whether {@code observed comparator threshold} holds
 * @param sampleSize rows evaluated
 * @param datasetName what was evaluated: {@code test-split} or the golden/canary file's name
 * @param datasetDigest the Merkle root of the test rows, or the golden/canary file's SHA-256
 * @param baselineName the baseline model directory of a max-change gate, or null
 * @param baselineDigest the baseline's model root digest, or null
 * @param detail a human-readable explanation (for a canary: which rows changed label)
 */
public record GateResult(
    String name,
    String metric,
    String comparator,
    double threshold,
    double observed,
    boolean passed,
    long sampleSize,
    String datasetName,
    Sha256 datasetDigest,
    String baselineName,
    Sha256 baselineDigest,
    String detail) {
  public GateResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(comparator, "comparator");
    Objects.requireNonNull(datasetName, "datasetName");
    Objects.requireNonNull(datasetDigest, "datasetDigest");
    Objects.requireNonNull(detail, "detail");
    if ((baselineName == null) != (baselineDigest == null)) {
      throw new IllegalArgumentException("a baseline needs both its name and its digest");
    }
  }

  /** The baseline model's root digest, for a max-change gate. */
  public Optional<Sha256> baseline() {
    return Optional.ofNullable(baselineDigest);
  }

  /** One line: {@code golden-accuracy: observed 0.7712, required >= 0.9 (golden.csv, 40 rows)}. */
  public String describe() {
    String line =
        String.format(
            Locale.ROOT,
            "%s: observed %s, required %s %s (%s, %d rows%s)",
            name,
            Double.isNaN(observed) ? "undefined" : String.format(Locale.ROOT, "%.4f", observed),
            comparator,
            String.format(Locale.ROOT, "%.4f", threshold),
            datasetName,
            sampleSize,
            baselineName == null ? "" : ", baseline " + baselineName + " " + baselineDigest);
    return detail.isEmpty() ? line : line + "; " + detail;
  }

  /** The gate as an entry of the gate attestation's {@code gates} array. */
  public GatePredicate.Gate toGate() {
    return new GatePredicate.Gate(
        name,
        metric,
        comparator,
        threshold,
        observed,
        passed,
        sampleSize,
        new GatePredicate.Named(datasetName, datasetDigest),
        baselineDigest == null ? null : new GatePredicate.Named(baselineName, baselineDigest));
  }
}
