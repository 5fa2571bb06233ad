package dev.custody.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Shared;
import dev.custody.verify.Prediction;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainVerifyPredictTest {
  @TempDir Path work;

  @Test
  void run_creditSpec_predictsARawRowWithAScorePerLabel() throws Exception {
    Shared.require("data/default_credit_card.csv");

    Prediction p = TrainVerifyPredict.run(Examples.root(), work);

    assertThat(p.label()).isIn("0", "1");
    assertThat(p.scores()).containsOnlyKeys("0", "1");
    assertThat(p.scores().get("0") + p.scores().get("1"))
        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(p.scores().get(p.label())).isGreaterThanOrEqualTo(0.5);
  }
}
