package dev.custody.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering rule of {@code package-info.java}, checked on the sources: a stage package names
 * only itself, {@code internal}, {@code tree}, {@code linear} and the stages before it; only the
 * root package names them all.
 */
class StageLayeringTest {
  /** The stages in pipeline order. */
  static final List<String> STAGES =
      List.of("spec", "data", "screen", "fit", "evaluate", "feedback", "export");

  private static final Path MAIN = Path.of("src/main/java/dev/custody/train");
  private static final Pattern REFERENCE = Pattern.compile("dev\\.custody\\.train\\.([a-z]+)\\b");

  @Test
  void mainSources_stagePackages_referenceOnlyEarlierStages() throws IOException {
    assertThat(MAIN).isDirectory();
    List<String> violations = new ArrayList<>();
    for (String stage : STAGES) {
      Path dir = MAIN.resolve(stage);
      assertThat(dir).as("stage package " + stage).isDirectory();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
          violations.addAll(violations(stage, file));
        }
      }
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void violations_laterStageReference_isReported() {
    assertThat(allowed("data", "screen")).isFalse();
    assertThat(allowed("screen", "data")).isTrue();
    assertThat(allowed("export", "internal")).isTrue();
    assertThat(allowed("fit", "fit")).isTrue();
  }

  private static List<String> violations(String stage, Path file) throws IOException {
    List<String> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.startsWith("package ")) {
        continue;
      }
      Matcher m = REFERENCE.matcher(line);
      while (m.find()) {
        String named = m.group(1);
        if (!allowed(stage, named)) {
          out.add(
              file.getFileName()
                  + ":"
                  + (i + 1)
                  + " ("
                  + stage
                  + ") names dev.custody.train."
                  + named);
        }
      }
    }
    return out;
  }

  /** Whether code in stage {@code from} may name package {@code named} of dev.custody.train. */
  static boolean allowed(String from, String named) {
    if (named.equals("internal") || named.equals("tree") || named.equals("linear")) {
      // Shared code, not stages: any stage may use them.
      return true;
    }
    int to = STAGES.indexOf(named);
    // A class of the root package (dev.custody.train.Pipeline) starts with a capital letter and
    // does not match; any other lower-case name is a package a stage must not reach.
    return to >= 0 && to <= STAGES.indexOf(from);
  }
}
