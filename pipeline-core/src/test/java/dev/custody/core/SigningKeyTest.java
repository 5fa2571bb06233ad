package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyTest {
  @TempDir Path dir;

  @Test
  void save_unencrypted_writesOwnerOnlyPkcs8AndReloadsSameKey() throws Exception {
    SigningKey key = SigningKey.generate();
    Path file = dir.resolve("key.pem");
    key.save(file, null);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");
    SigningKey loaded = SigningKey.load(file, null);
    assertThat(loaded.publicKey()).isEqualTo(key.publicKey());
    assertThat(key.publicKey().verify(new byte[] {1, 2, 3}, loaded.sign(new byte[] {1, 2, 3})))
        .isTrue();
  }

  @Test
  void load_plainKeysOfEachCurve_deriveThePublicKeyTheyWereGeneratedWith() throws Exception {
    // Sixteen keys per curve: the derived point's y is the even root for about half of them.
    for (Curve curve : Curve.values()) {
      for (int i = 0; i < 16; i++) {
        SigningKey key = SigningKey.generate(curve);
        Path file = dir.resolve(curve + "-" + i + ".pem");
        key.save(file, null);

        assertThat(SigningKey.load(file, null).publicKey())
            .as("%s key %d", curve, i)
            .isEqualTo(key.publicKey());
      }
    }
  }

  @Test
  void load_openSslEcPrivateKeyFromModelSigning_derivesItsPublishedPublicKey() throws Exception {
    Path fixture = Shared.require("fixtures/model-signing/keys/certificate/signing-key.pem");
    Path file = dir.resolve("signing-key.pem");
    Files.copy(fixture, file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    SigningKey key = SigningKey.load(file, null);

    assertThat(key.publicKey())
        .isEqualTo(
            VerificationKey.fromPem(
                Shared.require("fixtures/model-signing/keys/certificate/signing-key-pub.pem")));
  }

  @Test
  void save_withPassphrase_isEncryptedAndNeedsThePassphrase() throws Exception {
    SigningKey key = SigningKey.generate();
    Path file = dir.resolve("key.pem");
    key.save(file, "correct horse".toCharArray());

    assertThat(Files.readString(file)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    assertThat(SigningKey.load(file, "correct horse".toCharArray()).publicKey())
        .isEqualTo(key.publicKey());
    assertThatThrownBy(() -> SigningKey.load(file, "wrong".toCharArray()))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("cannot decrypt")
        .extracting(e -> ((PipelineException) e).reason())
        .isEqualTo(Reason.KEY_INVALID);
    assertThatThrownBy(() -> SigningKey.load(file, null))
        .hasMessageContaining("a passphrase is required");
  }

  @Test
  void save_existingFile_isRefused() throws Exception {
    Path file = dir.resolve("key.pem");
    Files.writeString(file, "keep me");
    assertThatThrownBy(() -> SigningKey.generate().save(file, null))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(file)).isEqualTo("keep me");
  }

  @Test
  void save_anyKey_writesThePublicKeyBesideIt() throws Exception {
    SigningKey key = SigningKey.generate();
    Path file = dir.resolve("signer.key");
    key.save(file, "pass".toCharArray());

    Path pub = dir.resolve("signer.key.pub");
    assertThat(SigningKey.publicKeyFile(file)).isEqualTo(pub);
    assertThat(Files.readString(pub)).isEqualTo(key.publicKey().toPem());
    assertThat(VerificationKey.fromPem(pub)).isEqualTo(key.publicKey());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pub)))
        .isEqualTo("rw-r--r--");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void save_existingPublicKeyFile_isRefusedAndWritesNothing() throws Exception {
    Path file = dir.resolve("signer.key");
    Path pub = dir.resolve("signer.key.pub");
    Files.writeString(pub, "keep me");
    assertThatThrownBy(() -> SigningKey.generate().save(file, null))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("signer.key.pub");
    assertThat(file).doesNotExist();
    assertThat(Files.readString(pub)).isEqualTo("keep me");
  }

  @Test
  void load_groupReadableKey_isRefusedAsTooOpen() throws Exception {
    Path file = dir.resolve("key.pem");
    SigningKey.generate().save(file, null);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> SigningKey.load(file, null))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("too open");
  }

  @Test
  void load_publicKeyGivenForThePrivateOne_keyInvalidSayingSoAndWhereThePrivateKeyIs()
      throws Exception {
    Path file = dir.resolve("signer.key.pub");
    Files.writeString(file, SigningKey.generate().publicKey().toPem());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> SigningKey.load(file, null))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_INVALID))
        .hasMessageContaining("found a public key")
        .hasMessageContaining(dir.resolve("signer.key") + ", beside it")
        .hasMessageNotContaining("chmod");
  }

  @Test
  void load_notAKey_failsWithKeyInvalid() throws Exception {
    Path file = dir.resolve("key.pem");
    Files.writeString(file, "hello");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> SigningKey.load(file, null))
        .isInstanceOf(PipelineException.class)
        .extracting(e -> ((PipelineException) e).reason())
        .isEqualTo(Reason.KEY_INVALID);
  }

  @Test
  void hint_modelSigningFixtureKey_matchesTheHintModelSigningWrote() throws Exception {
    Path pub = Shared.require("fixtures/model-signing/keys/certificate/signing-key-pub.pem");
    VerificationKey key = VerificationKey.fromPem(pub);
    assertThat(key.curve()).isEqualTo(Curve.P384);
    // v1.1.0-elliptic-key/model.sig carries publicKey.hint e8450dec…
    assertThat(key.hint())
        .isEqualTo("e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e");
  }

  @Test
  void fromPem_garbage_failsWithKeyInvalid() {
    assertThatThrownBy(() -> VerificationKey.fromPem("nope".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(PipelineException.class)
        .extracting(e -> ((PipelineException) e).reason())
        .isEqualTo(Reason.KEY_INVALID);
  }
}
