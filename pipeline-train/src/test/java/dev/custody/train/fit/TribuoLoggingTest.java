package dev.custody.train.fit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training through the library is quiet on stderr by default, and {@value
 * Trainers#TRIBUO_LOGGING_PROPERTY} brings Tribuo's logging back. Each case runs in a fresh JVM
 * with the JDK's default logging configuration (a console handler on stderr at INFO).
 */
class TribuoLoggingTest {
  @TempDir Path dir;

  @Test
  void train_default_writesNoTribuoInfoLineToStderr() throws Exception {
    String err = trainInFreshJvm(List.of());

    assertThat(err).doesNotContain("INFO").doesNotContain("org.tribuo");
  }

  @Test
  void train_tribuoLoggingProperty_keepsTribuoInfoLines() throws Exception {
    String err = trainInFreshJvm(List.of("-D" + Trainers.TRIBUO_LOGGING_PROPERTY + "=true"));

    assertThat(err).contains("INFO").contains("org.tribuo");
  }

  private String trainInFreshJvm(List<String> jvmOptions) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(TrainForestMain.class.getName());
    Path stderr = Files.createTempFile(dir, "stderr", ".txt");
    Process p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
    String err = Files.readString(stderr);
    assertThat(p.exitValue()).as("child JVM exit code; stderr: %s", err).isZero();
    assertThat(out).as("the model's content digest").startsWith("sha256:");
    return err;
  }
}
