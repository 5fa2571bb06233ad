package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link Printable}: untrusted text cannot forge a line or reach the terminal as a control. */
class PrintableTest {
  @Test
  void line_fileNameForgingAVerifiedLine_escapedOnOneLine() {
    assertThat(Printable.line("evil\n\u001b[32mverified credit-rf v1 OK", 100))
        .isEqualTo("evil\\n\\x1b[32mverified credit-rf v1 OK");
  }

  @Test
  void line_undecodableBytesAndBidiOverride_escaped() {
    assertThat(Printable.line("a\uFFFDb\u202Ec\r\t\u007f\u0085", 100))
        .isEqualTo("a\\u{fffd}b\\u{202e}c\\r\\t\\x7f\\x85");
  }

  @Test
  void line_printableUnicode_kept() {
    assertThat(Printable.line("données ±3 …", 100)).isEqualTo("données ±3 …");
  }

  @Test
  void line_longerThanMax_boundedWithEllipsis() {
    assertThat(Printable.line("abcdef", 3)).isEqualTo("abc…");
    assertThat(Printable.line("abc", 3)).isEqualTo("abc");
  }

  @Test
  void of_controlAndNonAscii_replaced() {
    assertThat(Printable.of("a\nb\u00e9", 10)).isEqualTo("a?b?");
  }
}
