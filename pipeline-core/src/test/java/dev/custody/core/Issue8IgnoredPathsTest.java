package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, W8: unsigned content in model_signing's default-ignored paths ({@code .git}, {@code
 * .gitattributes}, {@code .github}, {@code .gitignore}). A symbolic link or a special file is
 * refused wherever it is, ignored paths included; an ignored regular file stays ignored (as
 * model_signing ignores it) but is reported.
 */
class Issue8IgnoredPathsTest {
  @TempDir Path dir;
  Path model;
  Path sig;
  KeyBundleVerifier verifier;
  BundleSigner signer;

  @BeforeEach
  void signModel() throws Exception {
    model = Files.createDirectories(dir.resolve("m"));
    Files.writeString(model.resolve("weights.bin"), "w");
    sig = model.resolve(ModelSigning.DEFAULT_SIGNATURE);
    SigningKey key = SigningKey.generate();
    signer = BundleSigner.create(key);
    ModelSigning.sign(model, sig, signer, List.of());
    verifier = KeyBundleVerifier.builder().trust(key.publicKey()).build();
  }

  @Test
  void verify_gitignoreSymlinkToShadow_throwsManifestMismatch() throws Exception {
    Files.createSymbolicLink(model.resolve(".gitignore"), Path.of("/etc/shadow"));

    VerificationException e = assertThrows(VerificationException.class, this::verify);

    assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH);
    assertThat(e.getMessage()).contains(".gitignore is a symbolic link (under an ignored path)");
  }

  @Test
  void verify_githubSymlinkToRoot_throwsManifestMismatch() throws Exception {
    Files.createSymbolicLink(model.resolve(".github"), Path.of("/"));

    VerificationException e = assertThrows(VerificationException.class, this::verify);

    assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH);
    assertThat(e.getMessage()).contains(".github is a symbolic link (under an ignored path)");
  }

  @Test
  @Timeout(30)
  void verify_gitattributesFifo_throwsManifestMismatchWithoutOpeningIt() throws Exception {
    mkfifo(model.resolve(".gitattributes"));

    VerificationException e = assertThrows(VerificationException.class, this::verify);

    assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH);
    assertThat(e.getMessage()).contains(".gitattributes is not a regular file");
  }

  @Test
  void verify_symlinkDeepInsideGitDirectory_throwsManifestMismatch() throws Exception {
    Files.createDirectories(model.resolve(".git/hooks"));
    Files.createSymbolicLink(model.resolve(".git/hooks/pre-commit"), Path.of("/bin/sh"));

    VerificationException e = assertThrows(VerificationException.class, this::verify);

    assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH);
    assertThat(e.getMessage()).contains(".git/hooks/pre-commit is a symbolic link");
  }

  @Test
  void verify_regularFileInGitDirectory_verifiesAndReportsItIgnored() throws Exception {
    Files.createDirectories(model.resolve(".git"));
    Files.writeString(model.resolve(".git/evil.py"), "import os");
    Files.writeString(model.resolve(".gitignore"), "*.tmp");

    VerifiedManifest v = verify();

    assertThat(v.manifest().resources())
        .extracting(ModelManifest.Resource::name)
        .containsExactly("weights.bin");
    assertThat(v.ignoredFiles()).containsExactly(".git/evil.py", ".gitignore");
  }

  @Test
  void verify_nothingIgnoredButTheSignature_reportsNoIgnoredFile() throws Exception {
    assertThat(verify().ignoredFiles()).isEmpty();
  }

  @Test
  void verify_symlinkUnderVerifierIgnorePath_throwsManifestMismatch() throws Exception {
    Files.createDirectories(model.resolve("cache"));
    Files.createSymbolicLink(model.resolve("cache/x"), Path.of("/etc/passwd"));

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> ModelSigning.verify(model, sig, verifier, List.of("cache")));

    assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH);
    assertThat(e.getMessage()).contains("cache/x is a symbolic link (under an ignored path)");
  }

  @Test
  void sign_symlinkInIgnoredPath_throwsUnsupportedAndWritesNothing() throws Exception {
    Path other = Files.createDirectories(dir.resolve("other"));
    Files.writeString(other.resolve("weights.bin"), "w");
    Files.createSymbolicLink(other.resolve(".gitignore"), Path.of("/etc/shadow"));
    Path otherSig = other.resolve(ModelSigning.DEFAULT_SIGNATURE);

    PipelineException e =
        assertThrows(
            PipelineException.class, () -> ModelSigning.sign(other, otherSig, signer, List.of()));

    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
    assertThat(e.getMessage()).contains(".gitignore is a symbolic link");
    assertThat(otherSig).doesNotExist();
  }

  @Test
  void sign_regularFileInGitDirectory_reportsItIgnoredButNotTheSignature() throws Exception {
    Files.createDirectories(model.resolve(".git"));
    Files.writeString(model.resolve(".git/HEAD"), "ref: refs/heads/main");

    ModelManifest signed = ModelSigning.sign(model, sig, signer, List.of());

    assertThat(signed.ignoredFiles()).containsExactly(".git/HEAD");
  }

  @Test
  void hash_fifoInIgnoredPath_throwsUnsupported() throws Exception {
    mkfifo(model.resolve(".gitattributes"));

    PipelineException e =
        assertThrows(
            PipelineException.class,
            () -> ModelManifest.hash(model, ModelManifest.DEFAULT_IGNORES, false));

    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
    assertThat(e.getMessage()).contains(".gitattributes is not a regular file");
  }

  private VerifiedManifest verify() throws IOException, VerificationException {
    return ModelSigning.verify(model, sig, verifier, List.of());
  }

  static void mkfifo(Path fifo) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    } catch (IOException e) {
      assumeTrue(false, "no mkfifo: " + e.getMessage());
      return;
    }
    assumeTrue(p.waitFor() == 0 && Files.exists(fifo), "mkfifo failed");
  }
}
