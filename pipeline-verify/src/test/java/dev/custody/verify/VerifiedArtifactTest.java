package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.Sha256;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VerifiedArtifactTest {
  private static final byte[] CONTENT = "model bytes".getBytes(StandardCharsets.UTF_8);

  @Test
  void constructor_callerMutatesArrayAfterwards_keepsVerifiedCopy() throws Exception {
    byte[] content = CONTENT.clone();
    VerifiedArtifact artifact = new VerifiedArtifact(content, Sha256.of(content), "signer");

    content[0] ^= 1;

    try (InputStream in = artifact.open()) {
      assertThat(in.readAllBytes()).isEqualTo(CONTENT);
    }
  }

  @Test
  void open_calledTwice_returnsIndependentStreams() throws Exception {
    VerifiedArtifact artifact = new VerifiedArtifact(CONTENT, Sha256.of(CONTENT), "signer");

    try (InputStream first = artifact.open();
        InputStream second = artifact.open()) {
      first.readAllBytes();
      assertThat(second.readAllBytes()).isEqualTo(CONTENT);
    }
    assertThat(artifact.size()).isEqualTo(CONTENT.length);
    assertThat(artifact.signer()).isEqualTo("signer");
    assertThat(artifact.digest()).isEqualTo(Sha256.of(CONTENT));
  }

  @Test
  void constructor_digestOfOtherBytes_throws() {
    Sha256 other = Sha256.of("other".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> new VerifiedArtifact(CONTENT, other, "signer"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("digest mismatch");
  }

  @Test
  @SuppressWarnings("ObjectToString") // Object's identity string is the point: no content
  void toString_never_printsContent() {
    VerifiedArtifact artifact = new VerifiedArtifact(CONTENT, Sha256.of(CONTENT), "signer");

    assertThat(artifact.toString()).doesNotContain("model bytes");
  }
}
