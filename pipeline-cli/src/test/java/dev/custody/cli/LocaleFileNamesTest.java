package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.ModelSigningChecker;
import dev.custody.core.Reason;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File names under a C/POSIX locale, in a real JVM ({@link Main} on the test classpath, in a child
 * process whose environment holds no locale variable but the ones given): the JVM decodes names
 * with the locale's charset, so under {@code LC_ALL=C} Custody must refuse non-ASCII names, saying
 * how to fix it, rather than record U+FFFD; under a UTF-8 locale it records each name's exact
 * bytes, in model_signing's order, as the independent checker (scripts/model-signing-manifest)
 * computes them. The {@code custody} launcher, which switches to C.UTF-8 by itself, is exercised
 * the same way by scripts/check-locale (run by .ci/run once the jar is built: it is not, during
 * this phase).
 */
class LocaleFileNamesTest {
  private static final Map<String, String> C_LOCALE = Map.of("LC_ALL", "C", "LANG", "");
  private static final Map<String, String> UTF8_LOCALE = Map.of("LC_ALL", "C.UTF-8");

  /** NFC and NFD forms of one name (two files), CJK, emoji and ASCII, nested and not. */
  private static final List<String> NAMES =
      List.of(
          "caf\u00e9.txt",
          "cafe\u0301.txt",
          "\u6a21\u578b/\u6743\u91cd.bin",
          "\ud83d\ude00.txt",
          "weights.bin",
          "a.b",
          "a/b",
          "Z.txt");

  @TempDir Path tmp;
  private Path model;
  private Path key;

  @BeforeEach
  void modelAndKey() throws Exception {
    model = tmp.resolve("model");
    Files.createDirectories(model);
    ModelSigningChecker.createFiles(model, NAMES);
    key = tmp.resolve("signing.key");
    assertThat(Cli.run("keygen", "-o", key.toString()).exit()).isZero();
  }

  @Test
  void signModel_underCLocale_refusesEachNonAsciiNameSayingHowToFix_andWritesNoSignature()
      throws Exception {
    Result r = custody(C_LOCALE, "sign-model", model.toString(), "--key", key.toString(), "--json");

    assertThat(r.exit()).as("%s", r).isEqualTo(Reason.UNSUPPORTED.exitCode());
    JsonNode json = r.json();
    assertThat(json.path("reason").asText()).isEqualTo("UNSUPPORTED");
    assertThat(json.path("message").asText())
        .contains("4 file names cannot be recorded as UTF-8 exactly as on disk")
        .contains("caf\\u{fffd}\\u{fffd}.txt (decoded as US-ASCII)")
        .contains("\\u{fffd}\\u{fffd}\\u{fffd}\\u{fffd}.txt (decoded as US-ASCII)")
        .contains("run it under a UTF-8 locale, e.g. LC_ALL=C.UTF-8")
        .doesNotContain("weights.bin");
    assertThat(model.resolve("model.sig")).doesNotExist();
  }

  @Test
  void hash_underCLocale_refusesLikeSignModel() throws Exception {
    Result r = custody(C_LOCALE, "hash", model.toString(), "--json");

    assertThat(r.exit()).as("%s", r).isEqualTo(Reason.UNSUPPORTED.exitCode());
    assertThat(r.json().path("message").asText()).contains("LC_ALL=C.UTF-8");
  }

  @Test
  void signModel_underUtf8Locale_recordsExactNamesInModelSigningOrder() throws Exception {
    Result r = custody(UTF8_LOCALE, "sign-model", model.toString(), "--key", key.toString());
    assertThat(r.exit()).as("%s", r).isZero();

    ModelSigningChecker.Manifest signed = ModelSigningChecker.signed(model.resolve("model.sig"));
    ModelSigningChecker.Manifest expected =
        ModelSigningChecker.manifest(model, "--ignore-paths", "model.sig");

    assertThat(signed.resources()).hasSize(NAMES.size()).isEqualTo(expected.resources());
    assertThat(signed.rootDigest()).isEqualTo(expected.rootDigest());
  }

  @Test
  void verifyModel_signedUnderUtf8_verifiesUnderUtf8_andIsRefusedNotMisreportedUnderC()
      throws Exception {
    assertThat(custody(UTF8_LOCALE, "sign-model", model.toString(), "--key", key.toString()).exit())
        .isZero();
    String pub = key + ".pub";

    Result utf8 = custody(UTF8_LOCALE, "verify-model", model.toString(), "--key", pub, "--json");
    Result c = custody(C_LOCALE, "verify-model", model.toString(), "--key", pub, "--json");

    assertThat(utf8.exit()).as("%s", utf8).isZero();
    assertThat(c.exit()).as("%s", c).isEqualTo(Reason.UNSUPPORTED.exitCode());
    assertThat(c.json().path("message").asText())
        .contains("LC_ALL=C.UTF-8")
        .doesNotContain("renamed");
  }

  @Test
  void signModel_nameNotUtf8OnDisk_refusedUnderUtf8Locale_asModelSigningCannotRecordIt()
      throws Exception {
    Path bad = tmp.resolve("bad");
    Files.createDirectories(bad);
    Files.writeString(bad.resolve("weights.bin"), "w", StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder(
                "sh", "-c", "printf x > \"$1/$(printf 'card\\377.json')\"", "sh", bad.toString())
            .inheritIO()
            .start();
    assertThat(p.waitFor()).isZero();

    Result r =
        custody(UTF8_LOCALE, "sign-model", bad.toString(), "--key", key.toString(), "--json");

    assertThat(r.exit()).as("%s", r).isEqualTo(Reason.UNSUPPORTED.exitCode());
    assertThat(r.json().path("message").asText())
        .contains("card\\u{fffd}.json (bytes that are not UTF-8)")
        .contains("rename the file");
    assertThat(bad.resolve("model.sig")).doesNotExist();
    assertThat(ModelSigningChecker.refused(bad)).contains("is not UTF-8");
  }

  record Result(int exit, String stdout, String stderr) {
    JsonNode json() throws Exception {
      return Json.parse(stdout.getBytes(StandardCharsets.UTF_8), "stdout");
    }
  }

  /** Runs {@link Main} in a new JVM under exactly {@code locale}, no other locale variable. */
  private Result custody(Map<String, String> locale, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    Path out = Files.createTempFile(tmp, "stdout", "");
    Path err = Files.createTempFile(tmp, "stderr", "");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    ModelSigningChecker.setLocale(pb.environment(), locale);
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new AssertionError("custody " + String.join(" ", args) + " still running after 120 s");
    }
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
