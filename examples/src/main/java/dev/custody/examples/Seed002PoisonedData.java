package dev.custody.examples;

import dev.custody.core.BundleSigner;
import dev.custody.core.Digests;
import dev.custody.core.PipelineException;
import dev.custody.core.Sha256;
import dev.custody.core.SigningKey;
import dev.custody.train.Pipeline;
import dev.custody.train.StageSigners;
import dev.custody.train.TrainedModel;
import dev.custody.train.evaluate.Metrics;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.DeserializationFilter;
import dev.custody.verify.TrustPolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Seed 002, poisoned training data: 5% of the credit labels flipped at random (fixed seed) in a
 * copy of the CSV. Trained on without a screen, the poisoned data gives a different model (accuracy
 * measured on the same held-out rows with their true labels); with the {@code labelChanges} screen
 * against the previous pinned dataset (examples/credit-rf.yaml, policy fail) the pipeline refuses
 * it with {@code SCREEN_FAILED}, naming the flipped rows; and a spec still pinned to the clean
 * data's SHA-256 refuses the poisoned file with {@code DIGEST_MISMATCH} (poisoning in transit or at
 * rest).
 *
 * <p>Usage: {@code Seed002PoisonedData [PROJECT_ROOT [WORK_DIR]]}
 */
public final class Seed002PoisonedData {
  private Seed002PoisonedData() {}

  /** Fraction of the labels flipped. */
  static final double FLIP_RATE = 0.05;

  /** Seed of the flips. */
  static final long FLIP_SEED = 2024;

  /** What the demo measured. */
  public record Result(
      int rows,
      int flipped,
      double cleanAccuracy,
      double poisonedAccuracy,
      double poisonedOnPoisonedLabels,
      PipelineException screened,
      boolean screenedExported,
      PipelineException pinned) {}

  public static void main(String[] args) throws Exception {
    DeserializationFilter.install(); // first thing: before anything creates an ObjectInputStream
    run(Demos.root(args), Demos.work(args, "seed002-"), System.out);
  }

  /** Runs the demo in {@code work}, printing each step to {@code out}. */
  public static Result run(Path root, Path work, PrintStream out) throws Exception {
    Path baselineSpec = root.resolve("examples/credit-rf.yaml");
    PipelineSpec baseline = PipelineSpec.load(baselineSpec);
    PipelineSpec.LocalFile source =
        (PipelineSpec.LocalFile) ((PipelineSpec.FileList) baseline.data()).files().get(0);
    Path clean = baseline.baseDirectory().resolve(source.path()).normalize();
    out.println(
        "== seed 002: poisoned training data ("
            + clean.getFileName()
            + ", pinned by "
            + baselineSpec.getFileName()
            + ")");

    Path poisoned = work.resolve("credit-poisoned.csv");
    int[] counts = flipLabels(clean, poisoned);
    Sha256 poisonedDigest = Digests.sha256(poisoned);
    out.printf(
        Locale.ROOT,
        "attacker: %d of %d labels flipped at random (seed %d) in %s, sha256 %s%n",
        counts[1],
        counts[0],
        FLIP_SEED,
        poisoned.getFileName(),
        poisonedDigest.hex());

    SigningKey key = SigningKey.generate();
    TrustPolicy policy = Demos.trusting(key, false);
    StageSigners signers = StageSigners.of(BundleSigner.create(key));
    Pipeline pipeline = Pipeline.builder().build();

    // Without a screen: the same spec (no screens, no gates) on the clean and the poisoned data.
    PipelineSpec cleanSpec = spec(work, "credit-clean.yaml", clean, source.sha256(), "");
    TrainedModel before = pipeline.run(cleanSpec, policy, signers, work.resolve("credit-clean-v1"));
    PipelineSpec poisonedSpec = spec(work, "credit-poisoned.yaml", poisoned, poisonedDigest, "");
    TrainedModel after =
        pipeline.run(poisonedSpec, policy, signers, work.resolve("credit-poisoned-v1"));
    Metrics onTrueLabels =
        Demos.evaluate(
            ChainVerifier.builder(policy).build().verify(after.directory()).load().tribuoModel(),
            Demos.testSplit(cleanSpec));
    out.printf(
        Locale.ROOT,
        "no screen, clean data:    test accuracy %.4f (%d held-out rows)%n",
        before.metrics().accuracy(),
        before.metrics().rows());
    out.printf(
        Locale.ROOT,
        "no screen, poisoned data: test accuracy %.4f on the true labels (%+.4f), %.4f on the poisoned test labels; trained, signed and exported without complaint%n",
        onTrueLabels.accuracy(),
        onTrueLabels.accuracy() - before.metrics().accuracy(),
        after.metrics().accuracy());

    // With the screen: labelChanges against the previous pinned dataset, policy fail.
    PipelineSpec screenedSpec =
        spec(
            work,
            "credit-poisoned-screened.yaml",
            poisoned,
            poisonedDigest,
            "screens:\n  labelChanges: {policy: fail, params: {baseline: "
                + baselineSpec.toAbsolutePath()
                + ", reportRows: 3}}\n");
    Path screenedDir = work.resolve("credit-poisoned-screened-v1");
    PipelineException screened =
        refusal(() -> pipeline.run(screenedSpec, policy, signers, screenedDir));
    out.println(
        "labelChanges screen: refused: " + screened.reason() + ": " + screened.getMessage());
    out.println("  exported: " + (Files.exists(screenedDir) ? "yes" : "nothing"));

    // At rest or in transit: the spec still pins the clean data's SHA-256.
    PipelineSpec pinnedSpec = spec(work, "credit-pinned.yaml", poisoned, source.sha256(), "");
    PipelineException pinned =
        refusal(() -> pipeline.run(pinnedSpec, policy, signers, work.resolve("credit-pinned-v1")));
    out.println(
        "spec pinned to the clean data: refused: " + pinned.reason() + ": " + pinned.getMessage());

    return new Result(
        counts[0],
        counts[1],
        before.metrics().accuracy(),
        onTrueLabels.accuracy(),
        after.metrics().accuracy(),
        screened,
        Files.exists(screenedDir),
        pinned);
  }

