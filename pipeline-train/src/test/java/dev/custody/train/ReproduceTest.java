package dev.custody.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.BundleSigner;
import dev.custody.core.KeyBundleVerifier;
import dev.custody.core.ModelManifest;
import dev.custody.core.ModelSigning;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.SigningKey;
import dev.custody.core.Statement;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.ModelCard;
import dev.custody.core.chain.Stage;
import dev.custody.train.spec.Fixtures;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.TrustPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Pipeline.reproduce} on the real credit data: an untouched model is reproduced and gets a
 * signed verification summary; a model whose files were swapped, or that its signer altered, or
 * whose data changed, is refused and no summary is written.
 */
class ReproduceTest {
  @TempDir static Path shared;
  static SigningKey key;
  static TrustPolicy policy;
  static Path specDir;
  static Path csv;
  static TrainedModel original;
  static TrainedModel other;

  @TempDir Path dir;
  Path model;

  @BeforeAll
  static void trainTwoModels() throws Exception {
    specDir = Files.createDirectory(shared.resolve("specs"));
    csv = specDir.resolve("credit.csv");
    Files.copy(Chain.creditCsv(), csv);
    key = SigningKey.generate();
    policy = Chain.trusting(key.publicKey());
    PipelineSpec a = Chain.creditSpec(specDir, "credit-cart", csv, Chain.FAST_TRAINER, "");
    original =
        Pipeline.create().run(a, policy, Chain.signers(key), shared.resolve("credit-cart-v1"));
    PipelineSpec b =
        Chain.creditSpec(
            specDir, "credit-cart2", csv, "{type: cart, params: {maxDepth: 2, minLeaf: 100}}", "");
    other = Pipeline.create().run(b, policy, Chain.signers(key), shared.resolve("credit-cart2-v1"));
  }

  @BeforeEach
  void copyOfTheModel() throws Exception {
    model = dir.resolve("credit-cart-v1");
    Chain.copyTree(original.directory(), model);
  }

  @Test
  void reproduce_untouchedModel_writesSummaryThatVerifiesAndKeepsTheSignatureValid()
      throws Exception {
    Chain.Steps steps = new Chain.Steps();

    Reproduction r =
        Pipeline.builder()
            .progress(steps)
            .build()
            .reproduce(model, specDir, policy, Chain.signers(key));

    assertThat(r.reproducedContentDigest()).isEqualTo(original.card().contentDigest());
    assertThat(r.rootDigest()).isEqualTo(original.rootDigest());
    assertThat(r.summary()).isEqualTo(model.resolve(ChainLayout.REPRODUCTION));
    Statement vsa =
        policy
            .verifyStatement(
                Stage.REPRODUCE, Files.readAllBytes(r.summary()), original.rootDigest())
            .statement();
    JsonNode p = vsa.predicate();
    assertThat(vsa.predicateType()).isEqualTo("https://slsa.dev/verification_summary/v1");
    assertThat(vsa.subjects())
        .containsExactly(Statement.Subject.of("credit-cart", original.rootDigest()));
    assertThat(p.path("verifier").path("id").asText()).isEqualTo("https://custody.dev/reproduce");
    assertThat(p.path("resourceUri").asText()).isEqualTo("credit-cart");
    assertThat(p.path("policy").path("uri").asText()).isEqualTo("https://custody.dev/reproduce/v1");
    assertThat(p.path("policy").path("digest").path("sha256").asText())
        .isEqualTo(original.card().spec().sha256().hex());
    assertThat(p.path("inputAttestations").path(0).path("uri").asText())
        .isEqualTo(ChainLayout.PROVENANCE);
    assertThat(p.path("inputAttestations").path(0).path("digest").path("sha256").asText())
        .isEqualTo(Sha256.of(Files.readAllBytes(model.resolve(ChainLayout.PROVENANCE))).hex());
    assertThat(p.path("verificationResult").asText()).isEqualTo("PASSED");
    assertThat(p.path("verifiedLevels").path(0).asText()).isEqualTo("SLSA_BUILD_LEVEL_1");
    assertThat(p.path("slsaVersion").asText()).isEqualTo("1.0");
    assertThat(p.path("custody").path("contentDigest").asText())
        .isEqualTo(original.card().contentDigest().hex());
    assertThat(p.path("custody").path("reproducedContentDigest").asText())
        .isEqualTo(original.card().contentDigest().hex());
    assertThat(p.path("timeVerified").asText()).endsWith("Z");
    ModelSigning.verify(
        model,
        model.resolve(ChainLayout.SIGNATURE_FILE),
        KeyBundleVerifier.builder().trust(key.publicKey()).build(),
        List.of());
    assertThat(steps.names())
        .containsExactly("verify", "read", "screen", "merkle", "classpath", "train", "sign");
  }

