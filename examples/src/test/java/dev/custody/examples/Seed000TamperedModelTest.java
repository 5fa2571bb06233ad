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

class Seed000TamperedModelTest {
  @TempDir Path work;

  @Test
  void tamperedModel_foolsTheNaivePipeline_andCustodyRefusesIt() throws Exception {
    Shared.require("data/default_credit_card.csv");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Seed000TamperedModel.Result r;
    try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      r = Seed000TamperedModel.run(Examples.root(), work, out);
    }
    System.out.print(printed.toString(StandardCharsets.UTF_8));

    assertThat(r.trainedAccuracy()).isGreaterThanOrEqualTo(0.81);
    assertThat(r.naiveBefore()).isEqualTo(r.trainedAccuracy());
    assertThat(r.naiveAfter()).isLessThanOrEqualTo(0.3);
    assertThat(r.predictedAfter()).containsEntry("0", 0L).containsEntry("1", 3000L);
    assertThat(r.edit().bytesAfter()).isEqualTo(r.edit().bytesBefore());

    assertThat(r.tampered().reason()).isEqualTo(Reason.MANIFEST_MISMATCH);
    assertThat(r.tampered().getMessage()).contains("changed: model.tribuo");
    assertThat(r.resigned().reason()).isEqualTo(Reason.UNTRUSTED_SIGNER);
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("refused: MANIFEST_MISMATCH")
        .contains("refused: UNTRUSTED_SIGNER");
  }
}
