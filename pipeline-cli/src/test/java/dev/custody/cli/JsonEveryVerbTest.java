package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Shared;
import dev.custody.serve.feedback.JournalStore;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The {@code --json} contract, for every verb of the command tree: with {@code --json}, stdout
 * holds exactly one JSON document, on success ({@code ok: true}, {@code command}) and on failure
 * ({@code ok: false}, {@code command}, {@code reason}, {@code message}, {@code exit} equal to the
 * exit code). The verbs are found by walking the picocli tree, so a verb added without {@code
 * --json} or without a case here fails. The files are real: a model trained and signed once by
 * {@code custody run} on 400 rows of the credit data.
 */
class JsonEveryVerbTest {
  @TempDir static Path dir;

  private static final AtomicInteger FRESH = new AtomicInteger();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static Path key;
  private static Path pub;
  private static Path otherPub;
  private static Path spec;
  private static Path badSpec;
  private static Path policy;
  private static Path model;
  private static Path tampered;
  private static Path dataset;
  private static Path journal;
  private static Path lock;
  private static String jars;

  /** Verbs whose success needs a classpath of jars only: they run in a forked JVM. */
  private static final Set<String> FORKED = Set.of("deps lock", "deps verify");

  /** A verb's success and failure command lines (without {@code --json}). */
  private record Case(List<String> success, List<String> failure) {}

  @BeforeAll
  static void trainOnce() throws Exception {
    key = dir.resolve("signer.key");
    pub = dir.resolve("signer.key.pub");
    assertThat(Cli.run("keygen", "-o", key.toString()).exit()).isZero();
    Path other = dir.resolve("other.key");
    assertThat(Cli.run("keygen", "-o", other.toString()).exit()).isZero();
    otherPub = dir.resolve("other.key.pub");
    Path csv = dir.resolve("credit.csv");
    List<String> lines = Files.readAllLines(Shared.require("data/default_credit_card.csv"));
    Files.write(csv, lines.subList(0, 401));
    spec = dir.resolve("credit.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "name: credit-json",
            "version: 1",
            "data:",
            "  - path: credit.csv",
            "    sha256: " + Sha256.of(Files.readAllBytes(csv)).hex(),
            "format: csv",
            "schema:",
            "  id: ID",
            "  label: {column: DEFAULT, allowed: [\"0\", \"1\"]}",
            "  numeric: [LIMIT_BAL, AGE, PAY_0]",
            "  categorical:",
            "    - {column: SEX, allowed: [\"1\", \"2\"]}",
            "split: {testFraction: 0.25, seed: 42}",
            "trainer: {type: cart, params: {maxDepth: 3, minLeaf: 20}}",
            "gates:",
            "  minimum: {accuracy: 0.5}",
            ""));
    badSpec = dir.resolve("bad.yaml");
    Files.writeString(badSpec, "name: x\nversion: 1\nunknownKey: 1\n");
    policy = dir.resolve("policy.yaml");
    // The policy custody policy init writes: this key trusted for every stage.
    assertThat(Cli.run("policy", "init", "--key", pub.toString(), "-o", policy.toString()).exit())
        .isZero();
    model = dir.resolve("model");
    Cli run = Cli.run("run", spec.toString(), "--key", key.toString(), "-o", model.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    tampered = dir.resolve("tampered");
    GoldenChains.copyTree(model, tampered);
    Path card = tampered.resolve("model-card.json");
    Files.writeString(card, Files.readString(card).replace("credit-json", "credit-jsoN"));
    dataset = dir.resolve("dataset.sigstore.json");
    assertThat(
            Cli.run("ingest", spec.toString(), "--key", key.toString(), "-o", dataset.toString())
                .exit())
        .isZero();
    journal = dir.resolve("feedback.journal");
    JournalStore.open(journal).close(); // an empty store: verifies, exports no record
    jars = jarredClasspath();
    lock = dir.resolve("deps.lock.sigstore.json");
    Cli locked = forked(List.of("deps", "lock", "--key", key.toString(), "-o", lock.toString()));
    assertThat(locked.exit()).as(locked.err()).isZero();
  }

