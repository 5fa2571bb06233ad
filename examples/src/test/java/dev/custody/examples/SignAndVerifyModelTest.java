package dev.custody.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignAndVerifyModelTest {
  @TempDir Path dir;

  @Test
  void main_signsVerifiesAndRefusesTheTamperedModel() throws Exception {
    Path model = dir.resolve("model");
    Files.createDirectories(model);
    Files.write(model.resolve("model.tribuo"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    Files.writeString(model.resolve("model-card.json"), "{\"name\": \"demo\"}");
    Path work = dir.resolve("work");
    Files.createDirectories(work);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      SignAndVerifyModel.main(new String[] {model.toString(), work.toString()});
    } finally {
      System.setOut(original);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(printed)
        .contains("verified sha256:")
        .contains("refused: MANIFEST_MISMATCH")
        .contains("changed: model-card.json");
    assertThat(work.resolve("signer.key.pub")).isRegularFile();
  }
}
