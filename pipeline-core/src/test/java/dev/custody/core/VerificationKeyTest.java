package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link VerificationKey}: signature checks, equality and what it prints. */
class VerificationKeyTest {
  private static final byte[] DATA = "data".getBytes(StandardCharsets.UTF_8);

  @Test
  void verify_signatureNotDer_isFalse() throws Exception {
    VerificationKey key = SigningKey.generate().publicKey();

    assertThat(key.verify(DATA, new byte[] {1, 2, 3})).isFalse();
  }

  @Test
  void verify_ownSignature_isTrueAndOverOtherDataFalse() throws Exception {
    SigningKey signer = SigningKey.generate();
    byte[] sig = signer.sign(DATA);

    assertThat(signer.publicKey().verify(DATA, sig)).isTrue();
    assertThat(signer.publicKey().verify("datA".getBytes(StandardCharsets.UTF_8), sig)).isFalse();
  }

  @Test
  void hashCode_sameKeyReadTwice_isEqualAndDiffersFromOtherKey() throws Exception {
    VerificationKey key = SigningKey.generate().publicKey();
    VerificationKey again =
        VerificationKey.fromPem(key.toPem().getBytes(StandardCharsets.US_ASCII));
    VerificationKey other = SigningKey.generate().publicKey();

    assertThat(again).isEqualTo(key).hasSameHashCodeAs(key);
    assertThat(other).isNotEqualTo(key);
    assertThat(other.hashCode()).isNotEqualTo(key.hashCode());
  }

  @Test
  void toString_namesCurveAndHint() throws Exception {
    VerificationKey key = SigningKey.generate().publicKey();

    assertThat(key.toString())
        .isEqualTo("VerificationKey[" + key.curve() + ", hint=" + key.hint() + "]");
  }

  @Test
  void fromPem_directory_keyInvalidNamingThePath(@TempDir Path dir) throws Exception {
    Path key = Files.createDirectory(dir.resolve("custody.pub"));

    assertThatThrownBy(() -> VerificationKey.fromPem(key))
        .isInstanceOf(PipelineException.class)
        .hasMessage(key + ": expected a PEM public key (a regular file), found a directory")
        .satisfies(e -> assertThat(((PipelineException) e).reason()).isEqualTo(Reason.KEY_INVALID));
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void fromPem_fifo_keyInvalidWithoutBlocking(@TempDir Path dir) throws Exception {
    Path key = InputFilesTest.mkfifo(dir.resolve("custody.pub"));

    assertThatThrownBy(() -> VerificationKey.fromPem(key))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("found a FIFO")
        .satisfies(e -> assertThat(((PipelineException) e).reason()).isEqualTo(Reason.KEY_INVALID));
  }
}
