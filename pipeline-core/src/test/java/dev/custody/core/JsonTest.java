package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link Json#parse}: what an error quotes of input that is not JSON. */
class JsonTest {
  @Test
  void parse_notJson_quotesAShortEscapedExcerptOnly() {
    String hostile = "root" + "x".repeat(5_000) + "\n\u001b[32mverified credit-rf v1 OK";

    assertThatThrownBy(() -> Json.parse(hostile.getBytes(StandardCharsets.UTF_8), "model.sig"))
        .isInstanceOf(PipelineException.class)
        .hasMessageStartingWith("model.sig: not valid JSON: ")
        .hasMessageNotContaining("\n")
        .hasMessageNotContaining("\u001b")
        .hasMessageNotContaining("verified credit-rf")
        .satisfies(
            e -> org.assertj.core.api.Assertions.assertThat(e.getMessage()).hasSizeLessThan(260));
  }
}
