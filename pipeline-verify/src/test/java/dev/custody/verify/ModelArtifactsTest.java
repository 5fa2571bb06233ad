package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.custody.core.BundleSigner;
import dev.custody.core.KeyBundleVerifier;
import dev.custody.core.ModelSigning;
import dev.custody.core.Reason;
import dev.custody.core.SigningKey;
import dev.custody.core.VerificationException;
import dev.custody.core.VerifiedManifest;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArtifactsTest {
  @TempDir Path dir;
  private byte[] modelBytes;
  private VerifiedManifest verified;

  @BeforeEach
  void signedModel() throws Exception {
    modelBytes = TestModels.bytes(TestModels.Kind.LOGISTIC_REGRESSION.train());
    Files.write(dir.resolve("model.tribuo"), modelBytes);
    Files.writeString(dir.resolve("model-card.json"), "{\"name\": \"m\"}");
    SigningKey key = SigningKey.generate();
    ModelSigning.sign(dir, dir.resolve("model.sig"), BundleSigner.create(key), List.of());
    verified =
        ModelSigning.verify(
            dir,
            dir.resolve("model.sig"),
            KeyBundleVerifier.builder().trust(key.publicKey()).build(),
            List.of());
  }

  @Test
  void readVerified_unchangedFile_returnsSignedBytesThatLoad() throws Exception {
    VerifiedArtifact a = ModelArtifacts.readVerified(verified, dir, "model.tribuo");

    try (InputStream in = a.open()) {
      assertThat(in.readAllBytes()).isEqualTo(modelBytes);
    }
    assertThat(a.signer()).isEqualTo(verified.signer());
    assertThat(ModelLoader.load(a, TestModels.expectations(), ModelAllowList.defaults()))
        .isNotNull();
  }

  @Test
  void readVerified_fileChangedAfterVerification_throwsManifestMismatch() throws Exception {
    Files.writeString(dir.resolve("model-card.json"), "{\"name\": \"n\"}");

    VerificationException e =
        catchThrowableOfType(
            VerificationException.class,
            () -> ModelArtifacts.readVerified(verified, dir, "model-card.json"));

    assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH);
    assertThat(e.getMessage()).contains("changed: model-card.json");
  }

  @Test
  void readVerified_fileNotInSignature_throwsManifestMismatch() throws Exception {
    Files.writeString(dir.resolve("extra.txt"), "x");

    VerificationException e =
        catchThrowableOfType(
            VerificationException.class,
            () -> ModelArtifacts.readVerified(verified, dir, "extra.txt"));

    assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH);
    assertThat(e.getMessage()).contains("does not list extra.txt");
  }

  @Test
  void readVerified_fileReplacedBySymlink_throwsManifestMismatch() throws Exception {
    Path card = dir.resolve("model-card.json");
    Path elsewhere = Files.createDirectory(dir.resolve("elsewhere")).resolve("card.json");
    Files.write(elsewhere, Files.readAllBytes(card));
    Files.delete(card);
    Files.createSymbolicLink(card, elsewhere);

    VerificationException e =
        catchThrowableOfType(
            VerificationException.class,
            () -> ModelArtifacts.readVerified(verified, dir, "model-card.json"));

    assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH);
  }

  @Test
  void readVerified_largerThanLimit_throwsModelTooLarge() {
    VerificationException e =
        catchThrowableOfType(
            VerificationException.class,
            () -> ModelArtifacts.readVerified(verified, dir, "model-card.json", 4));

    assertThat(e.reason()).isEqualTo(Reason.MODEL_TOO_LARGE);
    assertThat("{\"name\": \"m\"}".getBytes(StandardCharsets.UTF_8).length).isGreaterThan(4);
  }
}
