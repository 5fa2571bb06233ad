package dev.custody.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Reason;
import dev.custody.core.Shared;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Seed002PoisonedDataTest {
  @TempDir Path work;

  @Test
  void poisonedLabels_changeTheModelUnscreened_andAreRefusedByScreenAndPin() throws Exception {
    Shared.require("data/default_credit_card.csv");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Seed002PoisonedData.Result r;
    try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      r = Seed002PoisonedData.run(Examples.root(), work, out);
    }
    System.out.print(printed.toString(StandardCharsets.UTF_8));

    assertThat(r.rows()).isEqualTo(30000);
    assertThat(r.flipped()).isEqualTo(1500);
    assertThat(r.cleanAccuracy()).isGreaterThanOrEqualTo(0.81);
    assertThat(r.poisonedAccuracy()).isNotEqualTo(r.cleanAccuracy());

    assertThat(r.screened().reason()).isEqualTo(Reason.SCREEN_FAILED);
    assertThat(r.screened().getMessage())
        .contains("screen labelChanges failed")
        .contains("found 1332 of 27000 training rows and 168 of 3000 test rows")
        .contains("label changed from");
    assertThat(r.screenedExported()).isFalse();
    assertThat(r.pinned().reason()).isEqualTo(Reason.DIGEST_MISMATCH);
    assertThat(r.pinned().getMessage()).contains("credit-poisoned.csv");
  }
}
