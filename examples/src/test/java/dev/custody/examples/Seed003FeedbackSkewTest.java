package dev.custody.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Shared;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Seed003FeedbackSkewTest {
  @TempDir Path work;

  @Test
  void feedbackCampaigns_skewTheNaiveLoop_andNotCustody() throws Exception {
    Shared.require("data/sms_spam.tsv");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Seed003FeedbackSkew.Result r;
    try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
      r = Seed003FeedbackSkew.run(Examples.root(), work, out);
    }
    System.out.print(printed.toString(StandardCharsets.UTF_8));

    assertThat(r.naive()).hasSize(Seed003FeedbackSkew.TARGETS);
    assertThat(r.naiveFlipped()).isGreaterThanOrEqualTo(18); // >= 90%

    assertThat(r.campaigns()).hasSize(5);
    for (Seed003FeedbackSkew.CampaignOutcome c : r.campaigns().subList(0, 4)) {
      assertThat(c.flipped()).as(c.campaign()).isZero();
    }
    Seed003FeedbackSkew.CampaignOutcome honest = r.campaigns().get(4);
    assertThat(honest.rejection()).isNull();
    assertThat(r.honestTotal()).isPositive();
    assertThat(honest.honestKept()).isGreaterThanOrEqualTo((int) Math.ceil(0.8 * r.honestTotal()));
    assertThat(honest.accuracy()).isGreaterThanOrEqualTo(r.accuracyBefore() - 0.01);
  }
}
