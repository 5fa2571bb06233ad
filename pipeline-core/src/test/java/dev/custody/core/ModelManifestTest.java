package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelManifest}: file order, ignore paths, symbolic links and the signed predicate. */
class ModelManifestTest {
  @TempDir Path dir;

  @Test
  void pathOrder_byComponentThenCodePoint_asPythonPurePosixPath() {
    List<String> paths =
        new ArrayList<>(
            List.of("b", "a/b", "a.b", "ab", "a", "\uD83D\uDE00", "\uFFFF", "a/b/c", "a-b"));

    paths.sort(ModelManifest.PATH_ORDER);

    // "a" and "a/..." sort before "a-b" and "a.b" (a component ends before '-'), and U+FFFF sorts
    // before U+1F600, which UTF-16 order (a surrogate pair starts with 0xD83D) would reverse.
    assertThat(paths)
        .containsExactly("a", "a/b", "a/b/c", "a-b", "a.b", "ab", "b", "\uFFFF", "\uD83D\uDE00");
  }

  @Test
  void pathOrder_prefixes_shorterFirstInBothDirections() {
    assertThat(ModelManifest.PATH_ORDER.compare("ab", "abc")).isNegative();
    assertThat(ModelManifest.PATH_ORDER.compare("abc", "ab")).isPositive();
    assertThat(ModelManifest.PATH_ORDER.compare("a", "a/b")).isNegative();
    assertThat(ModelManifest.PATH_ORDER.compare("a/b", "a")).isPositive();
    assertThat(ModelManifest.PATH_ORDER.compare("a/b", "a/b")).isZero();
  }

  @Test
  void hash_ignoredDirectoryWithTrailingSlash_leavesItOut() throws Exception {
    Files.createDirectories(dir.resolve("m/skip/deep"));
    Files.writeString(dir.resolve("m/weights.bin"), "w");
    Files.writeString(dir.resolve("m/skip/deep/x.bin"), "x");

    ModelManifest m = ModelManifest.hash(dir.resolve("m"), List.of("./skip/"), false);

    assertThat(m.resources())
        .extracting(ModelManifest.Resource::name)
        .containsExactly("weights.bin");
    assertThat(m.ignorePaths()).containsExactly("skip");
    assertThat(m.modelName()).isEqualTo("m");
    assertThat(m.allowSymlinks()).isFalse();
  }

  @Test
  void of_ignorePathOnlySlashes_keepsOneSlash() {
    ModelManifest m = ModelManifest.of("m", List.of(), List.of("//", "a//"), false);

    assertThat(m.ignorePaths()).containsExactly("/", "a");
  }

  @Test
  void ignores_pathUnderOrEqualToIgnoredPath_isTrueOtherwiseFalse() {
    ModelManifest m = ModelManifest.of("m", List.of(), List.of("skip/", "model.sig"), false);

    assertThat(m.ignores("skip")).isTrue();
    assertThat(m.ignores("skip/a.bin")).isTrue();
    assertThat(m.ignores("model.sig")).isTrue();
    assertThat(m.ignores("skipped.bin")).isFalse();
    assertThat(m.ignores("weights.bin")).isFalse();
  }

  @Test
  void hash_symlinkToFileAllowed_isHashedAsTheFile() throws Exception {
    Path m = Files.createDirectories(dir.resolve("m"));
    Files.writeString(m.resolve("a.bin"), "a");
    Files.createSymbolicLink(m.resolve("link.bin"), Path.of("a.bin"));

    ModelManifest manifest = ModelManifest.hash(m, List.of(), true);

    assertThat(manifest.allowSymlinks()).isTrue();
    assertThat(manifest.resources())
        .containsExactly(
            new ModelManifest.Resource("a.bin", Sha256.of("a".getBytes(StandardCharsets.UTF_8))),
            new ModelManifest.Resource(
                "link.bin", Sha256.of("a".getBytes(StandardCharsets.UTF_8))));
    assertThat(manifest.toStatement().predicate().at("/serialization/allow_symlinks").asBoolean())
        .isTrue();
  }

  @Test
  void hash_symlinkToDirectoryAllowed_throwsUnsupported() throws Exception {
    Path m = Files.createDirectories(dir.resolve("m"));
    Files.createDirectories(m.resolve("sub"));
    Files.createSymbolicLink(m.resolve("link"), Path.of("sub"));

    PipelineException e =
        assertThrows(PipelineException.class, () -> ModelManifest.hash(m, List.of(), true));

    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
    assertThat(e.getMessage())
        .endsWith("link is a symbolic link to something other than a regular file");
  }

  @Test
  void differencesFrom_missingAndExtraWithOtherContent_isNotARename() {
    ModelManifest signed = ModelManifest.of("m", List.of(resource("a.bin", "a")), List.of(), false);
    ModelManifest actual = ModelManifest.of("m", List.of(resource("b.bin", "b")), List.of(), false);

    assertThat(signed.differencesFrom(actual)).containsExactly("missing: a.bin", "extra: b.bin");
  }

  @Test
  void differencesFrom_sameContentUnderOtherName_isARename() {
    ModelManifest signed = ModelManifest.of("m", List.of(resource("a.bin", "a")), List.of(), false);
    ModelManifest actual = ModelManifest.of("m", List.of(resource("b.bin", "a")), List.of(), false);

    assertThat(signed.differencesFrom(actual)).containsExactly("renamed: a.bin -> b.bin");
  }

  @Test
  void fromStatement_twoSubjects_throwsMalformed() {
    Statement one = manifest().toStatement();
    Statement two =
        new Statement(
            List.of(one.subjects().get(0), one.subjects().get(0)),
            one.predicateType(),
            one.predicate());

    VerificationException e =
        assertThrows(VerificationException.class, () -> ModelManifest.fromStatement(two));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).isEqualTo("model signature: expected one subject, found 2");
  }

  @Test
  void fromStatement_allowSymlinksNotBoolean_throwsMalformed() {
    Statement st = manifest().toStatement();
    ObjectNode predicate = st.predicate().deepCopy();
    ((ObjectNode) predicate.get("serialization")).put("allow_symlinks", "false");
    Statement edited = new Statement(st.subjects(), st.predicateType(), predicate);

    VerificationException e =
        assertThrows(VerificationException.class, () -> ModelManifest.fromStatement(edited));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage())
        .isEqualTo("model signature: expected a boolean serialization.allow_symlinks");
  }

  @Test
  void fromStatement_roundTrip_keepsNameIgnoresAndSymlinkFlag() throws Exception {
    ModelManifest m =
        ModelManifest.of("m", List.of(resource("a.bin", "a")), List.of("z", "model.sig"), true);

    ModelManifest read = ModelManifest.fromStatement(m.toStatement());

    assertThat(read.modelName()).isEqualTo("m");
    assertThat(read.ignorePaths()).containsExactly("model.sig", "z");
    assertThat(read.allowSymlinks()).isTrue();
    assertThat(read.rootDigest()).isEqualTo(m.rootDigest());
  }

  private static ModelManifest manifest() {
    return ModelManifest.of("m", List.of(resource("a.bin", "a")), List.of(), false);
  }

  private static ModelManifest.Resource resource(String name, String content) {
    return new ModelManifest.Resource(name, Sha256.of(content.getBytes(StandardCharsets.UTF_8)));
  }
}