  /**
   * The test classpath with each directory (Maven's target/classes) packed into a jar: {@code deps
   * lock} pins jars and refuses directories, so its success runs in a JVM on this classpath.
   */
  private static String jarredClasspath() throws IOException {
    List<String> entries = new ArrayList<>();
    int n = 0;
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator, -1)) {
      Path p = Path.of(e);
      if (!Files.isDirectory(p)) {
        entries.add(e);
        continue;
      }
      Path jar = dir.resolve("classes-" + ++n + ".jar");
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
          Stream<Path> walk = Files.walk(p)) {
        for (Path f : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
          out.putNextEntry(new JarEntry(p.relativize(f).toString().replace('\\', '/')));
          Files.copy(f, out);
          out.closeEntry();
        }
      }
      entries.add(jar.toString());
    }
    return String.join(File.pathSeparator, entries);
  }

  /** Runs {@link Main} in a new JVM on {@link #jars}. */
  private static Cli forked(List<String> args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(jars);
    command.add(Main.class.getName());
    command.addAll(args);
    Path out = Path.of(fresh("stdout"));
    Path err = Path.of(fresh("stderr"));
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Cli(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static String fresh(String name) {
    return dir.resolve(name + "-" + FRESH.incrementAndGet()).toString();
  }

  private static Case of(List<String> success, List<String> failure) {
    return new Case(success, failure);
  }

  /** One success and one failure per verb; the key is the verb's path below {@code custody}. */
  private static Map<String, Case> cases() {
    String k = key.toString();
    String p = pub.toString();
    String m = model.toString();
    String pol = policy.toString();
    String missing = dir.resolve("missing").toString();
    Map<String, Case> c = new TreeMap<>();
    c.put("keygen", of(List.of("keygen", "-o", fresh("k")), List.of("keygen", "-o", k)));
    c.put("hash", of(List.of("hash", m), List.of("hash", missing)));
    c.put(
        "sign-model",
        of(
            List.of("sign-model", spec.toString(), "--key", k, "--signature", fresh("sig")),
            List.of("sign-model", spec.toString(), "--key", missing)));
    c.put(
        "verify-model",
        of(
            List.of("verify-model", m, "--key", p),
            List.of("verify-model", m, "--key", otherPub.toString())));
    c.put(
        "verify",
        of(
            List.of("verify", m, "--policy", pol),
            List.of("verify", tampered.toString(), "--policy", pol)));
    c.put(
        "ingest",
        of(
            List.of("ingest", spec.toString(), "--key", k, "-o", fresh("ds"), "--quiet"),
            List.of("ingest", badSpec.toString(), "--key", k)));
    c.put(
        "train",
        of(
            List.of(
                "train",
                spec.toString(),
                "--dataset",
                dataset.toString(),
                "--key",
                k,
                "--trust-ingest-key",
                p,
                "-o",
                fresh("trained")),
            List.of(
                "train",
                spec.toString(),
                "--dataset",
                dataset.toString(),
                "--key",
                k,
                "--trust-ingest-key",
                otherPub.toString(),
                "-o",
                fresh("trained"))));
    c.put(
        "run",
        of(
            List.of("run", spec.toString(), "--key", k, "-o", fresh("run")),
            List.of("run", badSpec.toString(), "--key", k)));
    c.put(
        "reproduce", of(reproduceCopy(), List.of("reproduce", m, "--policy", missing, "--key", k)));
    c.put(
        "predict",
        of(
            List.of("predict", m, "--policy", pol, "LIMIT_BAL=20000", "SEX=2", "AGE=24", "PAY_0=2"),
            List.of(
                "predict",
                tampered.toString(),
                "--policy",
                pol,
                "LIMIT_BAL=20000",
                "SEX=2",
                "AGE=24",
                "PAY_0=2")));
    c.put(
        "deps lock",
        of(
            List.of("deps", "lock", "--key", k, "-o", fresh("lock")),
            List.of("deps", "lock", "--key", missing)));
    c.put(
        "deps verify",
        of(
            List.of("deps", "verify", lock.toString(), "--key", p),
            List.of("deps", "verify", lock.toString(), "--key", otherPub.toString())));
    c.put(
        "data diff",
        of(
            List.of("data", "diff", spec.toString(), spec.toString()),
            List.of("data", "diff", badSpec.toString(), spec.toString())));
    c.put(
        "serve",
        of(
            List.of("serve", m, "--policy", pol, "--port", "0"),
            List.of("serve", tampered.toString(), "--policy", pol, "--port", "0")));
    c.put(
        "token new",
        of(
            List.of("token", "new", "--id", "ci", "--tokens", fresh("tokens")),
            List.of("token", "new", "--id", "ci", "--rate", "1", "--tokens", fresh("tokens"))));
    c.put(
        "feedback export",
        of(
            List.of(
                "feedback",
                "export",
                "--store",
                journal.toString(),
                "--key",
                k,
                "-o",
                fresh("export")),
            List.of("feedback", "export", "--store", missing, "--key", k, "-o", fresh("export"))));
    c.put(
        "feedback review",
        of(
            List.of("feedback", "review", "--store", journal.toString()),
            List.of("feedback", "review", "--store", missing)));
    c.put(
        "feedback verify",
        of(
            List.of("feedback", "verify", "--store", journal.toString()),
            List.of("feedback", "verify", "--store", missing)));
    c.put(
        "inspect",
        of(List.of("inspect", m), List.of("inspect", tampered.toString(), "--policy", pol)));
    c.put(
        "report",
        of(
            List.of("report", m, "--policy", pol, "-o", fresh("report") + ".html"),
            List.of(
                "report", tampered.toString(), "--policy", pol, "-o", fresh("report") + ".html")));
    c.put(
        "policy init",
        of(
            List.of("policy", "init", "--key", p, "-o", fresh("policy") + ".yaml"),
            List.of("policy", "init", "--key", k, "-o", fresh("policy") + ".yaml")));
    c.put("completion", of(List.of("completion", "bash"), List.of("completion", "fish")));
    return c;
  }

  /** Reproduce writes into the model directory: each run gets its own copy. */
  private static List<String> reproduceCopy() {
    Path copy = Path.of(fresh("reproduce"));
    try {
      GoldenChains.copyTree(model, copy);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return List.of(
        "reproduce",
        copy.toString(),
        "--policy",
        policy.toString(),
        "--key",
        key.toString(),
        "--spec-dir",
        dir.toString(),
        "--quiet");
  }

  /**
   * Every runnable command below {@code custody}, as its path ({@code "deps lock"}): picocli's
   * {@code help}, which prints usage for people, is the one left out.
   */
  static List<String> verbs() {
    List<String> out = new ArrayList<>();
    walk(CustodyCommand.commandLine(), "", out);
    return out;
  }

  private static void walk(CommandLine cl, String path, List<String> out) {
    for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
      CommandLine sub = e.getValue();
      if (sub.getCommand() instanceof CommandLine.HelpCommand
          || !e.getKey().equals(sub.getCommandName())) {
        continue; // picocli's help, and aliases
      }
      String name = path.isEmpty() ? e.getKey() : path + " " + e.getKey();
      if (sub.getSubcommands().isEmpty()) {
        out.add(name);
      } else {
        walk(sub, name, out);
      }
    }
  }

  static Stream<String> everyVerb() {
    return verbs().stream();
  }

  @Test
  void cases_everyVerbOfTheTree_haveASuccessAndAFailureCase() {
    assertThat(cases().keySet()).containsExactlyInAnyOrderElementsOf(verbs());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyVerb")
  void verb_jsonOption_isDeclared(String verb) {
    CommandLine cl = CustodyCommand.commandLine();
    for (String part : List.of(verb.split(" ", -1))) {
      cl = cl.getSubcommands().get(part);
    }
    assertThat(cl.getCommandSpec().findOption("--json")).as(verb + " --json").isNotNull();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyVerb")
  void verb_jsonSuccess_printsOneDocumentWithOkAndCommand(String verb) throws Exception {
    Case c = cases().get(verb);
    assertThat(c).as("a case for " + verb).isNotNull();
    Cli r;
    if (verb.equals("serve")) {
      r = serveUntilReady(c.success());
    } else if (FORKED.contains(verb)) {
      List<String> args = new ArrayList<>(c.success());
      args.add("--json");
      r = forked(args);
    } else {
      r = runJson(c.success());
    }

    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode doc = onlyDocument(r);
    assertThat(doc.path("ok").isBoolean()).isTrue();
    assertThat(doc.path("ok").asBoolean()).as(r.out()).isTrue();
    assertThat(doc.path("command").asText()).isEqualTo("custody " + verb);
    assertThat(doc.has("reason")).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyVerb")
  void verb_jsonFailure_printsOneDocumentWithReasonMessageAndExit(String verb) throws Exception {
    Case c = cases().get(verb);
    assertThat(c).as("a case for " + verb).isNotNull();
    Cli r = runJson(c.failure());

    assertThat(r.exit()).isNotZero();
    JsonNode doc = onlyDocument(r);
    assertThat(doc.path("ok").isBoolean()).isTrue();
    assertThat(doc.path("ok").asBoolean()).isFalse();
    assertThat(doc.path("command").asText()).isEqualTo("custody " + verb);
    assertThat(doc.path("message").asText()).isNotBlank();
    assertThat(doc.path("exit").asInt()).isEqualTo(r.exit());
    String reason = doc.path("reason").asText();
    switch (reason) {
      case "USAGE" -> assertThat(r.exit()).isEqualTo(Errors.USAGE);
      case "UNEXPECTED" -> assertThat(r.exit()).isEqualTo(Errors.UNEXPECTED);
      default -> assertThat(Reason.valueOf(reason).exitCode()).isEqualTo(r.exit());
    }
    assertThat(r.err()).as("the human line goes to stderr").isNotBlank();
  }

  /**
   * The model-signing options of issue 12, each on a success and a failure: a small model with a
   * {@code .gitattributes} and a link inside it, signed with {@code --allow-symlinks
   * --no-ignore-git-paths}.
   */
  static Stream<String> optionCaseNames() throws Exception {
    return optionCases().keySet().stream();
  }

  private static Map<String, Case> optionCases() throws Exception {
    Path opts = dir.resolve("opts-model");
    if (!Files.exists(opts)) {
      Files.createDirectories(opts);
      Files.writeString(opts.resolve("weights.bin"), "weights");
      Files.writeString(opts.resolve(".gitattributes"), "*.bin -text\n");
      Files.createSymbolicLink(opts.resolve("link.bin"), Path.of("weights.bin"));
      Cli signed =
          Cli.run(
              "sign-model",
              opts.toString(),
              "--key",
              key.toString(),
              "--allow-symlinks",
              "--no-ignore-git-paths");
      assertThat(signed.exit()).as(signed.err()).isZero();
      Files.writeString(opts.resolve("unsigned.txt"), "added after signing");
    }
    Path escaping = dir.resolve("opts-escaping");
    if (!Files.exists(escaping)) {
      Files.createDirectories(escaping);
      Files.writeString(dir.resolve("outside.bin"), "x");
      Files.createSymbolicLink(escaping.resolve("out.bin"), Path.of("../outside.bin"));
    }
    String o = opts.toString();
    String p = pub.toString();
    Map<String, Case> c = new TreeMap<>();
    c.put(
        "hash --no-ignore-git-paths --allow-symlinks",
        of(
            List.of("hash", o, "--no-ignore-git-paths", "--allow-symlinks"),
            List.of("hash", escaping.toString(), "--allow-symlinks")));
    c.put(
        "hash FILE",
        of(
            List.of("hash", opts.resolve("weights.bin").toString()),
            List.of("hash", dir.resolve("missing.onnx").toString())));
    c.put(
        "sign-model --no-ignore-git-paths --allow-symlinks",
        of(
            List.of(
                "sign-model",
                o,
                "--key",
                key.toString(),
                "--no-ignore-git-paths",
                "--allow-symlinks",
                "--signature",
                fresh("opts-sig")),
            List.of(
                "sign-model", escaping.toString(), "--key", key.toString(), "--allow-symlinks")));
    c.put(
        "verify-model --allow-symlinks --ignore-unsigned-files",
        of(
            List.of("verify-model", o, "--key", p, "--allow-symlinks", "--ignore-unsigned-files"),
            List.of("verify-model", o, "--key", p, "--ignore-unsigned-files")));
    c.put(
        "keygen --curve",
        of(
            List.of("keygen", "-o", fresh("k521"), "--curve", "p521"),
            List.of("keygen", "-o", fresh("k192"), "--curve", "p192")));
    return c;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("optionCaseNames")
  void option_jsonSuccessAndFailure_printOneDocumentEach(String name) throws Exception {
    Case c = optionCases().get(name);
    String command = "custody " + c.success().get(0);

    Cli ok = runJson(c.success());
    assertThat(ok.exit()).as(ok.err()).isZero();
    JsonNode good = onlyDocument(ok);
    assertThat(good.path("ok").asBoolean()).isTrue();
    assertThat(good.path("command").asText()).isEqualTo(command);

    Cli failed = runJson(c.failure());
    assertThat(failed.exit()).isNotZero();
    JsonNode bad = onlyDocument(failed);
    assertThat(bad.path("ok").asBoolean(true)).isFalse();
    assertThat(bad.path("command").asText()).isEqualTo(command);
    assertThat(bad.path("message").asText()).isNotBlank();
    assertThat(bad.path("exit").asInt()).isEqualTo(failed.exit());
  }

  private static Cli runJson(List<String> args) {
    List<String> all = new ArrayList<>(args);
    all.add("--json");
    return Cli.run(all.toArray(String[]::new));
  }

  /** Exactly one JSON document on stdout, read by Jackson. */
  private static JsonNode onlyDocument(Cli r) throws IOException {
    assertThat(r.out()).as("stdout; stderr: " + r.err()).isNotBlank();
    List<JsonNode> docs;
    try (MappingIterator<JsonNode> it = MAPPER.readerFor(JsonNode.class).readValues(r.out())) {
      docs = it.readAll();
    }
    assertThat(docs).as(r.out()).hasSize(1);
    assertThat(docs.get(0).isObject()).isTrue();
    return docs.get(0);
  }

  /** Runs {@code serve} until it prints its ready document, then stops it as an embedder would. */
  private static Cli serveUntilReady(List<String> args) throws Exception {
    List<String> all = new ArrayList<>(args);
    all.add("--json");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = CustodyCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    AtomicInteger exit = new AtomicInteger(-1);
    Thread t = new Thread(() -> exit.set(cl.execute(all.toArray(String[]::new))), "serve-json");
    t.start();
    for (int i = 0; i < 6_000 && t.isAlive() && !out.toString().endsWith("\n"); i++) {
      Thread.sleep(10);
    }
    t.interrupt();
    t.join(30_000);
    return new Cli(exit.get(), out.toString(), err.toString());
  }

  @Test
  void predict_tamperedModel_refusedWithoutAPrediction() throws Exception {
    Cli r =
        runJson(
            List.of(
                "predict",
                tampered.toString(),
                "--policy",
                policy.toString(),
                "LIMIT_BAL=20000",
                "SEX=2",
                "AGE=24",
                "PAY_0=2"));

    assertThat(r.exit()).isEqualTo(Reason.MANIFEST_MISMATCH.exitCode());
    JsonNode doc = onlyDocument(r);
    assertThat(doc.path("reason").asText()).isEqualTo("MANIFEST_MISMATCH");
    assertThat(doc.has("predictions")).isFalse();
  }

  @Test
  void predict_csvWithABadRow_predictsTheOthersAndReportsRowAndColumn() throws Exception {
    Path in = dir.resolve("rows.csv");
    Files.writeString(
        in,
        "LIMIT_BAL,SEX,AGE,PAY_0\n20000,2,24,2\n50000,3,40,0\n90000,1,35,-1\n",
        StandardCharsets.UTF_8);

    Cli r =
        runJson(
            List.of(
                "predict",
                model.toString(),
                "--policy",
                policy.toString(),
                "--input",
                in.toString()));

    assertThat(r.exit()).isEqualTo(Reason.DATA_INVALID.exitCode());
    JsonNode doc = onlyDocument(r);
    assertThat(doc.path("ok").asBoolean(true)).isFalse();
    assertThat(doc.path("rows").asInt()).isEqualTo(3);
    assertThat(doc.path("predictions").findValuesAsText("row")).containsExactly("1", "3");
    JsonNode bad = doc.path("badRows").get(0);
    assertThat(bad.path("row").asInt()).isEqualTo(2);
    assertThat(bad.path("line").asInt()).isEqualTo(3);
    assertThat(bad.path("column").asText()).isEqualTo("SEX");
    assertThat(r.err()).contains("row 2 (line 3), column 'SEX'");
  }

  @Test
  void predict_jsonLines_printsLabelAndProbabilitiesPerRow() throws Exception {
    Path in = dir.resolve("rows.jsonl");
    Files.writeString(
        in,
        "{\"LIMIT_BAL\": 20000, \"SEX\": \"2\", \"AGE\": 24, \"PAY_0\": 2}\n"
            + "\n"
            + "{\"LIMIT_BAL\": \"90000\", \"SEX\": \"1\", \"AGE\": \"35\", \"PAY_0\": \"-1\"}\n",
        StandardCharsets.UTF_8);

    Cli r =
        Cli.run(
            "predict", model.toString(), "--policy", policy.toString(), "--input", in.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines().toList()).hasSize(3).first().isEqualTo("row,label,p(0),p(1)");
    assertThat(r.out().lines().skip(1).toList())
        .allSatisfy(l -> assertThat(l).matches("[12],[01],0\\.\\d{6},[01]\\.\\d{6}"));
  }
}
