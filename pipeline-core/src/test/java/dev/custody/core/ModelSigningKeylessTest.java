package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whole-model keyless verification of model_signing's Sigstore-signed fixtures, offline. */
class ModelSigningKeylessTest {
  static final String IDENTITY = "stefanb@us.ibm.com";
  static final String ISSUER = "https://sigstore.verify.ibm.com/oauth2";

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"v0.3.1-sigstore", "v1.0.0-sigstore", "v1.0.1-sigstore", "v1.1.0-sigstore"})
  void verify_modelSigningSigstoreFixture_verifiesWholeModel(String folder) throws Exception {
    Path dir = Shared.require("fixtures/model-signing/" + folder);
    VerifiedManifest v =
        ModelSigning.verify(
            dir, dir.resolve("model.sig"), verifier(IDENTITY, ISSUER), List.of("ignore-me"));
    assertThat(v.signer()).isEqualTo(IDENTITY + " (issuer " + ISSUER + ")");
    assertThat(v.manifest().resources())
        .extracting(ModelManifest.Resource::name)
        .containsExactly("signme-1", "signme-2");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"v0.3.1-sigstore", "v1.1.0-sigstore"})
  void verify_sigstoreFixtureWithChangedFile_failsNamingIt(String folder) throws Exception {
    Path copy = copyOf(folder);
    Files.writeString(copy.resolve("signme-2"), "changed!");
    assertThatThrownBy(
            () ->
                ModelSigning.verify(
                    copy,
                    copy.resolve("model.sig"),
                    verifier(IDENTITY, ISSUER),
                    List.of("ignore-me")))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("changed: signme-2")
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.MANIFEST_MISMATCH);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"v1.0.1-sigstore", "v1.1.0-sigstore"})
  void verify_sigstoreFixtureWithExtraFile_isRejected(String folder) throws Exception {
    Path copy = copyOf(folder);
    Files.writeString(copy.resolve("payload.bin"), "evil");
    assertThatThrownBy(
            () ->
                ModelSigning.verify(
                    copy,
                    copy.resolve("model.sig"),
                    verifier(IDENTITY, ISSUER),
                    List.of("ignore-me")))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("extra: payload.bin");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"v1.0.1-sigstore", "v1.1.0-sigstore"})
  void verify_sigstoreFixtureForAnotherIdentity_failsWithUntrustedSigner(String folder)
      throws Exception {
    Path dir = Shared.require("fixtures/model-signing/" + folder);
    assertThatThrownBy(
            () ->
                ModelSigning.verify(
                    dir,
                    dir.resolve("model.sig"),
                    verifier("mallory@example.com", ISSUER),
                    List.of("ignore-me")))
        .isInstanceOf(VerificationException.class)
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.UNTRUSTED_SIGNER);
  }

  private static KeylessBundleVerifier verifier(String identity, String issuer) throws Exception {
    return KeylessBundleVerifier.builder()
        .trustedRoot(Shared.require("fixtures/trust/public-good-trusted_root.json"))
        .requireSigner(identity, issuer)
        .build();
  }

  private Path copyOf(String folder) throws Exception {
    Path src = Shared.require("fixtures/model-signing/" + folder);
    Path dst = tmp.resolve(folder);
    Files.createDirectories(dst);
    try (Stream<Path> files = Files.list(src)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path t = dst.resolve(f.getFileName());
        Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
        t.toFile().setWritable(true);
      }
    }
    return dst;
  }
}
