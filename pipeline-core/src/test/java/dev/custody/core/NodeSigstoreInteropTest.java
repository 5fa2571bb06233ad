package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Custody's key-signed Sigstore bundles, verified by an independent implementation: the npm package
 * {@code @sigstore/verify}, given only the public key (src/test/node/verify-bundle.mjs). The node
 * project is copied under target/ and installed there with {@code npm ci} from its committed lock
 * file, so the source tree stays clean. Skipped, saying so, when {@code node} or {@code npm} is not
 * on the PATH; any other failure to install fails every test with npm's output.
 */
class NodeSigstoreInteropTest {
  private static final long NPM_CI_TIMEOUT_SECONDS = 300;
  private static final long NODE_TIMEOUT_SECONDS = 60;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path node;
  private static Path project;

  /** Why the tests are skipped, or null when node and npm are on the PATH. */
  private static String skipReason;

  @TempDir Path tmp;

  @BeforeAll
  static void installVerifier() throws Exception {
    Optional<Path> nodeExe = onPath("node");
    Optional<Path> npmExe = onPath("npm");
    if (nodeExe.isEmpty() || npmExe.isEmpty()) {
      // Assumed per test (below), not here: surefire drops a class-level skip's message.
      skipReason =
          "skipped: "
              + (nodeExe.isEmpty() ? "node" : "npm")
              + " is not on the PATH ("
              + System.getenv("PATH")
              + "); verifying with @sigstore/verify needs Node.js and npm";
      return;
    }
    node = nodeExe.get();

    Path root = moduleRoot();
    Path source = root.resolve("src/test/node");
    project = root.resolve("target/node-interop");
    Files.createDirectories(project);
    for (String f : List.of("package.json", "package-lock.json", "verify-bundle.mjs")) {
      Files.copy(source.resolve(f), project.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
    Result ci =
        run(
            project,
            NPM_CI_TIMEOUT_SECONDS,
            npmExe.get().toString(),
            "ci",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts");
    if (ci.exitCode() != 0) {
      fail("npm ci in " + project + " failed: " + ci);
    }
  }

  @BeforeEach
  void requireNodeAndNpm() {
    assumeTrue(skipReason == null, skipReason);
  }

  @Test
  void nodeVerify_custodyDsseBundle_verifiesWithPublicKeyOnly() throws Exception {
    SigningKey key = SigningKey.generate();
    Path bundle = write("model.sig", BundleSigner.create(key).signStatement(modelStatement()));

    Result r = verify(bundle, pem(key.publicKey()), null);

    assertThat(r.exitCode()).as("%s", r).isZero();
    JsonNode out = r.json();
    assertThat(out.path("verified").asBoolean()).as("%s", r).isTrue();
    assertThat(out.path("content").asText()).as("%s", r).isEqualTo("dsseEnvelope");
    assertThat(out.path("payloadType").asText()).as("%s", r).isEqualTo(Statement.PAYLOAD_TYPE);
    assertThat(out.path("keyHint").asText()).as("%s", r).isEqualTo(key.publicKey().hint());
    assertThat(out.path("signerIsGivenKey").asBoolean()).as("%s", r).isTrue();
    assertThat(out.path("tlogEntries").asInt(-1)).as("%s", r).isZero();
  }

  @Test
  void nodeVerify_custodyMessageSignatureBundle_verifiesWithPublicKeyOnly() throws Exception {
    SigningKey key = SigningKey.generate();
    Path artifact = tmp.resolve("model.tribuo");
    Files.writeString(artifact, "weights of a small credit model\n", StandardCharsets.UTF_8);
    Path bundle = write("artifact.sigstore.json", BundleSigner.create(key).signArtifact(artifact));

    Result r = verify(bundle, pem(key.publicKey()), artifact);

    assertThat(r.exitCode()).as("%s", r).isZero();
    JsonNode out = r.json();
    assertThat(out.path("verified").asBoolean()).as("%s", r).isTrue();
    assertThat(out.path("content").asText()).as("%s", r).isEqualTo("messageSignature");
    assertThat(out.path("keyHint").asText()).as("%s", r).isEqualTo(key.publicKey().hint());
    assertThat(out.path("signerIsGivenKey").asBoolean()).as("%s", r).isTrue();
  }

  @Test
  void nodeVerify_tamperedPayload_isRejected() throws Exception {
    SigningKey key = SigningKey.generate();
    ObjectNode bundle = parse(BundleSigner.create(key).signStatement(modelStatement()));
    ObjectNode env = (ObjectNode) bundle.path("dsseEnvelope");
    String payload =
        new String(
            Base64.getDecoder().decode(env.path("payload").asText()), StandardCharsets.UTF_8);
    String tampered = payload.replace("\"weights.bin\"", "\"weightz.bin\"");
    assertThat(tampered).as("the payload names weights.bin").isNotEqualTo(payload);
    env.put(
        "payload", Base64.getEncoder().encodeToString(tampered.getBytes(StandardCharsets.UTF_8)));

    Result r =
        verify(write("model.sig", JSON.writeValueAsBytes(bundle)), pem(key.publicKey()), null);

    assertRejected(r, "SIGNATURE_ERROR");
  }

  @Test
  void nodeVerify_tamperedArtifact_isRejected() throws Exception {
    SigningKey key = SigningKey.generate();
    Path artifact = tmp.resolve("model.tribuo");
    Files.writeString(artifact, "weights", StandardCharsets.UTF_8);
    Path bundle = write("artifact.sigstore.json", BundleSigner.create(key).signArtifact(artifact));
    Files.writeString(artifact, "weightz", StandardCharsets.UTF_8);

    assertRejected(verify(bundle, pem(key.publicKey()), artifact), "SIGNATURE_ERROR");
  }

  @Test
  void nodeVerify_wrongPublicKey_isRejected() throws Exception {
    Path bundle =
        write(
            "model.sig",
            BundleSigner.create(SigningKey.generate()).signStatement(modelStatement()));

    // The bundle's hint names the signer's key, which the verifier was not given.
    assertRejected(
        verify(bundle, pem(SigningKey.generate().publicKey()), null), "PUBLIC_KEY_ERROR");
  }

  @Test
  void nodeVerify_hintRewrittenToWrongKey_isRejectedBySignatureCheck() throws Exception {
    VerificationKey wrong = SigningKey.generate().publicKey();
    ObjectNode bundle =
        parse(BundleSigner.create(SigningKey.generate()).signStatement(modelStatement()));
    ((ObjectNode) bundle.path("verificationMaterial").path("publicKey")).put("hint", wrong.hint());

    // The hint only selects the key; the signature is then checked against it, and fails.
    Result r = verify(write("model.sig", JSON.writeValueAsBytes(bundle)), pem(wrong), null);

    assertRejected(r, "SIGNATURE_ERROR");
  }

  /**
   * A tripwire, not a wish: Custody signs DSSE with P-384 keys as ECDSA with SHA-384
   * (PKIX_ECDSA_P384_SHA_384, as model_signing does), but @sigstore/verify 3.1.0 (and 4.1.3) checks
   * DSSE signatures with {@code crypto.verify(undefined, ...)}, which for EC keys means SHA-256
   * whatever the curve. When a pinned version verifies this bundle, turn this test into a
   * "verifies" test.
   */
  @Test
  void nodeVerify_custodyP384DsseBundle_isRejectedAsSigstoreJsAssumesSha256() throws Exception {
    SigningKey key = SigningKey.generate(Curve.P384);
    byte[] signed = BundleSigner.create(key).signStatement(modelStatement());
    // The bundle is good: Custody verifies it, and the hint lookup in node succeeds.
    KeyBundleVerifier.builder().trust(key.publicKey()).build().verifyStatement(signed);

    assertRejected(
        verify(write("model.sig", signed), pem(key.publicKey()), null), "SIGNATURE_ERROR");
  }

  /**
   * One way of signing a model directory: Custody's sign options, and model_signing's CLI options
   * for the same signature (the checker is told about the signature file, as model_signing's CLI
   * adds it); with {@code links}, the model also holds symbolic links to files inside it.
   */
  record SigningOption(
      String label, ModelSignOptions options, List<String> checkerOptions, boolean links) {
    @Override
    public String toString() {
      return label;
    }
  }

  static Stream<SigningOption> signingOptions() {
    return Stream.of(
        new SigningOption("defaults", ModelSignOptions.builder().build(), List.of(), false),
        new SigningOption(
            "--ignore a file",
            ModelSignOptions.builder().ignore(List.of("notes.txt")).build(),
            List.of("--ignore-paths", "notes.txt"),
            false),
        new SigningOption(
            "--ignore a directory",
            ModelSignOptions.builder().ignore(List.of("a/b")).build(),
            List.of("--ignore-paths", "a/b"),
            false),
        new SigningOption(
            "--ignore two paths",
            ModelSignOptions.builder().ignore(List.of("notes.txt", "Z")).build(),
            List.of("--ignore-paths", "notes.txt", "--ignore-paths", "Z"),
            false),
        new SigningOption(
            "--no-ignore-git-paths",
            ModelSignOptions.builder().includeGitPaths().build(),
            List.of("--no-ignore-git-paths"),
            false),
        new SigningOption(
            "--allow-symlinks",
            ModelSignOptions.builder().allowSymlinks().build(),
            List.of("--allow-symlinks"),
            true),
        new SigningOption(
            "--no-ignore-git-paths --allow-symlinks --ignore a directory",
            ModelSignOptions.builder()
                .includeGitPaths()
                .allowSymlinks()
                .ignore(List.of("a/b"))
                .build(),
            List.of("--no-ignore-git-paths", "--allow-symlinks", "--ignore-paths", "a/b"),
            true));
  }

  /**
   * The interop matrix: a directory signed by Custody with a P-256 key under each signing option
   * (alone and combined) verifies with @sigstore/verify, and its recorded names, their order, each
   * digest, the root digest and the ignore paths are those model_signing's algorithm gives for the
   * same directory and options (scripts/model-signing-manifest). The names are ASCII (this JVM's
   * locale is not known; LocaleFileNamesTest covers the others) but chosen where PurePosixPath's
   * order and a plain string sort differ ({@code a/b} before {@code a.b}; upper case first).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("signingOptions")
  void nodeVerify_custodySignedModelPerSigningOption_verifiesAndRecordsModelSigningsManifest(
      SigningOption option) throws Exception {
    Path model = matrixModel(option.links());
    SigningKey key = SigningKey.generate(Curve.P256);
    Path signature = model.resolve("model.sig");
    ModelSigning.sign(model, signature, BundleSigner.create(key), option.options());

    Result r = verify(signature, pem(key.publicKey()), null);
    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.json().path("verified").asBoolean()).as("%s", r).isTrue();

    List<String> checkerOptions = new ArrayList<>(option.checkerOptions());
    checkerOptions.addAll(List.of("--ignore-paths", "model.sig"));
    ModelSigningChecker.Manifest expected =
        ModelSigningChecker.manifest(model, checkerOptions.toArray(String[]::new));
    ModelSigningChecker.Manifest signed = ModelSigningChecker.signed(signature);
    assertThat(signed.resources()).isNotEmpty().isEqualTo(expected.resources());
    assertThat(signed.rootDigest()).isEqualTo(expected.rootDigest());
    TreeSet<String> signedIgnores = new TreeSet<>();
    signed
        .json()
        .path("predicate")
        .path("serialization")
        .path("ignore_paths")
        .forEach(n -> signedIgnores.add(n.asText()));
    TreeSet<String> expectedIgnores = new TreeSet<>();
    expected.json().path("ignore_paths").forEach(n -> expectedIgnores.add(n.asText()));
    assertThat(signedIgnores).isEqualTo(expectedIgnores);
  }

  /**
   * The matrix's model directory: names where PurePosixPath's order and a plain string sort differ,
   * git paths, and with {@code links} symbolic links to files inside it.
   */
  private Path matrixModel(boolean links) throws IOException {
    Path model = tmp.resolve("model");
    for (String f :
        List.of(
            "a.b",
            "a/b/c.bin",
            "a/b.bin",
            "a-b",
            "Z/upper.txt",
            "z.txt",
            "notes.txt",
            ".git/config",
            ".gitattributes",
            ".github/workflows/ci.yml",
            ".gitignore",
            ".hidden")) {
      Path p = model.resolve(f);
      Files.createDirectories(p.getParent());
      Files.writeString(p, "content of " + f, StandardCharsets.UTF_8);
    }
    if (links) {
      Files.createSymbolicLink(model.resolve("link.bin"), Path.of("a.b"));
      Files.createSymbolicLink(model.resolve("Z/up.txt"), Path.of("../z.txt"));
    }
    return model;
  }

  /**
   * The same for model_signing's shards serialization (7-byte shards, so every file has several):
   * {@code @sigstore/verify} accepts the bundle, and the shard names ({@code path:start:end}),
   * their order, each shard's digest and the root digest are those the checker computes with {@code
   * --shard-size 7}.
   */
  @Test
  void nodeVerify_custodyShardSignedModel_verifiesAndRecordsModelSigningsShards() throws Exception {
    Path model = matrixModel(false);
    SigningKey key = SigningKey.generate(Curve.P256);
    Path signature = model.resolve("model.sig");
    ModelSigning.signShards(
        model, signature, BundleSigner.create(key), ModelSignOptions.builder().build(), 7);

    Result r = verify(signature, pem(key.publicKey()), null);
    assertThat(r.exitCode()).as("%s", r).isZero();

    ModelSigningChecker.Manifest expected =
        ModelSigningChecker.manifest(model, "--shard-size", "7", "--ignore-paths", "model.sig");
    ModelSigningChecker.Manifest signed = ModelSigningChecker.signed(signature);
    assertThat(signed.resources()).hasSizeGreaterThan(20).isEqualTo(expected.resources());
    assertThat(signed.rootDigest()).isEqualTo(expected.rootDigest());
  }

  /**
   * The same tripwire for P-521 (PKIX_ECDSA_P521_SHA_512, ECDSA with SHA-512), recorded as {@code
   * @sigstore/verify} 3.1.0 behaves: the key is accepted, the SHA-512 signature is not.
   */
  @Test
  void nodeVerify_custodyP521DsseBundle_isRejectedAsSigstoreJsAssumesSha256() throws Exception {
    SigningKey key = SigningKey.generate(Curve.P521);
    byte[] signed = BundleSigner.create(key).signStatement(modelStatement());
    KeyBundleVerifier.builder().trust(key.publicKey()).build().verifyStatement(signed);

    assertRejected(
        verify(write("model.sig", signed), pem(key.publicKey()), null), "SIGNATURE_ERROR");
  }

  /** Issue 12: a model signed with every new option, P-256, as @sigstore/verify sees it. */
  @Test
  void nodeVerify_modelSignedWithNewOptions_verifiesWithPublicKeyOnly() throws Exception {
    Path model = tmp.resolve("hf-model");
    Files.createDirectories(model);
    Files.writeString(model.resolve("weights.bin"), "weights", StandardCharsets.UTF_8);
    Files.writeString(model.resolve(".gitattributes"), "*.bin -text\n", StandardCharsets.UTF_8);
    Files.createSymbolicLink(model.resolve("link.bin"), Path.of("weights.bin"));
    SigningKey key = SigningKey.generate();
    Path sig = model.resolve("model.sig");
    ModelSigning.sign(
        model,
        sig,
        BundleSigner.create(key),
        ModelSignOptions.builder().includeGitPaths().allowSymlinks().build());

    Result r = verify(sig, pem(key.publicKey()), null);

    assertThat(r.exitCode()).as("%s", r).isZero();
    assertThat(r.json().path("verified").asBoolean()).as("%s", r).isTrue();
  }

  private Statement modelStatement() throws Exception {
    Path model = tmp.resolve("credit-model");
    Files.createDirectories(model.resolve("sub"));
    Files.writeString(model.resolve("weights.bin"), "weights", StandardCharsets.UTF_8);
    Files.writeString(model.resolve("card.json"), "{}", StandardCharsets.UTF_8);
    Files.writeString(model.resolve("sub/extra.bin"), "xyz", StandardCharsets.UTF_8);
    return ModelManifest.hash(model, List.of(), false).toStatement();
  }

  private Path pem(VerificationKey key) throws IOException {
    Path p = Files.createTempFile(tmp, "key-", ".pub");
    Files.writeString(p, key.toPem(), StandardCharsets.US_ASCII);
    return p;
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = Files.createTempDirectory(tmp, "bundle-").resolve(name);
    Files.write(p, bytes);
    return p;
  }

  private static ObjectNode parse(byte[] bundle) throws IOException {
    return (ObjectNode) JSON.readTree(bundle);
  }

  private static void assertRejected(Result r, String code) throws IOException {
    // Exit 1 is a rejection of the bundle; 2 (usage) or a crash must not pass as one.
    assertThat(r.exitCode()).as("expected node to reject the bundle: %s", r).isEqualTo(1);
    JsonNode out = r.json();
    assertThat(out.path("verified").asBoolean(true)).as("%s", r).isFalse();
    assertThat(out.path("error").path("code").asText()).as("%s", r).isEqualTo(code);
  }

  private static Result verify(Path bundle, Path publicKey, Path artifact) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(node.toString(), "verify-bundle.mjs", bundle.toString(), publicKey.toString()));
    if (artifact != null) {
      cmd.add(artifact.toString());
    }
    return run(project, NODE_TIMEOUT_SECONDS, cmd.toArray(String[]::new));
  }

  /** Runs a command in {@code dir}, its output captured to files there; fails on timeout. */
  private static Result run(Path dir, long timeoutSeconds, String... command) throws Exception {
    Path out = Files.createTempFile(dir.getParent(), "node-interop-", ".out");
    Path err = Files.createTempFile(dir.getParent(), "node-interop-", ".err");
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File(nullDevice())))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        fail(
            String.join(" ", command)
                + " did not finish within "
                + timeoutSeconds
                + " s; stdout:\n"
                + Files.readString(out, StandardCharsets.UTF_8)
                + "\nstderr:\n"
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Result(
          String.join(" ", command),
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static String nullDevice() {
    return File.separatorChar == '\\' ? "NUL" : "/dev/null";
  }

  /** The first executable called {@code name} on the PATH. */
  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    List<String> names =
        File.separatorChar == '\\' ? List.of(name + ".cmd", name + ".exe", name) : List.of(name);
    for (String dir : path.split(File.pathSeparator, -1)) {
      if (dir.isEmpty()) {
        continue;
      }
      for (String n : names) {
        Path candidate = Path.of(dir, n);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** pipeline-core's directory, whether the tests run from it or from the checkout root. */
  private static Path moduleRoot() {
    String root = System.getProperty("custody.root");
    Path base =
        root != null ? Path.of(root).resolve("pipeline-core") : Path.of("").toAbsolutePath();
    Path module = base.toAbsolutePath().normalize();
    if (!Files.isRegularFile(module.resolve("src/test/node/package-lock.json"))) {
      fail("cannot find pipeline-core/src/test/node/package-lock.json under " + module);
    }
    return module;
  }

  /** A finished command: its exit code and output. */
  private record Result(String command, int exitCode, String stdout, String stderr) {
    /** The JSON line verify-bundle.mjs printed. */
    JsonNode json() throws IOException {
      String last = stdout.strip();
      int nl = last.lastIndexOf('\n');
      return JSON.readTree(nl < 0 ? last : last.substring(nl + 1));
    }

    @Override
    public String toString() {
      return "`"
          + command
          + "` exited "
          + exitCode
          + "\nstdout:\n"
          + stdout
          + "\nstderr:\n"
          + stderr;
    }
  }
}
