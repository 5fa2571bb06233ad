package dev.custody.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.BundleSigner;
import dev.custody.core.Shared;
import dev.custody.core.SigningKey;
import dev.custody.core.chain.Stage;
import dev.custody.train.Pipeline;
import dev.custody.train.StageSigners;
import dev.custody.train.TrainedModel;
import dev.custody.train.evaluate.RowPrediction;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.TrustPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: every held-out row of the credit example, sent to the server as its raw CSV values, gets
 * exactly the label and probabilities the evaluator computed at training time.
 *
 * <p>The model is {@code examples/credit-rf.yaml} itself, trained and signed by the real pipeline
 * (30,000 rows, screens and gates included: about 10 s), with a throwaway key.
 */
class CreditServeParityTest {
  @TempDir static Path work;

  private static TrainedModel trained;
  private static List<HeldOut> heldOut;

  /** A held-out row: its raw feature cells and what the evaluator predicted for it. */
  private record HeldOut(Map<String, String> cells, RowPrediction expected) {}

  @BeforeAll
  static void trainTheCreditExample() throws Exception {
    Shared.require("data/default_credit_card.csv");
    SigningKey key = SigningKey.generate();
    TrustPolicy.Builder trust = TrustPolicy.builder();
    for (Stage stage : Stage.values()) {
      trust.trustKey(stage, key.publicKey());
    }
    TrustPolicy policy = trust.build();
    PipelineSpec spec = PipelineSpec.load(Examples.root().resolve("examples/credit-rf.yaml"));
    trained =
        Pipeline.builder()
            .build()
            .run(spec, policy, StageSigners.of(BundleSigner.create(key)), work.resolve("model"));
    heldOut = heldOut(spec, trained.testPredictions());
  }

  @Test
  void run_creditExample_keepsThePredictionsItsSignedMetricsCameFrom() {
    assertThat(heldOut).hasSize(3_000); // ceil(10% of 30,000)
    long correct =
        heldOut.stream()
            .filter(h -> h.expected().label().equals(h.expected().row().label()))
            .count();
    assertThat(correct / (double) heldOut.size()).isEqualTo(trained.metrics().accuracy());
    assertThat(heldOut)
        .allSatisfy(h -> assertThat(h.expected().scores()).containsOnlyKeys("0", "1"));
  }

  /**
   * The raw feature cells of each held-out row, read from the example's one data file at the row's
   * source line; the label cell there must be the row's true label.
   */
  private static List<HeldOut> heldOut(PipelineSpec spec, List<RowPrediction> predictions)
      throws Exception {
    PipelineSpec.FileList files = (PipelineSpec.FileList) spec.data();
    assertThat(files.files()).hasSize(1);
    PipelineSpec.LocalFile file = (PipelineSpec.LocalFile) files.files().get(0);
    String text =
        Files.readString(spec.baseDirectory().resolve(file.path()), StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("\""); // plain comma-separated cells
    String[] lines = text.split("\r?\n", -1);
    List<String> header = List.of(lines[0].split(",", -1));
    String labelColumn = spec.schema().label().column();
    List<HeldOut> out = new ArrayList<>();
    for (RowPrediction p : predictions) {
      List<String> cells = List.of(lines[Math.toIntExact(p.row().sourceLine() - 1)].split(",", -1));
      assertThat(cells.get(header.indexOf(labelColumn)))
          .as("line %d", p.row().sourceLine())
          .isEqualTo(p.row().label());
      Map<String, String> raw = new HashMap<>();
      for (String c : spec.schema().featureColumns()) {
        raw.put(c, cells.get(header.indexOf(c)));
      }
      out.add(new HeldOut(raw, p));
    }
    return out;
  }
}
