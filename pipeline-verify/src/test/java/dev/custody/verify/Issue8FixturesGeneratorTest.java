package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the issue 8 attack fixtures ({@link Issue8Fixtures}) into {@code
 * src/test/resources/dev/custody/verify/chains/attacks/}. Skipped unless asked for with {@code
 * -Dcustody.regenerateFixtures=true}; run it after regenerating the golden chains, since the
 * fixtures are made from them.
 */
class Issue8FixturesGeneratorTest {
  private static final Path ATTACKS =
      Path.of("src", "test", "resources", "dev", "custody", "verify", "chains", "attacks");

  @Test
  @EnabledIfSystemProperty(named = "custody.regenerateFixtures", matches = "true")
  void writeAll_fromTheGoldenChains_writesEveryFixture() throws Exception {
    Issue8Fixtures.writeAll(ATTACKS);

    for (String dir :
        new String[] {
          Issue8Fixtures.W1_REPRODUCTION_NOT_BOUND,
          Issue8Fixtures.W5_CLASS_NOT_ALLOWED,
          Issue8Fixtures.W6_CARD_VERSION_OVER_SPEC
        }) {
      assertThat(ATTACKS.resolve(dir).resolve("model.sig")).isRegularFile();
    }
    for (String f : Issue8Fixtures.W6_GATES.keySet()) {
      assertThat(Files.size(ATTACKS.resolve(f))).isPositive();
    }
    for (String f : Issue8Fixtures.W11_REPRODUCTIONS.keySet()) {
      assertThat(Files.size(ATTACKS.resolve(f))).isPositive();
    }
  }
}
