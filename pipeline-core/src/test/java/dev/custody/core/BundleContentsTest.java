package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** What a bundle claims, read without verifying it, on model_signing's own bundles. */
class BundleContentsTest {
  @Test
  void read_keylessModelSignature_namesTheCertificateIdentityAndIssuer() throws Exception {
    Path sig = Shared.require("fixtures/model-signing/v1.0.0-sigstore/model.sig");

    BundleContents b = BundleContents.read(Files.readAllBytes(sig));

    assertThat(b.claimedSigner())
        .isEqualTo(
            "identity "
                + ModelSigningKeylessFixturesTest.IDENTITY
                + " issuer "
                + ModelSigningKeylessFixturesTest.ISSUER);
    assertThat(b.statement().predicateType()).isEqualTo(ModelManifest.PREDICATE_TYPE);
  }

  @Test
  void read_keyBundle_namesTheKeyHint() throws Exception {
    SigningKey key = SigningKey.generate();
    Statement st =
        new Statement(
            java.util.List.of(Statement.Subject.of("x", Sha256.of(new byte[] {1}))),
            "https://example.test/p",
            com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("a", 1));

    BundleContents b = BundleContents.read(BundleSigner.create(key).signStatement(st));

    assertThat(b.claimedSigner()).isEqualTo("key " + key.publicKey().hint());
    assertThat(b.statement().predicate().path("a").asInt()).isEqualTo(1);
  }

  @Test
  void read_truncatedBundle_isMalformed() throws Exception {
    byte[] sig =
        Files.readAllBytes(Shared.require("fixtures/model-signing/v1.0.0-sigstore/model.sig"));

    assertThatThrownBy(() -> BundleContents.read(Arrays.copyOf(sig, sig.length / 2)))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED));
  }
}
