package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.core.Curve;
import dev.custody.core.Sha256;
import dev.custody.core.Shared;
import dev.custody.core.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12 through the {@code custody} command: model_signing's own signatures made with {@code
 * --no-ignore-git-paths} and {@code --allow_symlinks} (fixtures model-signing-generated, read in
 * place or from a scratch copy), Custody signatures made with each new option, {@code
 * --ignore-unsigned-files}, P-521 keys and {@code hash} of a single file.
 */
class Issue12ModelSigningOptionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GENERATED = "fixtures/model-signing-generated/";

  @TempDir Path tmp;

  private static String fixtureKey() {
    return Shared.require("fixtures/model-signing/keys/certificate/signing-key-pub.pem").toString();
  }

  /**
   * A scratch copy of a generated fixture. The shared copy stores {@code link-to-a.bin} the way git
   * does without symlink support: a regular file holding the link's target ({@code a.bin}); the
   * copy makes it the symbolic link model_signing signed.
   */
  private Path copy(String folder) throws Exception {
    Path from = Shared.require(GENERATED + folder);
    Path to = tmp.resolve(folder);
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else if (Files.isSymbolicLink(p)) {
          Files.createSymbolicLink(t, Files.readSymbolicLink(p));
        } else {
          Files.write(t, Files.readAllBytes(p));
        }
      }
    }
    Path link = to.resolve("link-to-a.bin");
    if (Files.isRegularFile(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      String target = Files.readString(link, StandardCharsets.UTF_8);
      Files.delete(link);
      Files.createSymbolicLink(link, Path.of(target));
    }
    return to;
  }

  private static Cli verify(Path model, String... more) {
    List<String> args = new ArrayList<>(List.of("verify-model", model.toString(), "--key"));
    args.add(fixtureKey());
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  private static void flipFirstByte(Path file) throws Exception {
    byte[] b = Files.readAllBytes(file);
    if (b.length == 0) {
      b = new byte[] {0};
    } else {
      b[0] ^= 0x01;
    }
    Files.write(file, b);
  }

  @Test
  void verifyModel_noIgnoreGitFixtureInPlace_verifiesGitattributes() throws Exception {
    Cli r = verify(Shared.require(GENERATED + "files-no-ignore-git"), "--json");

    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode doc = JSON.readTree(r.out());
    assertThat(doc.path("verified").asBoolean()).isTrue();
    assertThat(doc.path("files").asInt()).isEqualTo(5);
    assertThat(doc.path("ignored")).isEmpty();
    assertThat(doc.path("rootDigest").asText())
        .isEqualTo("sha256:f064b852cb8539068f6d92050e55954fd1732eafeea11876eae1413f00cc64cb");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {".gitattributes", "a.bin", "d/b.txt", "d/weights.bin", "empty"})
  void verifyModel_noIgnoreGitFixtureOneByteChanged_failsNamingTheFile(String file)
      throws Exception {
    Path copy = copy("files-no-ignore-git");
    assertThat(verify(copy).exit()).isZero();
    flipFirstByte(copy.resolve(file));

    Cli r = verify(copy);

    assertThat(r.exit()).isEqualTo(6);
    assertThat(r.err()).contains("MANIFEST_MISMATCH").contains("changed: " + file);
  }

  @Test
  void verifyModel_symlinksFixtureWithAllowSymlinks_verifies() throws Exception {
    Path copy = copy("files-symlinks");

    Cli r = verify(copy, "--allow-symlinks");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("sha256:024741d0e767233c92a1d5bd41c0564738fb658247fe08affc09bb13827ab5bc")
        .contains("(5 files)");
  }

  @Test
  void verifyModel_symlinksFixtureWhenTheCallerForbidsLinks_isRefused() throws Exception {
    Path copy = copy("files-symlinks");

    Cli r = verify(copy);

    assertThat(r.exit()).isEqualTo(6);
    assertThat(r.err())
        .contains("link-to-a.bin is a symbolic link")
        .contains("this verifier does not follow them");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"a.bin", "d/b.txt", "d/weights.bin", "empty"})
  void verifyModel_symlinksFixtureOneByteChanged_failsNamingTheFile(String file) throws Exception {
    Path copy = copy("files-symlinks");
    flipFirstByte(copy.resolve(file));

    Cli r = verify(copy, "--allow-symlinks");

    assertThat(r.exit()).isEqualTo(6);
    assertThat(r.err()).contains("changed: " + file);
    if (file.equals("a.bin")) {
      assertThat(r.err()).contains("changed: link-to-a.bin");
    }
  }

  @Test
  void verifyModel_symlinksFixtureLinkRepointed_failsNamingTheLink() throws Exception {
    Path copy = copy("files-symlinks");
    Files.delete(copy.resolve("link-to-a.bin"));
    Files.createSymbolicLink(copy.resolve("link-to-a.bin"), Path.of("d/b.txt"));

    Cli r = verify(copy, "--allow-symlinks");

    assertThat(r.exit()).isEqualTo(6);
    assertThat(r.err()).contains("changed: link-to-a.bin");
  }

  @Test
  void signModel_noIgnoreGitPaths_recordsWhatModelSigningRecordsAndVerifies() throws Exception {
    Path model = model();
    Path key = keygen("p256");

    Cli signed =
        Cli.run("sign-model", model.toString(), "--key", key.toString(), "--no-ignore-git-paths");
    assertThat(signed.exit()).as(signed.err()).isZero();

    JsonNode ser = serialization(model.resolve("model.sig"));
    JsonNode fixture = serialization(Shared.require(GENERATED + "files-no-ignore-git/model.sig"));
    assertThat(strings(ser.path("ignore_paths"))).isEqualTo(strings(fixture.path("ignore_paths")));
    assertThat(ser.path("allow_symlinks")).isEqualTo(fixture.path("allow_symlinks"));
    Cli ok = Cli.run("verify-model", model.toString(), "--key", key + ".pub");
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("(4 files)");

    Files.writeString(model.resolve(".gitattributes"), "* -text\n");
    Cli bad = Cli.run("verify-model", model.toString(), "--key", key + ".pub");
    assertThat(bad.exit()).isEqualTo(6);
    assertThat(bad.err()).contains("changed: .gitattributes");
  }

  @Test
  void signModel_allowSymlinks_recordsWhatModelSigningRecordsAndVerifies() throws Exception {
    Path model = model();
    Files.createSymbolicLink(model.resolve("link.bin"), Path.of("weights.bin"));
    Path key = keygen("p256");

    Cli signed =
        Cli.run("sign-model", model.toString(), "--key", key.toString(), "--allow-symlinks");
    assertThat(signed.exit()).as(signed.err()).isZero();

    JsonNode ser = serialization(model.resolve("model.sig"));
    JsonNode fixture = serialization(Shared.require(GENERATED + "files-symlinks/model.sig"));
    assertThat(strings(ser.path("ignore_paths"))).isEqualTo(strings(fixture.path("ignore_paths")));
    assertThat(ser.path("allow_symlinks")).isEqualTo(fixture.path("allow_symlinks"));
    Cli ok = Cli.run("verify-model", model.toString(), "--key", key + ".pub", "--allow-symlinks");
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(Cli.run("verify-model", model.toString(), "--key", key + ".pub").exit())
        .isEqualTo(6);
  }

  @Test
  void signModel_linkOutOfTheModel_isRefusedWithOrWithoutAllowSymlinks() throws Exception {
    Path model = model();
    Files.writeString(tmp.resolve("outside.txt"), "x");
    Files.createSymbolicLink(model.resolve("escape.bin"), Path.of("../outside.txt"));
    Path key = keygen("p256");

    for (List<String> extra : List.of(List.<String>of(), List.of("--allow-symlinks"))) {
      List<String> args =
          new ArrayList<>(List.of("sign-model", model.toString(), "--key", key.toString()));
      args.addAll(extra);
      Cli r = Cli.run(args.toArray(String[]::new));
      assertThat(r.exit()).as(extra.toString()).isEqualTo(11);
      assertThat(r.err())
          .contains("escape.bin is a symbolic link to ../outside.txt")
          .contains("outside the model directory");
    }
    assertThat(model.resolve("model.sig")).doesNotExist();
  }

  @Test
  void signModel_danglingLink_isRefusedClearly() throws Exception {
    Path model = model();
    Files.createSymbolicLink(model.resolve("gone.bin"), Path.of("nowhere.bin"));
    Path key = keygen("p256");

    Cli r = Cli.run("sign-model", model.toString(), "--key", key.toString(), "--allow-symlinks");

    assertThat(r.exit()).isEqualTo(11);
    assertThat(r.err()).contains("gone.bin is a dangling symbolic link: its target nowhere.bin");
  }

  @Test
  void verifyModel_extraFile_failsWithoutIgnoreUnsignedFilesAndIsListedWithIt() throws Exception {
    Path model = model();
    Path key = keygen("p256");
    assertThat(Cli.run("sign-model", model.toString(), "--key", key.toString()).exit()).isZero();
    Files.writeString(model.resolve("notes.txt"), "added later");

    Cli strict = Cli.run("verify-model", model.toString(), "--key", key + ".pub");
    assertThat(strict.exit()).isEqualTo(6);
    assertThat(strict.err()).contains("extra: notes.txt");

    Cli text =
        Cli.run("verify-model", model.toString(), "--key", key + ".pub", "--ignore-unsigned-files");
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out())
        .contains(
            "unsigned, not covered by the signature (--ignore-unsigned-files): 1 file: notes.txt");

    Cli json =
        Cli.run(
            "verify-model",
            model.toString(),
            "--key",
            key + ".pub",
            "--ignore-unsigned-files",
            "--json");
    assertThat(json.exit()).isZero();
    JsonNode doc = JSON.readTree(json.out());
    assertThat(doc.path("unsigned").get(0).asText()).isEqualTo("notes.txt");
    assertThat(doc.path("unsigned")).hasSize(1);
  }

  @Test
  void keygenSignVerify_p521Key_roundTrips() throws Exception {
    Path key = keygen("p521");
    assertThat(VerificationKey.fromPem(Path.of(key + ".pub")).curve()).isEqualTo(Curve.P521);
    Path model = model();

    Cli signed = Cli.run("sign-model", model.toString(), "--key", key.toString());
    assertThat(signed.exit()).as(signed.err()).isZero();
    Cli ok = Cli.run("verify-model", model.toString(), "--key", key + ".pub");
    assertThat(ok.exit()).as(ok.err()).isZero();

    flipFirstByte(model.resolve("weights.bin"));
    assertThat(Cli.run("verify-model", model.toString(), "--key", key + ".pub").exit())
        .isEqualTo(6);
  }

  @Test
  void keygen_unknownCurve_isAUsageErrorNamingTheChoices() {
    Cli r = Cli.run("keygen", "-o", tmp.resolve("k").toString(), "--curve", "p192");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--curve: expected p256, p384 or p521, found 'p192'");
    assertThat(tmp.resolve("k")).doesNotExist();
  }

  @Test
  void hash_singleFile_printsTheRootDigestAsModelSigningDigestDoes() throws Exception {
    Path file = Files.writeString(tmp.resolve("model.onnx"), "weights");
    byte[] fileDigest = Sha256.of("weights".getBytes(StandardCharsets.UTF_8)).bytes();
    String root = Sha256.of(fileDigest).toString();

    Cli r = Cli.run("hash", file.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    // model_signing digest: one line, "sha256:" and the hex of SHA-256 over the file's raw digest.
    assertThat(r.out()).isEqualTo(root + System.lineSeparator());
    Cli json = Cli.run("hash", file.toString(), "--json");
    JsonNode doc = JSON.readTree(json.out());
    assertThat(doc.path("rootDigest").asText()).isEqualTo(root);
    assertThat(doc.path("files").path(".").asText())
        .isEqualTo(Sha256.of("weights".getBytes(StandardCharsets.UTF_8)).toString());
  }

  @Test
  void hash_noIgnoreGitPathsFixture_givesTheSignedRootDigest() {
    Path fixture = Shared.require(GENERATED + "files-no-ignore-git");

    Cli r = Cli.run("hash", fixture.toString(), "--no-ignore-git-paths", "--ignore", "model.sig");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "f064b852cb8539068f6d92050e55954fd1732eafeea11876eae1413f00cc64cb  (root digest of 5 files)");
  }

  @Test
  void hash_symlinksFixtureWithAllowSymlinks_givesTheSignedRootDigest() throws Exception {
    Path copy = copy("files-symlinks");

    Cli r = Cli.run("hash", copy.toString(), "--allow-symlinks", "--ignore", "model.sig");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "024741d0e767233c92a1d5bd41c0564738fb658247fe08affc09bb13827ab5bc  (root digest of 5 files)");
    assertThat(Cli.run("hash", copy.toString()).exit()).isEqualTo(11);
  }

  private Path model() throws Exception {
    Path model = Files.createDirectories(tmp.resolve("m-" + System.nanoTime()));
    Files.createDirectories(model.resolve("d"));
    Files.writeString(model.resolve("weights.bin"), "weights");
    Files.writeString(model.resolve("d/config.json"), "{}");
    Files.writeString(model.resolve(".gitattributes"), "*.bin filter=lfs -text\n");
    Files.writeString(model.resolve(".gitignore"), "*.tmp\n");
    return model;
  }

  private Path keygen(String curve) {
    Path key = tmp.resolve("key-" + curve + "-" + System.nanoTime());
    Cli r = Cli.run("keygen", "-o", key.toString(), "--curve", curve);
    assertThat(r.exit()).as(r.err()).isZero();
    return key;
  }

  private static JsonNode serialization(Path sig) throws Exception {
    JsonNode bundle = JSON.readTree(Files.readAllBytes(sig));
    byte[] payload =
        Base64.getDecoder().decode(bundle.path("dsseEnvelope").path("payload").asText());
    return JSON.readTree(payload).path("predicate").path("serialization");
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new TreeSet<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