  /**
   * Copies {@code from} to {@code to} with {@link #FLIP_RATE} of the labels (last column) flipped;
   * returns {rows, flipped}.
   */
  static int[] flipLabels(Path from, Path to) throws IOException {
    String text = Files.readString(from, StandardCharsets.UTF_8);
    String eol = text.contains("\r\n") ? "\r\n" : "\n";
    String[] lines = text.split(eol, -1);
    List<Integer> data = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      if (!lines[i].isEmpty()) {
        data.add(i);
      }
    }
    Collections.shuffle(data, new Random(FLIP_SEED));
    int flips = (int) Math.round(data.size() * FLIP_RATE);
    for (int i : data.subList(0, flips)) {
      int comma = lines[i].lastIndexOf(',');
      String label = lines[i].substring(comma + 1);
      lines[i] = lines[i].substring(0, comma + 1) + (label.equals("0") ? "1" : "0");
    }
    Files.writeString(to, String.join(eol, lines), StandardCharsets.UTF_8);
    return new int[] {data.size(), flips};
  }

  /** examples/credit-rf.yaml's data, schema, split and trainer, without its screens and gates. */
  private static PipelineSpec spec(Path work, String file, Path data, Sha256 pin, String screens)
      throws IOException, PipelineException {
    String name = file.substring(0, file.length() - ".yaml".length());
    String text =
        String.join(
            "\n",
            "name: " + name,
            "version: 1",
            "data:",
            "  - path: " + data.toAbsolutePath(),
            "    sha256: " + pin.hex(),
            "format: csv",
            "schema:",
            "  id: ID",
            "  label: {column: DEFAULT, allowed: [\"0\", \"1\"]}",
            "  numeric:",
            "    - {column: LIMIT_BAL, min: 0}",
            "    - {column: AGE, min: 18, max: 120}",
            "    - {column: PAY_0, min: -2, max: 9}",
            "    - {column: PAY_2, min: -2, max: 9}",
            "    - {column: PAY_3, min: -2, max: 9}",
            "    - BILL_AMT1",
            "    - BILL_AMT2",
            "    - {column: PAY_AMT1, min: 0}",
            "  categorical:",
            "    - {column: SEX, allowed: [\"1\", \"2\"]}",
            "split: {testFraction: 0.1, seed: 42}",
            "trainer:",
            "  type: random-forest",
            "  params: {trees: 5, maxDepth: 3, minLeaf: 100, featureFraction: 0.5, seed: 42}",
            screens);
    Path specFile = work.resolve(file);
    Files.writeString(specFile, text, StandardCharsets.UTF_8);
    return PipelineSpec.load(specFile);
  }

  private interface Step {
    void run() throws PipelineException, IOException;
  }

  private static PipelineException refusal(Step step) throws IOException {
    try {
      step.run();
    } catch (PipelineException e) {
      return e;
    }
    throw new IllegalStateException("the pipeline accepted poisoned data");
  }
}