  @Test
  void reproduce_modelFileSwappedForAnothersSignedModel_refusedAsManifestMismatch()
      throws Exception {
    Files.copy(
        other.directory().resolve(ChainLayout.MODEL_FILE),
        model.resolve(ChainLayout.MODEL_FILE),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    PipelineException e = refused();

    assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH);
    assertThat(e.getMessage()).contains("changed: model.tribuo");
  }

  @Test
  void reproduce_modelCardAndSignatureSwappedForAnothersSignedSet_refusedByTheProvenance()
      throws Exception {
    for (String f :
        List.of(ChainLayout.MODEL_FILE, ChainLayout.CARD_FILE, ChainLayout.SIGNATURE_FILE)) {
      Files.copy(
          other.directory().resolve(f),
          model.resolve(f),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    PipelineException e = refused();

    assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH);
    assertThat(e.getMessage()).contains("expected a statement about " + other.rootDigest());
  }

  @Test
  void reproduce_modelReplacedAndResignedByTheKeyHolder_refusedAsReproductionMismatch()
      throws Exception {
    // Someone holding the training key swaps in another model and signs a consistent chain for it.
    byte[] otherModel = Files.readAllBytes(other.directory().resolve(ChainLayout.MODEL_FILE));
    Files.write(model.resolve(ChainLayout.MODEL_FILE), otherModel);
    ModelCard c = original.card();
    ModelCard forged =
        new ModelCard(
            c.name(),
            c.version(),
            c.trainer(),
            c.labels(),
            other.card().features(),
            c.schema(),
            c.positiveLabel(),
            new ModelCard.FileRef(c.modelFile().name(), Sha256.of(otherModel)),
            other.card().contentDigest(),
            c.dataset(),
            c.spec(),
            c.metrics());
    Files.write(model.resolve(ChainLayout.CARD_FILE), forged.toJson());
    ModelManifest m =
        ModelSigning.sign(
            model,
            model.resolve(ChainLayout.SIGNATURE_FILE),
            BundleSigner.create(key),
            List.of(ChainLayout.ATTESTATIONS));
    Statement prov =
        policy
            .verifyStatement(
                Stage.TRAIN,
                Files.readAllBytes(model.resolve(ChainLayout.PROVENANCE)),
                original.rootDigest())
            .statement();
    ObjectNode predicate = (ObjectNode) prov.predicate();
    ((ObjectNode) predicate.path("runDetails").path("byproducts").path(0).path("digest"))
        .put("sha256", other.card().contentDigest().hex());
    Statement resigned =
        new Statement(
            List.of(Statement.Subject.of(c.name(), m.rootDigest())),
            prov.predicateType(),
            predicate);
    byte[] resignedProvenance = BundleSigner.create(key).signStatement(resigned);
    Files.write(model.resolve(ChainLayout.PROVENANCE), resignedProvenance);
    // ... and a gate attestation for the swapped model, so the whole chain is consistent.
    Statement gate =
        policy
            .verifyStatement(
                Stage.EVALUATE,
                Files.readAllBytes(model.resolve(ChainLayout.GATE)),
                original.rootDigest())
            .statement();
    ObjectNode gatePredicate = (ObjectNode) gate.predicate();
    ((ObjectNode) gatePredicate.path("provenance"))
        .put("sha256", Sha256.of(resignedProvenance).hex());
    gatePredicate.put("contentDigest", other.card().contentDigest().hex());
    Files.write(
        model.resolve(ChainLayout.GATE),
        BundleSigner.create(key)
            .signStatement(
                new Statement(
                    List.of(Statement.Subject.of(c.name(), m.rootDigest())),
                    gate.predicateType(),
                    gatePredicate)));

    PipelineException e = refused();

    assertThat(e.reason()).isEqualTo(Reason.REPRODUCTION_MISMATCH);
    assertThat(e.getMessage())
        .startsWith(
            "model differs: signed content "
                + other.card().contentDigest()
                + ", re-run "
                + original.card().contentDigest())
        .contains("spec, data and dependencies are the same, so the model itself differs");
  }

  @Test
  void reproduce_modelRewrittenCardStillClaimingTheOldContent_refusedAsDigestMismatch()
      throws Exception {
    // Issue 8, W1: the train key holder rewrites model.tribuo, updates only the card's
    // modelFile.sha256, and re-signs model and chain; the card still claims the original content,
    // which a re-run reproduces. The claim must be checked against the model bytes.
    byte[] otherModel = Files.readAllBytes(other.directory().resolve(ChainLayout.MODEL_FILE));
    Files.write(model.resolve(ChainLayout.MODEL_FILE), otherModel);
    ModelCard c = original.card();
    ModelCard forged =
        new ModelCard(
            c.name(),
            c.version(),
            c.trainer(),
            c.labels(),
            c.features(),
            c.schema(),
            c.positiveLabel(),
            new ModelCard.FileRef(c.modelFile().name(), Sha256.of(otherModel)),
            c.contentDigest(),
            c.dataset(),
            c.spec(),
            c.metrics());
    Files.write(model.resolve(ChainLayout.CARD_FILE), forged.toJson());
    Files.delete(model.resolve(ChainLayout.SIGNATURE_FILE));
    ModelManifest m =
        ModelSigning.sign(
            model,
            model.resolve(ChainLayout.SIGNATURE_FILE),
            BundleSigner.create(key),
            List.of(ChainLayout.ATTESTATIONS));
    byte[] provenance = resign(ChainLayout.PROVENANCE, Stage.TRAIN, m.rootDigest(), p -> {});
    resign(
        ChainLayout.GATE,
        Stage.EVALUATE,
        m.rootDigest(),
        g -> ((ObjectNode) g.path("provenance")).put("sha256", Sha256.of(provenance).hex()));

    PipelineException e = refused();

    assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH);
    assertThat(e.getMessage())
        .isEqualTo(
            ChainLayout.CARD_FILE
                + ": contentDigest "
                + c.contentDigest()
                + " != the content digest of "
                + ChainLayout.MODEL_FILE
                + " "
                + other.card().contentDigest());
  }

