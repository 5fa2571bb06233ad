package dev.custody.train.fit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same spec, data and seed give the same model content digest in separate JVMs: two fresh
 * processes train the credit example's six models (Tribuo's logistic regression, CART and random
 * forest; Custody's logistic-lbfgs and two histogram trees) and print their digests. The second
 * runs in another time zone and locale (German: decimal commas), so neither can leak into the
 * digest, and sees one processor, so that the trainers that split their work between threads
 * (hist-forest, logistic-lbfgs) give the same bits on one. (A Turkish locale cannot be used: Tribuo
 * 4.3.2 cannot serialize models in it, see {@link ModelContent#protobufBytes}.)
 */
class ReproducibilityTest {

  @Test
  void contentDigest_twoJvmsSameSeed_equal_otherSeed_differs(@TempDir Path tmp) throws Exception {
    Path log1 = tmp.resolve("jvm1.log");
    Path log2 = tmp.resolve("jvm2.log");
    Process first = start(List.of(), log1, "42", "43");
    Process second =
        start(
            List.of(
                "-Duser.timezone=Asia/Kolkata",
                "-Duser.language=de",
                "-Duser.country=DE",
                "-XX:ActiveProcessorCount=1"),
            log2,
            "42");

    List<String> a = output(first, log1);
    List<String> b = output(second, log2);

    System.out.println("reproducibility, JVM 1: " + a);
    System.out.println("reproducibility, JVM 2: " + b);
    int models = ReproMain.specs(42).size();
    assertThat(a).hasSize(2 * models);
    assertThat(b).hasSize(models).isEqualTo(a.subList(0, models));
    for (int i = 0; i < models; i++) {
      String seed42 = a.get(i);
      String seed43 = a.get(i + models);
      assertThat(seed42).startsWith(word(seed43) + " 42 ");
      if (word(seed42).equals("HistCart") || word(seed42).equals("LbfgsLogistic")) {
        // A histogram tree tries every feature and draws nothing, nor does full-batch L-BFGS:
        // the seed cannot change them.
        assertThat(digest(seed42)).as(word(seed42)).isEqualTo(digest(seed43));
      } else {
        assertThat(digest(seed42)).as(word(seed42)).isNotEqualTo(digest(seed43));
      }
    }
  }

  private static Process start(List<String> jvmOptions, Path stderr, String... seeds)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-Dcustody.shared=" + System.getProperty("custody.shared"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ReproMain.class.getName());
    command.addAll(List.of(seeds));
    return new ProcessBuilder(command).redirectError(stderr.toFile()).start();
  }

  private static List<String> output(Process p, Path stderr) throws Exception {
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
    assertThat(p.exitValue())
        .as("child JVM exit code; stdout: %s; stderr: %s", out, Files.readString(stderr))
        .isZero();
    return out.lines().toList();
  }

  private static String word(String line) {
    return line.substring(0, line.indexOf(' '));
  }

  private static String digest(String line) {
    return line.substring(line.lastIndexOf(' ') + 1);
  }
}
