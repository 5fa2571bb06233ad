package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's security claims are the threat model's, word for word: the attacker table between
 * the {@code attacker-table} markers must be identical in both files, so neither can promise what
 * the other does not.
 */
class ThreatModelDocTest {
  private static final String START = "<!-- attacker-table:start -->";
  private static final String END = "<!-- attacker-table:end -->";

  @Test
  void readme_attackerTable_equalsThreatModelDocument() throws IOException {
    String doc = table(Path.of("..", "docs", "threat-model.md"));
    String readme = table(Path.of("..", "README.md"));

    assertThat(doc).contains("| **holds no key**").contains("| **holds one stage's key**");
    assertThat(readme).isEqualTo(doc);
  }

  private static String table(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int start = text.indexOf(START);
    int end = text.indexOf(END);
    assertThat(start).as("%s has %s", file, START).isNotNegative();
    assertThat(end).as("%s has %s after it", file, END).isGreaterThan(start);
    assertThat(text.indexOf(START, start + 1)).as("%s has one attacker table", file).isNegative();
    return text.substring(start + START.length(), end).strip();
  }
}
