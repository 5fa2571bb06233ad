package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ClientTrustConfig} files: the model_signing keyless fixtures verify through a config
 * around the public-good root exactly as through the bare root, a config for another instance
 * rejects them, and every malformed config is refused with a message saying what was expected.
 */
class TrustConfigTest {
  static final String IDENTITY = "stefanb@us.ibm.com";
  static final String ISSUER = "https://sigstore.verify.ibm.com/oauth2";

  @TempDir Path tmp;

  private static Path publicGood() {
    return Shared.require("fixtures/trust/public-good-trusted_root.json");
  }

  private static List<String> ignores(String version) {
    return version.startsWith("v1.0.1") || version.startsWith("v1.1")
        ? List.of("ignore-me")
        : List.of();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"v0.3.1-sigstore", "v1.0.0-sigstore", "v1.0.1-sigstore", "v1.1.0-sigstore"})
  void verify_trustConfigAroundPublicGoodRoot_verifiesAsTheBareRootDoes(String version)
      throws Exception {
    Path model = Shared.require("fixtures/model-signing/" + version);
    Path config =
        TrustConfigs.write(tmp.resolve("trust.json"), publicGood(), TrustConfigs.SIGNING_REKOR_V2);
    KeylessBundleVerifier viaConfig =
        KeylessBundleVerifier.builder().trustConfig(config).requireSigner(IDENTITY, ISSUER).build();
    KeylessBundleVerifier viaRoot =
        KeylessBundleVerifier.builder()
            .trustedRoot(publicGood())
            .requireSigner(IDENTITY, ISSUER)
            .build();

    VerifiedManifest a =
        ModelSigning.verify(model, model.resolve("model.sig"), viaConfig, ignores(version));
    VerifiedManifest b =
        ModelSigning.verify(model, model.resolve("model.sig"), viaRoot, ignores(version));

    assertThat(a.rootDigest()).isEqualTo(b.rootDigest());
    assertThat(a.signer()).isEqualTo(b.signer()).contains(IDENTITY);
  }

  @Test
  void verify_trustConfigWithoutSigningConfig_stillVerifies() throws Exception {
    Path model = Shared.require("fixtures/model-signing/v1.0.0-sigstore");
    Path config = TrustConfigs.write(tmp.resolve("verify-only.json"), publicGood(), null);
    KeylessBundleVerifier v =
        KeylessBundleVerifier.builder().trustConfig(config).requireSigner(IDENTITY, ISSUER).build();

    assertThat(ModelSigning.verify(model, model.resolve("model.sig"), v, List.of()).signer())
        .contains(IDENTITY);
    assertThat(TrustConfig.read(config).canSign()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"v1.0.0-sigstore", "v1.1.0-sigstore"})
  void verify_trustConfigOfAnotherInstance_throwsCertificateInvalid(String version)
      throws Exception {
    Path model = Shared.require("fixtures/model-signing/" + version);
    Path otherRoot =
        Shared.require(
            "fixtures/sigstore-conformance/bundle-verify/rekor2-happy-path/trusted_root.json");
    Path config =
        TrustConfigs.write(tmp.resolve("other.json"), otherRoot, TrustConfigs.SIGNING_REKOR_V2);
    KeylessBundleVerifier v =
        KeylessBundleVerifier.builder().trustConfig(config).requireSigner(IDENTITY, ISSUER).build();

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> ModelSigning.verify(model, model.resolve("model.sig"), v, ignores(version)));

    assertThat(e.reason()).isEqualTo(Reason.CERTIFICATE_INVALID);
  }

  @Test
  void read_unknownMediaType_isRefusedNamingBoth() throws Exception {
    Path config = TrustConfigs.write(tmp.resolve("t.json"), publicGood(), null);
    Files.writeString(
        config,
        Files.readString(config)
            .replace(
                TrustConfig.MEDIA_TYPE,
                "application/vnd.dev.sigstore.clienttrustconfig.v0.9+json"));

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TrustConfig.read(config));

    assertThat(e.getMessage())
        .contains("expected mediaType " + TrustConfig.MEDIA_TYPE)
        .contains("clienttrustconfig.v0.9+json");
  }

  @Test
  void read_missingTrustedRoot_isRefused() throws Exception {
    Path config = tmp.resolve("no-root.json");
    Files.writeString(
        config,
        "{\"mediaType\": \""
            + TrustConfig.MEDIA_TYPE
            + "\", \"signingConfig\": "
            + TrustConfigs.SIGNING_REKOR_V2
            + "}");

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TrustConfig.read(config));

    assertThat(e.getMessage()).contains("expected a trustedRoot object, found none");
  }

  @Test
  void read_bareTrustedRootGivenAsTrustConfig_isRefusedForItsKeys() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TrustConfig.read(publicGood()));

    assertThat(e.getMessage()).contains("expected only mediaType, trustedRoot and signingConfig");
  }

  @Test
  void read_signingConfigOfAnotherMediaType_isRefused() throws Exception {
    Path config =
        TrustConfigs.write(
            tmp.resolve("t.json"),
            publicGood(),
            TrustConfigs.SIGNING_REKOR_V2.replace("signingconfig.v0.2", "signingconfig.v0.1"));

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TrustConfig.read(config));

    assertThat(e.getMessage())
        .contains("expected mediaType " + TrustConfig.SIGNING_CONFIG_MEDIA_TYPE)
        .contains("signingconfig.v0.1");
  }

  @Test
  void read_duplicateKey_isRefusedAsMalformedJson() throws Exception {
    Path config = TrustConfigs.write(tmp.resolve("t.json"), publicGood(), null);
    String json = Files.readString(config, StandardCharsets.UTF_8);
    Files.writeString(
        config, json.replaceFirst("\\{", "{\"mediaType\": \"x\", "), StandardCharsets.UTF_8);

    assertThrows(IllegalArgumentException.class, () -> TrustConfig.read(config));
  }

  @Test
  void requireDsseSigning_rekorV1Only_throwsUnsupportedSayingWhy() throws Exception {
    Path config =
        TrustConfigs.write(
            tmp.resolve("v1.json"), publicGood(), TrustConfigs.SIGNING_REKOR_V1_ONLY);

    PipelineException e =
        assertThrows(PipelineException.class, () -> TrustConfig.read(config).requireDsseSigning());

    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
    assertThat(e.getMessage())
        .contains("expected a signing config with a Rekor v2 log and a timestamp authority")
        .contains("Rekor API versions [1] and no timestamp authority");
  }

  @Test
  void requireDsseSigning_noSigningConfig_throwsMalformed() throws Exception {
    Path config = TrustConfigs.write(tmp.resolve("verify-only.json"), publicGood(), null);

    PipelineException e =
        assertThrows(PipelineException.class, () -> TrustConfig.read(config).requireDsseSigning());

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).contains("expected a signingConfig");
  }

  @Test
  void build_trustedRootAndTrustConfigBoth_throwsIllegalState() throws Exception {
    Path config = TrustConfigs.write(tmp.resolve("t.json"), publicGood(), null);
    KeylessBundleVerifier.Builder b =
        KeylessBundleVerifier.builder()
            .trustedRoot(publicGood())
            .trustConfig(config)
            .requireSigner(IDENTITY, ISSUER);

    assertThrows(IllegalStateException.class, b::build);
  }
}