  /** Re-signs an attestation of the original model about {@code root}, edited by {@code edit}. */
  private byte[] resign(
      String file, Stage stage, Sha256 root, java.util.function.Consumer<ObjectNode> edit)
      throws Exception {
    Statement st =
        policy
            .verifyStatement(stage, Files.readAllBytes(model.resolve(file)), original.rootDigest())
            .statement();
    ObjectNode predicate = (ObjectNode) st.predicate();
    edit.accept(predicate);
    byte[] bundle =
        BundleSigner.create(key)
            .signStatement(
                new Statement(
                    List.of(Statement.Subject.of(original.card().name(), root)),
                    st.predicateType(),
                    predicate));
    Files.write(model.resolve(file), bundle);
    return bundle;
  }

  @Test
  void reproduce_dataChangedSinceTraining_refusedAsReproductionMismatchNamingTheData()
      throws Exception {
    // The signed spec names its data relative to the spec's directory: here, one changed value.
    Path changedDir = Files.createDirectory(dir.resolve("elsewhere"));
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    String[] cells = lines.get(5).split(",", -1);
    cells[1] = String.valueOf(Long.parseLong(cells[1]) + 10_000);
    lines.set(5, String.join(",", cells));
    Files.writeString(
        changedDir.resolve("credit.csv"), String.join("\r\n", lines), StandardCharsets.UTF_8);

    PipelineException e =
        catchThrowableOfType(
            PipelineException.class,
            () -> Pipeline.create().reproduce(model, changedDir, policy, Chain.signers(key)));

    assertThat(e.reason()).isEqualTo(Reason.REPRODUCTION_MISMATCH);
    assertThat(e.getMessage())
        .startsWith(
            "data differs: digest mismatch: credit.csv expected "
                + "sha256:"
                + Fixtures.CREDIT_SHA256);
    assertThat(model.resolve(ChainLayout.REPRODUCTION)).doesNotExist();
  }

  @Test
  void reproduce_policyTrustsAnotherKey_refusedAsUntrustedSigner() throws Exception {
    TrustPolicy otherPolicy = Chain.trusting(SigningKey.generate().publicKey());

    PipelineException e =
        catchThrowableOfType(
            PipelineException.class,
            () -> Pipeline.create().reproduce(model, specDir, otherPolicy, Chain.signers(key)));

    assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_SIGNER);
    assertThat(model.resolve(ChainLayout.REPRODUCTION)).doesNotExist();
  }

  private PipelineException refused() {
    PipelineException e =
        catchThrowableOfType(
            PipelineException.class,
            () -> Pipeline.create().reproduce(model, specDir, policy, Chain.signers(key)));
    assertThat(e).as("reproduction must be refused").isNotNull();
    assertThat(model.resolve(ChainLayout.REPRODUCTION)).doesNotExist();
    return e;
  }
}
