package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Json#parse}: what it refuses, and what an error quotes of input that is not JSON. */
class JsonTest {
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "{\"k\":1,\"k\":2}",
        "{\"k\":{},\"k\":[]}",
        "{\"k\":null,\"k\":null}",
        "{\"a\":1,\"b\":2,\"c\":3,\"k\":{\"x\":1},\"k\":{\"x\":1}}",
        "[{\"a\":[{\"b\":[],\"k\":\"v\",\"c\":0,\"k\":\"v\"}]}]",
        "{\"inputs\":[{\"name\":\"AGE\",\"k\":\"FP64\",\"shape\":[1],\"k\":[1.0]}]}"
      })
  void parse_duplicateKeyAtAnyDepth_isMalformedNamingTheKey(String json) {
    assertThatThrownBy(() -> Json.parse(json.getBytes(StandardCharsets.UTF_8), "request body"))
        .isInstanceOf(PipelineException.class)
        .hasMessage("request body: not valid JSON: Duplicate field 'k'")
        .satisfies(e -> assertThat(((PipelineException) e).reason()).isEqualTo(Reason.MALFORMED));
  }

  @Test
  void parse_sameKeyInSiblingObjects_isAccepted() throws PipelineException {
    byte[] json = "[{\"k\":1},{\"k\":2,\"j\":{\"k\":3}}]".getBytes(StandardCharsets.UTF_8);

    assertThat(Json.parse(json, "request body").get(1).get("j").get("k").asInt()).isEqualTo(3);
  }

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
