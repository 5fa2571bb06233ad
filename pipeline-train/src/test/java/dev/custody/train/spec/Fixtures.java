package dev.custody.train.spec;

import dev.custody.core.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test fixtures: committed files under src/test/resources/dev/custody/train and the shared data.
 */
public final class Fixtures {
  public static final String CREDIT_SHA256 =
      "8d124bd418e00f76189b2c4f18807139feac717b03646d72dca3377dfe44c01e";
  public static final String SMS_SHA256 =
      "55341228082b25b832a5868a5ab4b038142a57f70c676c123280af6ff457fe46";

  /** The mini CSV schema the data fixtures follow: {@code id,age,income,sex,label}. */
  static final String MINI_CSV =
      String.join(
          "\n",
          "name: mini",
          "version: 1",
          "data:",
          "  - path: %s",
          "    sha256: %s",
          "format: csv",
          "schema:",
          "  id: id",
          "  label: {column: label, allowed: [\"yes\", \"no\"]}",
          "  numeric:",
          "    - {column: age, min: 0, max: 120}",
          "    - income",
          "  categorical:",
          "    - {column: sex, allowed: [f, m]}",
          "split: {testFraction: 0.25, seed: 1}",
          "trainer: {type: logistic}",
          "%s");

  /** The tab-separated text schema: {@code label<TAB>text}. */
  static final String MINI_TSV =
      String.join(
          "\n",
          "name: mini-text",
          "version: 1",
          "data:",
          "  - path: %s",
          "    sha256: %s",
          "format: tsv-text",
          "schema:",
          "  label: {column: label, allowed: [ham, spam]}",
          "  text: [text]",
          "split: {testFraction: 0.25, seed: 1}",
          "trainer: {type: logistic}",
          "%s");

  private Fixtures() {}

  /** A committed file under {@code src/test/resources/dev/custody/train}, by its relative name. */
  public static Path resource(String name) {
    URL url = Fixtures.class.getResource("/dev/custody/train/" + name);
    if (url == null) {
      throw new IllegalArgumentException("no test resource " + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Path shared(String relative) {
    return Path.of(System.getProperty("custody.shared")).resolve(relative);
  }

  public static Path projectRoot() {
    return Path.of(System.getProperty("custody.root"));
  }

  public static Sha256 sha256(Path file) {
    try {
      return Sha256.of(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A spec over one data fixture (pinned to its real digest), in the mini schema for its format,
   * with extra YAML (screens, gates) appended.
   */
  public static PipelineSpec spec(String dataResource, String extraYaml) throws Exception {
    Path file = resource(dataResource);
    return spec(file, sha256(file).hex(), extraYaml);
  }

  public static PipelineSpec spec(Path file, String sha256, String extraYaml) throws Exception {
    String template = file.toString().endsWith(".tsv") ? MINI_TSV : MINI_CSV;
    String yaml =
        String.format(java.util.Locale.ROOT, template, file.getFileName(), sha256, extraYaml);
    return PipelineSpec.parse(yaml.getBytes(StandardCharsets.UTF_8), file.getParent(), "mini.yaml");
  }
}
