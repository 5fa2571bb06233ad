package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: the ignore rules and link rules a model signature records are the ones verification
 * applies; unsigned files are tolerated only on request; links never lead out of the model; P-521
 * keys sign and verify.
 */
class Issue12SignatureRulesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  Path model;
  Path sig;
  SigningKey key;
  KeyBundleVerifier verifier;

  @BeforeEach
  void model() throws Exception {
    model = Files.createDirectories(dir.resolve("hf-model"));
    Files.createDirectories(model.resolve("d"));
    Files.writeString(model.resolve("weights.bin"), "weights");
    Files.writeString(model.resolve("d/config.json"), "{}");
    Files.writeString(
        model.resolve(".gitattributes"), "*.bin filter=lfs diff=lfs merge=lfs -text\n");
    sig = model.resolve(ModelSigning.DEFAULT_SIGNATURE);
    key = SigningKey.generate();
    verifier = KeyBundleVerifier.builder().trust(key.publicKey()).build();
  }

  private ModelManifest sign(ModelSignOptions options) throws Exception {
    return ModelSigning.sign(model, sig, BundleSigner.create(key), options);
  }

  private JsonNode serialization() throws Exception {
    return verifier
        .verifyStatement(Files.readAllBytes(sig))
        .statement()
        .predicate()
        .path("serialization");
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new TreeSet<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void sign_defaults_recordsGitPathsAndSignatureAsModelSigningDoes() throws Exception {
    sign(ModelSignOptions.builder().build());

    JsonNode ser = serialization();
    // model_signing v1.1.1 (fixture files-symlinks): the four git paths and the signature.
    assertThat(strings(ser.path("ignore_paths")))
        .isEqualTo(strings(fixtureSerialization("files-symlinks").path("ignore_paths")))
        .containsExactlyInAnyOrder(".git", ".gitattributes", ".github", ".gitignore", "model.sig");
    assertThat(ser.path("allow_symlinks").asBoolean(true)).isFalse();
  }

  @Test
  void sign_noIgnoreGitPaths_recordsOnlyTheSignatureAndSignsGitattributes() throws Exception {
    ModelManifest m = sign(ModelSignOptions.builder().includeGitPaths().build());

    assertThat(m.resources())
        .extracting(ModelManifest.Resource::name)
        .containsExactly(".gitattributes", "d/config.json", "weights.bin");
    // model_signing v1.1.1 (fixture files-no-ignore-git): ignore_paths [model.sig] only.
    assertThat(strings(serialization().path("ignore_paths")))
        .isEqualTo(strings(fixtureSerialization("files-no-ignore-git").path("ignore_paths")))
        .containsExactly("model.sig");
  }

  @Test
  void sign_noIgnoreGitPathsAndSignatureOutside_leavesIgnorePathsOutAsModelSigningDoes()
      throws Exception {
    sig = dir.resolve("outside.sig");
    sign(ModelSignOptions.builder().includeGitPaths().build());

    // model_signing writes the key only when something was ignored.
    assertThat(serialization().has("ignore_paths")).isFalse();
    assertThat(
            ModelSigning.verify(model, sig, verifier, ModelVerifyOptions.builder().build())
                .manifest()
                .resources())
        .extracting(ModelManifest.Resource::name)
        .contains(".gitattributes");
  }

  @Test
  void verify_signatureWithoutGitIgnores_verifiesGitattributesLikeAnyFile() throws Exception {
    sign(ModelSignOptions.builder().includeGitPaths().build());
    ModelSigning.verify(model, sig, verifier, ModelVerifyOptions.builder().build());

    Files.writeString(model.resolve(".gitattributes"), "*.bin -text\n");

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> ModelSigning.verify(model, sig, verifier, ModelVerifyOptions.builder().build()));
    assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH);
    assertThat(e.getMessage()).contains("changed: .gitattributes");
  }

  @Test
  void verify_signatureWithoutGitIgnores_gitDirectoryAdded_isAnExtraFile() throws Exception {
    sign(ModelSignOptions.builder().includeGitPaths().build());
    Files.createDirectories(model.resolve(".git"));
    Files.writeString(model.resolve(".git/HEAD"), "ref: refs/heads/main\n");

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> ModelSigning.verify(model, sig, verifier, ModelVerifyOptions.builder().build()));
    assertThat(e.getMessage()).contains("extra: .git/HEAD");
  }

  @Test
  void verify_defaultSignature_leavesGitPathsOutBecauseTheSignatureSaysSo() throws Exception {
    sign(ModelSignOptions.builder().build());
    Files.writeString(model.resolve(".gitattributes"), "changed after signing\n");

    VerifiedManifest v =
        ModelSigning.verify(model, sig, verifier, ModelVerifyOptions.builder().build());

    assertThat(v.ignoredFiles()).containsExactly(".gitattributes");
  }

  @Test
  void verify_extraFile_failsUnlessUnsignedFilesAreIgnoredAndThenListsIt() throws Exception {
    sign(ModelSignOptions.builder().build());
    Files.writeString(model.resolve("d/README.md"), "added after signing");

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> ModelSigning.verify(model, sig, verifier, ModelVerifyOptions.builder().build()));
    assertThat(e.getMessage()).contains("extra: d/README.md");

    VerifiedManifest v =
        ModelSigning.verify(
            model, sig, verifier, ModelVerifyOptions.builder().ignoreUnsignedFiles().build());
    assertThat(v.unsignedFiles()).containsExactly("d/README.md");
    assertThat(v.manifest().resources()).hasSize(2);
  }

  @Test
  void verify_ignoreUnsignedFiles_stillFailsForAMissingOrChangedSignedFile() throws Exception {
    sign(ModelSignOptions.builder().build());
    ModelVerifyOptions tolerant = ModelVerifyOptions.builder().ignoreUnsignedFiles().build();
    Files.writeString(model.resolve("weights.bin"), "weightz");

    VerificationException changed =
        assertThrows(
            VerificationException.class, () -> ModelSigning.verify(model, sig, verifier, tolerant));
    assertThat(changed.getMessage()).contains("changed: weights.bin");

    Files.delete(model.resolve("weights.bin"));
    VerificationException missing =
        assertThrows(
            VerificationException.class, () -> ModelSigning.verify(model, sig, verifier, tolerant));
    assertThat(missing.getMessage()).contains("missing: weights.bin");
  }

  @Test
  void signAndVerify_allowSymlinks_linkHashedAsItsTargetAndRecorded() throws Exception {
    Files.createSymbolicLink(model.resolve("link.bin"), Path.of("weights.bin"));

    ModelManifest m = sign(ModelSignOptions.builder().allowSymlinks().build());

    assertThat(serialization().path("allow_symlinks").asBoolean()).isTrue();
    assertThat(m.resources())
        .filteredOn(r -> r.name().equals("link.bin"))
        .extracting(ModelManifest.Resource::digest)
        .containsExactly(Sha256.of("weights".getBytes(StandardCharsets.UTF_8)));
    ModelSigning.verify(model, sig, verifier, ModelVerifyOptions.builder().allowSymlinks().build());
  }

  @Test
  void verify_signatureAllowsLinksButVerifierForbidsThem_failsNamingTheLink() throws Exception {
    Files.createSymbolicLink(model.resolve("link.bin"), Path.of("weights.bin"));
    sign(ModelSignOptions.builder().allowSymlinks().build());

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> ModelSigning.verify(model, sig, verifier, ModelVerifyOptions.builder().build()));

    assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH);
    assertThat(e.getMessage())
        .contains("link.bin is a symbolic link")
        .contains("this verifier does not follow them");
  }

  @Test
  void verify_verifierAllowsLinksButSignatureDoesNot_linkAddedIsRefused() throws Exception {
    sign(ModelSignOptions.builder().build());
    Files.createSymbolicLink(model.resolve("link.bin"), Path.of("weights.bin"));

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () ->
                ModelSigning.verify(
                    model, sig, verifier, ModelVerifyOptions.builder().allowSymlinks().build()));
    assertThat(e.getMessage()).contains("link.bin is a symbolic link (allow_symlinks is false)");
  }

  @Test
  void sign_linkOutOfTheModel_isRefusedWhateverTheFlagNamingLinkAndTarget() throws Exception {
    Path outside = Files.writeString(dir.resolve("secret.txt"), "not part of the model");
    Files.createSymbolicLink(model.resolve("up.bin"), Path.of("../secret.txt"));

    for (ModelSignOptions options :
        List.of(
            ModelSignOptions.builder().build(),
            ModelSignOptions.builder().allowSymlinks().build())) {
      PipelineException e = assertThrows(PipelineException.class, () -> sign(options));
      assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
      assertThat(e.getMessage())
          .contains("up.bin is a symbolic link to ../secret.txt")
          .contains(outside.toRealPath().toString())
          .contains("outside the model directory");
    }
    assertThat(sig).doesNotExist();
  }

  @Test
  void sign_chainOfLinksLeavingTheModel_isRefused() throws Exception {
    Files.writeString(dir.resolve("secret.txt"), "x");
    // d/hop.bin -> ../inner.bin -> ../secret.txt: each step looks local, the chain is not.
    Files.createSymbolicLink(model.resolve("inner.bin"), Path.of("../secret.txt"));
    Files.createSymbolicLink(model.resolve("d/hop.bin"), Path.of("../inner.bin"));

    PipelineException e =
        assertThrows(
            PipelineException.class,
            () -> sign(ModelSignOptions.builder().allowSymlinks().build()));

    assertThat(e.getMessage())
        .contains("d/hop.bin is a symbolic link to ../inner.bin")
        .contains("inner.bin is a symbolic link to ../secret.txt");
  }

  @Test
  void sign_absoluteLinkBackIntoTheModel_isHashedAsTheFile() throws Exception {
    Files.createSymbolicLink(
        model.resolve("abs.bin"), model.resolve("weights.bin").toAbsolutePath());

    ModelManifest m = sign(ModelSignOptions.builder().allowSymlinks().build());

    assertThat(m.resources()).extracting(ModelManifest.Resource::name).contains("abs.bin");
  }

  @Test
  void sign_danglingLink_isRefusedNamingItsTarget() throws Exception {
    Files.createSymbolicLink(model.resolve("gone.bin"), Path.of("deleted.bin"));

    PipelineException e =
        assertThrows(
            PipelineException.class,
            () -> sign(ModelSignOptions.builder().allowSymlinks().build()));

    assertThat(e.getMessage())
        .contains("gone.bin is a dangling symbolic link: its target deleted.bin does not exist");
  }

  @Test
  void verify_linkRepointedOutOfTheModelAfterSigning_isRefused() throws Exception {
    Files.createSymbolicLink(model.resolve("link.bin"), Path.of("weights.bin"));
    sign(ModelSignOptions.builder().allowSymlinks().build());
    Files.writeString(dir.resolve("weights.bin"), "weights");
    Files.delete(model.resolve("link.bin"));
    // Same bytes, but outside: refused before anything is hashed.
    Files.createSymbolicLink(model.resolve("link.bin"), Path.of("../weights.bin"));

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () ->
                ModelSigning.verify(
                    model, sig, verifier, ModelVerifyOptions.builder().allowSymlinks().build()));
    assertThat(e.getMessage()).contains("outside the model directory");
  }

  @Test
  void signAndVerify_p521Key_usesSha512AndVerifies() throws Exception {
    key = SigningKey.generate(Curve.P521);
    Path keyFile = dir.resolve("p521.key");
    key.save(keyFile, null);
    SigningKey loaded = SigningKey.load(keyFile, null);
    VerificationKey pub = VerificationKey.fromPem(SigningKey.publicKeyFile(keyFile));
    assertThat(pub.curve()).isEqualTo(Curve.P521);
    assertThat(pub.curve().keyDetails()).isEqualTo("PKIX_ECDSA_P521_SHA_512");
    verifier = KeyBundleVerifier.builder().trust(pub).build();

    ModelSigning.sign(model, sig, BundleSigner.create(loaded), ModelSignOptions.builder().build());
    VerifiedManifest v =
        ModelSigning.verify(model, sig, verifier, ModelVerifyOptions.builder().build());

    assertThat(v.signer()).isEqualTo("key " + pub.hint());
    // The DSSE signature is ECDSA over SHA-512 of the PAE, checked here with the JDK directly.
    JsonNode bundle = JSON.readTree(Files.readAllBytes(sig));
    JsonNode env = bundle.path("dsseEnvelope");
    byte[] payload = java.util.Base64.getDecoder().decode(env.path("payload").asText());
    byte[] signature =
        java.util.Base64.getDecoder().decode(env.path("signatures").get(0).path("sig").asText());
    java.security.Signature jca = java.security.Signature.getInstance("SHA512withECDSA");
    jca.initVerify(pub.jcaKey());
    jca.update(Dsse.pae(env.path("payloadType").asText(), payload));
    assertThat(jca.verify(signature)).isTrue();
  }

  @Test
  void verify_p521SignatureWithOtherP521Key_failsUntrusted() throws Exception {
    key = SigningKey.generate(Curve.P521);
    sign(ModelSignOptions.builder().build());
    KeyBundleVerifier other =
        KeyBundleVerifier.builder().trust(SigningKey.generate(Curve.P521).publicKey()).build();

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> ModelSigning.verify(model, sig, other, ModelVerifyOptions.builder().build()));
    assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_SIGNER);
  }

  @Test
  void fromStatement_withoutIgnorePaths_isNotRecordedAndRoundTripsWithoutTheKey() throws Exception {
    ModelManifest m = ModelManifest.hash(model, List.of(), false);
    assertThat(m.toStatement().predicate().path("serialization").has("ignore_paths")).isFalse();

    ModelManifest read = ModelManifest.fromStatement(m.toStatement());

    assertThat(read.ignorePathsRecorded()).isFalse();
    assertThat(new ArrayList<>(read.resources())).isEqualTo(m.resources());
  }

  private static JsonNode fixtureSerialization(String folder) throws Exception {
    Path fixture = Shared.require("fixtures/model-signing-generated/" + folder + "/model.sig");
    JsonNode bundle = JSON.readTree(Files.readAllBytes(fixture));
    byte[] payload =
        java.util.Base64.getDecoder().decode(bundle.path("dsseEnvelope").path("payload").asText());
    return JSON.readTree(payload).path("predicate").path("serialization");
  }
}
