package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class SigstoreBundleTest {
  @Test
  void canonicalBase64_unusedBitsSet_refused() {
    assertThat(SigstoreBundle.canonicalBase64("QUI=")).isTrue(); // "AB"
    assertThat(SigstoreBundle.canonicalBase64("QUJ=")).isFalse(); // also "AB" to a lenient decoder
    assertThat(SigstoreBundle.canonicalBase64("QQ==")).isTrue(); // "A"
    assertThat(SigstoreBundle.canonicalBase64("QR==")).isFalse();
    assertThat(SigstoreBundle.canonicalBase64("QUJD")).isTrue();
    assertThat(SigstoreBundle.canonicalBase64("QUI")).isTrue(); // unpadded, as protobuf accepts
    assertThat(SigstoreBundle.canonicalBase64("Q")).isFalse();
    assertThat(SigstoreBundle.canonicalBase64("")).isTrue();
  }

  @Test
  void verifyStatement_signatureWithNonCanonicalBase64_malformed() throws Exception {
    SigningKey key = SigningKey.generate();
    Statement st = null;
    for (String name = "x"; st == null || st.toJson().length % 3 == 0; name += "x") {
      // a payload whose length is not a multiple of 3, so its base64 ends in unused bits
      st =
          new Statement(
              List.of(Statement.Subject.of(name, Sha256.of(new byte[] {1}))),
              "https://custody.dev/test/v1",
              JsonNodeFactory.instance.objectNode());
    }
    Statement signed = st;
    byte[] bundle = BundleSigner.create(key).signStatement(signed);
    KeyBundleVerifier verifier = KeyBundleVerifier.builder().trust(key.publicKey()).build();
    assertThat(verifier.verifyStatement(bundle).statement()).isEqualTo(signed);

    // The same payload bytes, spelled with a non-zero unused bit: a lenient decoder would accept it.
    ObjectNode root = (ObjectNode) Json.parse(bundle, "bundle");
    ObjectNode env = (ObjectNode) root.get("dsseEnvelope");
    String payload = env.get("payload").asText();
    String spelled = respell(payload);
    env.put("payload", spelled);
    byte[] tampered = Json.write(root);

    assertThatThrownBy(() -> verifier.verifyStatement(tampered))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("dsseEnvelope.payload: expected canonical base64")
        .satisfies(e -> assertThat(((VerificationException) e).reason()).isEqualTo(Reason.MALFORMED));
  }

  /** Sets the lowest unused bit of the last significant character (the payload must be padded). */
  private static String respell(String b64) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int end = b64.length();
    while (b64.charAt(end - 1) == '=') {
      end--;
    }
    if (end == b64.length()) {
      throw new IllegalStateException("payload has no padding: " + b64.length() + " chars");
    }
    int v = alphabet.indexOf(b64.charAt(end - 1));
    return b64.substring(0, end - 1) + alphabet.charAt(v | 1) + b64.substring(end);
  }
}
