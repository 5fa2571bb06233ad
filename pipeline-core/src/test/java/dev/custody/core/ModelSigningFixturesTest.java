package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Signatures made by model_signing (sigstore/model-transparency) with an elliptic key, read in
 * place from ../shared/fixtures/model-signing, verified as ORIGIN.md says model_signing verifies
 * them.
 */
class ModelSigningFixturesTest {
  @TempDir Path tmp;

  /** Folder, model (relative to it: a file or "."), paths the verifier ignores. */
  static Stream<Arguments> ellipticKeyFixtures() {
    return Stream.of(
        arguments("v0.3.1-elliptic-key", "signme-1", List.of()),
        arguments("v1.0.0-elliptic-key", "signme-1", List.of()),
        arguments("v1.0.1-elliptic-key", ".", List.of("ignore-me")),
        arguments("v1.1.0-elliptic-key", ".", List.of("ignore-me")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ellipticKeyFixtures")
  void verify_modelSigningEllipticKeyFixture_verifies(
      String folder, String model, List<String> ignore) throws Exception {
    Path dir = Shared.require("fixtures/model-signing/" + folder);
    VerifiedManifest v =
        ModelSigning.verify(dir.resolve(model), dir.resolve("model.sig"), verifier(), ignore);
    assertThat(v.signer()).contains(publicKey().hint());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ellipticKeyFixtures")
  void verify_modelSigningFixtureWithOneByteChanged_failsWithManifestMismatch(
      String folder, String model, List<String> ignore) throws Exception {
    Path copy = copyOf(folder);
    Path file = copy.resolve("signme-1");
    byte[] b = Files.readAllBytes(file);
    b[0] ^= 0x01;
    Files.write(file, b);
    assertRejected(copy, model, ignore, "signme-1");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ellipticKeyFixtures")
  void verify_modelSigningFixtureWithFileAdded_isRejected(
      String folder, String model, List<String> ignore) throws Exception {
    Path copy = copyOf(folder);
    if (model.equals(".")) {
      Files.writeString(copy.resolve("added"), "x");
      assertRejected(copy, model, ignore, "extra: added");
    } else {
      // A single-file model cannot gain a file; appending bytes is the equivalent.
      Files.writeString(copy.resolve(model), "x", java.nio.file.StandardOpenOption.APPEND);
      assertRejected(copy, model, ignore, "changed");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ellipticKeyFixtures")
  void verify_modelSigningFixtureWithFileRemoved_isRejected(
      String folder, String model, List<String> ignore) throws Exception {
    Path copy = copyOf(folder);
    Files.delete(copy.resolve("signme-1"));
    assertThatThrownBy(
            () ->
                ModelSigning.verify(
                    copy.resolve(model), copy.resolve("model.sig"), verifier(), ignore))
        .isInstanceOfAny(VerificationException.class, IOException.class);
    if (model.equals(".")) {
      assertRejected(copy, model, ignore, "missing: signme-1");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ellipticKeyFixtures")
  void verify_modelSigningFixtureWithFileRenamed_isRejected(
      String folder, String model, List<String> ignore) throws Exception {
    Path copy = copyOf(folder);
    if (model.equals(".")) {
      Files.move(copy.resolve("signme-2"), copy.resolve("signme-3"));
      assertRejected(copy, model, ignore, "missing: signme-2; extra: signme-3");
    } else {
      Files.move(copy.resolve("signme-1"), copy.resolve("signme-1b"));
      assertThatThrownBy(
              () ->
                  ModelSigning.verify(
                      copy.resolve(model), copy.resolve("model.sig"), verifier(), ignore))
          .isInstanceOfAny(VerificationException.class, IOException.class);
    }
  }

  private void assertRejected(Path copy, String model, List<String> ignore, String named) {
    assertThatThrownBy(
            () ->
                ModelSigning.verify(
                    copy.resolve(model), copy.resolve("model.sig"), verifier(), ignore))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining(named)
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.MANIFEST_MISMATCH);
  }

  private Path copyOf(String folder) throws IOException {
    Path src = Shared.require("fixtures/model-signing/" + folder);
    Path dst = tmp.resolve(folder);
    Files.createDirectories(dst);
    try (Stream<Path> files = Files.list(src)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, dst.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        dst.resolve(f.getFileName()).toFile().setWritable(true);
      }
    }
    return dst;
  }

  private static VerificationKey publicKey() throws Exception {
    return VerificationKey.fromPem(
        Shared.require("fixtures/model-signing/keys/certificate/signing-key-pub.pem"));
  }

  private static KeyBundleVerifier verifier() throws Exception {
    return KeyBundleVerifier.builder().trust(publicKey()).build();
  }
}
