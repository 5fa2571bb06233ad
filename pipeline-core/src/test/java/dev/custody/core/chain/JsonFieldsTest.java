package dev.custody.core.chain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link JsonFields#shown}: values from untrusted files are shown on one printable line. */
class JsonFieldsTest {
  @Test
  void shown_printableAsciiKept_controlAndDeleteReplaced() {
    assertThat(JsonFields.shown(" a~\u001f\u007f\n")).isEqualTo(" a~???");
  }

  @Test
  void shown_exactlyEightyCharacters_notCut() {
    String eighty = "x".repeat(80);

    assertThat(JsonFields.shown(eighty)).isEqualTo(eighty);
    assertThat(JsonFields.shown(eighty + "y")).isEqualTo(eighty + "…");
  }
}
