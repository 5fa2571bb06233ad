package dev.custody.serve.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FeedbackQuotaTest {
  @Test
  void parse_eachUnit_readsCountAndWindow() {
    assertThat(FeedbackQuota.parse("100/1h")).isEqualTo(FeedbackQuota.DEFAULT);
    assertThat(FeedbackQuota.parse("20/30m"))
        .isEqualTo(new FeedbackQuota(20, Duration.ofMinutes(30)));
    assertThat(FeedbackQuota.parse(" 5/90S "))
        .isEqualTo(new FeedbackQuota(5, Duration.ofSeconds(90)));
    assertThat(FeedbackQuota.parse("1/2d")).isEqualTo(new FeedbackQuota(1, Duration.ofDays(2)));
    assertThat(FeedbackQuota.parse("1/1s").window()).isEqualTo(Duration.ofSeconds(1)); // the least
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "100", "100/h", "/1h", "100/1w", "-1/1h", "1.5/1h", "100/1h/2"})
  void parse_notNOverDuration_isRefusedNamingTheForm(String text) {
    assertThatThrownBy(() -> FeedbackQuota.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("expected a feedback quota N/DURATION such as 100/1h");
  }

  @Test
  void new_zeroCountOrWindow_isRefused() {
    assertThatThrownBy(() -> FeedbackQuota.parse("0/1h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a feedback quota allows at least 1 record, got 0");
    assertThatThrownBy(() -> FeedbackQuota.parse("1/0s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("a feedback quota's window is a whole number of seconds");
    assertThatThrownBy(() -> new FeedbackQuota(1, Duration.ofMillis(1500)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void windowStart_isAlignedToTheEpoch() {
    Instant t = Instant.parse("2026-12-07T14:59:59.999Z");

    assertThat(FeedbackQuota.DEFAULT.windowStart(t))
        .isEqualTo(Instant.parse("2026-12-07T14:00:00Z"));
    assertThat(FeedbackQuota.DEFAULT.windowStart(Instant.parse("2026-12-07T15:00:00Z")))
        .isEqualTo(Instant.parse("2026-12-07T15:00:00Z"));
    assertThat(FeedbackQuota.parse("1/1d").windowStart(t))
        .isEqualTo(Instant.parse("2026-12-07T00:00:00Z"));
  }

  @Test
  void secondsUntilNextWindow_roundsUpAndIsAtLeastOne() {
    assertThat(
            FeedbackQuota.DEFAULT.secondsUntilNextWindow(Instant.parse("2026-12-07T14:59:59.999Z")))
        .isEqualTo(1);
    assertThat(
            FeedbackQuota.DEFAULT.secondsUntilNextWindow(Instant.parse("2026-12-07T14:58:59.500Z")))
        .isEqualTo(61);
    assertThat(FeedbackQuota.DEFAULT.secondsUntilNextWindow(Instant.parse("2026-12-07T14:00:00Z")))
        .isEqualTo(3600);
  }

  @Test
  void toString_isAFormParseReads() {
    assertThat(FeedbackQuota.parse(FeedbackQuota.DEFAULT.toString()))
        .isEqualTo(FeedbackQuota.DEFAULT);
  }
}
