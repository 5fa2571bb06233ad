package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs {@code scripts/model-signing-manifest}, the independent Python reading of model_signing
 * v1.1.1's file serialization, and reads what a model signature records, so tests can compare the
 * two name by name, byte by byte. Without any python3 the calling test is skipped, saying why,
 * except under {@code CI=true}, where it fails (CI's Debian image has python3).
 */
public final class ModelSigningChecker {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_SECONDS = 60;

  private ModelSigningChecker() {}

  /**
   * One recorded resource: its name as the hex of its UTF-8 bytes (so a mismatch shows the bytes)
   * and its SHA-256.
   */
  public record Resource(String nameUtf8Hex, String sha256) {
    static Resource of(String name, String sha256) {
      return new Resource(HexFormat.of().formatHex(name.getBytes(StandardCharsets.UTF_8)), sha256);
    }
  }

  /** What the checker printed for a model. */
  public record Manifest(List<Resource> resources, String rootDigest, JsonNode json) {}

  /** The checker's manifest of {@code model} for model_signing's CLI {@code options}. */
  public static Manifest manifest(Path model, String... options) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(python().toString());
    cmd.add(script().toString());
    cmd.add(model.toString());
    cmd.addAll(List.of(options));
    Run r = run(cmd);
    assertThat(r.exit()).as("%s", r).isZero();
    JsonNode json = JSON.readTree(r.stdout());
    List<Resource> resources = new ArrayList<>();
    for (JsonNode n : json.path("resources")) {
      resources.add(Resource.of(n.path("name").asText(), n.path("sha256").asText()));
    }
    return new Manifest(resources, json.path("root_digest").asText(), json);
  }

  /** What the checker says on stderr when model_signing would refuse {@code model} (exit 1). */
  public static String refused(Path model, String... options) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(python().toString(), script().toString()));
    cmd.add(model.toString());
    cmd.addAll(List.of(options));
    Run r = run(cmd);
    assertThat(r.exit()).as("%s", r).isEqualTo(1);
    return r.stderr();
  }

  /**
   * Creates files named by their UTF-8 bytes whatever this JVM's locale (a JVM under {@code
   * LC_ALL=C} cannot even spell a non-ASCII path): python3 writes them, each holding its own name.
   *
   * @param names relative POSIX paths; parent directories are created
   */
  public static void createFiles(Path dir, List<String> names) throws Exception {
    ObjectNode spec = JSON.createObjectNode();
    spec.put("dir", dir.toString());
    names.forEach(spec.withArray("names")::add);
    // ASCII-only JSON on the command line: the names travel as \\u escapes.
    String arg = new String(JSON.writeValueAsBytes(spec), StandardCharsets.UTF_8);
    StringBuilder ascii = new StringBuilder();
    arg.chars().forEach(c -> ascii.append(c < 0x80 ? String.valueOf((char) c) : unicodeEscape(c)));
    Run r =
        run(
            List.of(
                python().toString(),
                "-c",
                "import json, os, sys\n"
                    + "spec = json.loads(sys.argv[1])\n"
                    + "root = os.fsencode(spec['dir'])\n"
                    + "for n in spec['names']:\n"
                    + "    p = os.path.join(root, n.encode('utf-8'))\n"
                    + "    os.makedirs(os.path.dirname(p), exist_ok=True)\n"
                    + "    with open(p, 'wb') as f:\n"
                    + "        f.write(n.encode('utf-8'))\n",
                ascii.toString()));
    assertThat(r.exit()).as("%s", r).isZero();
  }

  /** The resources a model signature bundle records, in its order, and its subject digest. */
  public static Manifest signed(Path bundle) throws IOException {
    JsonNode b = JSON.readTree(Files.readAllBytes(bundle));
    byte[] payload = Base64.getDecoder().decode(b.path("dsseEnvelope").path("payload").asText());
    JsonNode statement = JSON.readTree(payload);
    List<Resource> resources = new ArrayList<>();
    for (JsonNode n : statement.path("predicate").path("resources")) {
      resources.add(Resource.of(n.path("name").asText(), n.path("digest").asText()));
    }
    String root = statement.path("subject").path(0).path("digest").path("sha256").asText();
    return new Manifest(resources, root, statement);
  }

  /** A python3 to run the checker with; skips (or, under CI=true, fails) without one. */
  public static Path python() {
    Optional<Path> found =
        Stream.concat(
                Stream.of(Optional.ofNullable(System.getenv("PATH")).orElse(""))
                    .flatMap(p -> Stream.of(p.split(File.pathSeparator, -1)))
                    .filter(d -> !d.isEmpty())
                    .map(d -> Path.of(d, "python3")),
                Stream.of(Path.of("/usr/bin/python3")))
            .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
            .findFirst();
    if (found.isEmpty()) {
      assertThat(System.getenv("CI"))
          .as("CI must have python3 for scripts/model-signing-manifest (Debian's python3)")
          .isNotEqualTo("true");
      Assumptions.abort(
          "skipped: no python3 on the PATH or at /usr/bin/python3; the independent"
              + " model_signing checker (scripts/model-signing-manifest) needs it");
    }
    return found.get();
  }

  /** scripts/model-signing-manifest of this checkout. */
  public static Path script() {
    String root = System.getProperty("custody.root");
    Path base = root != null ? Path.of(root) : Path.of("..");
    Path script = base.resolve("scripts/model-signing-manifest").toAbsolutePath().normalize();
    assertThat(script).as("the checker script").isRegularFile();
    return script;
  }

  /** The environment a child gets: this one without any locale variable, plus {@code locale}. */
  public static void setLocale(Map<String, String> env, Map<String, String> locale) {
    env.keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG") || k.equals("LANGUAGE"));
    env.putAll(locale);
  }

  private static String unicodeEscape(int c) {
    return String.format(java.util.Locale.ROOT, "\\u%04x", c);
  }

  private record Run(String command, int exit, String stdout, String stderr) {
    @Override
    public String toString() {
      return "`" + command + "` exited " + exit + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
  }

  private static Run run(List<String> command) throws Exception {
    Path out = Files.createTempFile("checker", ".out");
    Path err = Files.createTempFile("checker", ".err");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      Process p = pb.start();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError(command + " still running after " + TIMEOUT_SECONDS + " s");
      }
      return new Run(
          String.join(" ", command),
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
