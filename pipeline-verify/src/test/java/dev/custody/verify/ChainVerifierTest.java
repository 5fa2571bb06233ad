package dev.custody.verify;

import static dev.custody.verify.GoldenChains.A;
import static dev.custody.verify.GoldenChains.B;
import static dev.custody.verify.GoldenChains.ONE_ROW_CHANGED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.VerificationException;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.ChainLimits;
import dev.custody.core.chain.ModelCard;
import dev.custody.core.chain.Stage;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The chain verifier on the committed golden chains (see {@code chains/README.md}). */
class ChainVerifierTest {
  /** Built per test, so that mutation testing sees which test ran the policy code. */
  final ChainVerifier verifier = GoldenChains.verifier();

  /** Row 1 of the credit data, in the signed schema. */
  static final Map<String, String> ROW =
      Map.of(
          "LIMIT_BAL", "20000",
          "AGE", "24",
          "PAY_0", "2",
          "BILL_AMT1", "3913",
          "PAY_AMT1", "0",
          "SEX", "2");

  @TempDir Path work;

  @Test
  void verify_genuineChain_returnsProofOfEveryLink() throws Exception {
    Path dir = GoldenChains.chain(A);
    ModelCard card = ModelCard.parse(Files.readAllBytes(dir.resolve(ChainLayout.CARD_FILE)));

    VerifiedChain v = verifier.verify(dir);

    assertThat(v.name()).isEqualTo(GoldenChains.NAME);
    assertThat(v.version()).isEqualTo(2);
    assertThat(v.rootDigest())
        .isEqualTo(ChainEditor.statement(dir, ChainLayout.PROVENANCE).subjects().get(0).sha256());
    assertThat(v.datasetDigest()).isEqualTo(card.dataset());
    assertThat(v.card().contentDigest()).isEqualTo(card.contentDigest());
    assertThat(v.model().digest())
        .isEqualTo(Sha256.of(Files.readAllBytes(dir.resolve(ChainLayout.MODEL_FILE))));
    assertThat(v.modelSigner()).isEqualTo("key " + hint(Stage.TRAIN));
    assertThat(v.provenance().predicate().contentDigest()).isEqualTo(card.contentDigest());
    assertThat(v.provenance().signer()).contains(hint(Stage.TRAIN));
    assertThat(v.dataset().predicate().datasetDigest()).isEqualTo(card.dataset());
    assertThat(v.dataset().signer()).contains(hint(Stage.INGEST));
    assertThat(v.gate())
        .get()
        .extracting(g -> g.signer())
        .asString()
        .contains(hint(Stage.EVALUATE));
    assertThat(v.reproduction())
        .get()
        .extracting(g -> g.signer())
        .asString()
        .contains(hint(Stage.REPRODUCE));
    assertThat(v.links())
        .extracting(VerifiedChain.Link::what)
        .containsExactly(
            "model signature",
            "model",
            "model card",
            "training provenance",
            "dataset",
            "dependencies",
            "gate",
            "reproduction");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {A, B, ONE_ROW_CHANGED})
  void predict_committedRows_givesTheCommittedPredictionsExactly(String chain) throws Exception {
    VerifiedModel loaded = verifier.verify(GoldenChains.chain(chain)).load();
    JsonNode expected =
        Json.parse(
            Files.readAllBytes(GoldenChains.root().resolve("predictions").resolve(chain + ".json")),
            "predictions");

    assertThat(expected.size()).isGreaterThanOrEqualTo(5);
    for (JsonNode e : expected) {
      Map<String, String> row = new LinkedHashMap<>();
      e.get("row").properties().forEach(f -> row.put(f.getKey(), f.getValue().asText()));
      Map<String, Double> scores = new TreeMap<>();
      e.get("scores").properties().forEach(f -> scores.put(f.getKey(), f.getValue().asDouble()));

      Prediction p = loaded.predict(row);

      assertThat(p.label()).as("label of %s", row).isEqualTo(e.get("label").asText());
      assertThat(p.scores()).as("scores of %s", row).isEqualTo(scores);
    }
  }

  @Test
  void predict_rawRowInTheSignedSchema_givesALabelAndAScorePerLabel() throws Exception {
    VerifiedModel loaded = verifier.verify(GoldenChains.chain(A)).load();

    Prediction p = loaded.predict(ROW);

    assertThat(loaded.schema().featureColumns())
        .containsExactly("LIMIT_BAL", "AGE", "PAY_0", "BILL_AMT1", "PAY_AMT1", "SEX");
    assertThat(p.label()).isIn("0", "1");
    assertThat(p.scores()).containsOnlyKeys("0", "1");
  }

  @Test
  void predict_rawRowOutsideTheSignedSchema_throwsDataInvalidNamingTheColumn() throws Exception {
    VerifiedModel loaded = verifier.verify(GoldenChains.chain(A)).load();
    Map<String, String> old = new LinkedHashMap<>(ROW);
    old.put("AGE", "130");

    assertThatThrownBy(() -> loaded.predict(old))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.reason()).isEqualTo(Reason.DATA_INVALID))
        .hasMessage("column 'AGE': value out of range: expected a value in [18, 120], found 130");
  }

  @Test
  void load_modelFileReplacedAfterVerification_loadsTheVerifiedBytes() throws Exception {
    Path dir = GoldenChains.copy(GoldenChains.chain(A), work.resolve("swapped-after-verify"));
    VerifiedChain v = verifier.verify(dir);
    Prediction before = verifier.verify(GoldenChains.chain(A)).load().predict(ROW);

    Files.write(dir.resolve(ChainLayout.MODEL_FILE), new byte[] {1, 2, 3});

    VerifiedModel loaded = v.load();
    assertThat(loaded.digest()).isEqualTo(v.model().digest());
    assertThat(loaded.predict(ROW)).isEqualTo(before);
  }

  @Test
  void load_cardLabelsDifferFromTheModel_modelMismatch() throws Exception {
    Path dir =
        ChainEditor.of(A)
            .card(
                c -> {
                  c.putArray("labels").add("0").add("1").add("2");
                  return c;
                })
            .writeTo(work.resolve("card-with-extra-label"));
    VerifiedChain v = verifier.verify(dir);

    assertThatThrownBy(v::load)
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.MODEL_MISMATCH))
        .hasMessageContaining("label set differs");
  }

  @Test
  void verify_attestationLargerThanTheChainLimit_isMalformed() throws Exception {
    Path dir = GoldenChains.chain(A);
    long provenance = Files.size(dir.resolve(ChainLayout.PROVENANCE));
    ChainVerifier small =
        ChainVerifier.builder(TrustPolicy.load(GoldenChains.policy()))
            .chainLimits(ChainLimits.defaults().withMaxAttestationBytes(provenance - 1))
            .build();

    assertThatThrownBy(() -> small.verify(dir))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessage(
            ChainLayout.PROVENANCE
                + ": expected at most "
                + (provenance - 1)
                + " bytes, found more");
  }

  @Test
  void verify_attestationExactlyAtTheChainLimit_accepted() throws Exception {
    Path dir = GoldenChains.chain(A);
    long largest = 0;
    for (String f :
        java.util.List.of(
            ChainLayout.DATASET_ATTESTATION,
            ChainLayout.PROVENANCE,
            ChainLayout.GATE,
            ChainLayout.REPRODUCTION)) {
      largest = Math.max(largest, Files.size(dir.resolve(f)));
    }
    ChainVerifier exact =
        ChainVerifier.builder(TrustPolicy.load(GoldenChains.policy()))
            .chainLimits(ChainLimits.defaults().withMaxAttestationBytes(largest))
            .build();

    assertThat(exact.verify(dir).version()).isEqualTo(2);
  }

  @Test
  void verify_modelLargerThanTheChainLimit_isModelTooLarge() throws Exception {
    Path dir = GoldenChains.chain(A);
    long model = Files.size(dir.resolve(ChainLayout.MODEL_FILE));
    ChainVerifier small =
        ChainVerifier.builder(TrustPolicy.load(GoldenChains.policy()))
            .chainLimits(ChainLimits.defaults().withMaxModelBytes(model - 1))
            .build();

    assertThatThrownBy(() -> small.verify(dir))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.MODEL_TOO_LARGE))
        .hasMessageContaining(
            ChainLayout.MODEL_FILE + ": expected at most " + (model - 1) + " bytes");
  }

  @Test
  void verify_modelLargerThanTheModelLimit_modelTooLarge() throws Exception {
    ChainVerifier small =
        ChainVerifier.builder(TrustPolicy.load(GoldenChains.policy()))
            .modelLimits(ModelLimits.defaults().withMaxModelBytes(64))
            .build();

    assertThatThrownBy(() -> small.verify(GoldenChains.chain(A)))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.MODEL_TOO_LARGE));
  }

  @Test
  void verify_gateNotRequired_passesWithoutGateOrReproduction() throws Exception {
    Path dir = GoldenChains.copy(GoldenChains.chain(A), work.resolve("no-gate"));
    Files.delete(dir.resolve(ChainLayout.GATE));
    Files.delete(dir.resolve(ChainLayout.REPRODUCTION));
    TrustPolicy relaxed = GoldenChains.policyBuilder().insecureAcceptUngatedModels().build();

    VerifiedChain v = ChainVerifier.builder(relaxed).build().verify(dir);

    assertThat(v.gate()).isEmpty();
    assertThat(v.reproduction()).isEmpty();
    assertThat(v.links())
        .extracting(VerifiedChain.Link::what)
        .containsExactly(
            "model signature", "model", "model card", "training provenance", "dataset");
  }

  @Test
  void verify_gateRequiredButMissing_chainIncomplete() throws Exception {
    Path dir = GoldenChains.copy(GoldenChains.chain(A), work.resolve("gate-missing"));
    Files.delete(dir.resolve(ChainLayout.GATE));

    assertThatThrownBy(() -> verifier.verify(dir))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.CHAIN_INCOMPLETE))
        .hasMessageContaining(ChainLayout.GATE);
  }

  @Test
  void verify_changedModelByte_namesTheFileWithSignedAndFoundDigests() throws Exception {
    Path dir = GoldenChains.copy(GoldenChains.chain(A), work.resolve("one-byte"));
    byte[] bytes = Files.readAllBytes(dir.resolve(ChainLayout.MODEL_FILE));
    bytes[100] ^= 1;
    Files.write(dir.resolve(ChainLayout.MODEL_FILE), bytes);

    assertThatThrownBy(() -> verifier.verify(dir))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH))
        .hasMessageContaining("changed: model.tribuo (signed sha256:")
        .hasMessageContaining(", found sha256:");
  }

  @Test
  void verify_modelSignatureCarryingAnUntrustedKey_untrustedSignerNamingTheKey() throws Exception {
    Path dir = GoldenChains.copy(GoldenChains.chain(A), work.resolve("embedded-key"));
    Files.copy(
        GoldenChains.attack("model-sig-embeds-untrusted-key.sigstore.json"),
        dir.resolve(ChainLayout.SIGNATURE_FILE),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(() -> verifier.verify(dir))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_SIGNER))
        .hasMessageContaining(GoldenChains.attacker().publicKey().hint());
  }

  @Test
  void verify_untrustedSignerOfTheModelSignature_messageNamesTheFileAndTheStage() throws Exception {
    Path dir = GoldenChains.copy(GoldenChains.chain(A), work.resolve("embedded-key-named"));
    Files.copy(
        GoldenChains.attack("model-sig-embeds-untrusted-key.sigstore.json"),
        dir.resolve(ChainLayout.SIGNATURE_FILE),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(() -> verifier.verify(dir))
        .isInstanceOf(VerificationException.class)
        .hasMessageStartingWith(
            dir.toRealPath().resolve(ChainLayout.SIGNATURE_FILE) + " (train stage): signed by key")
        .hasMessageNotContaining("bundle:");
  }

  @Test
  void verify_dataFileOfTheProvenanceDiffersFromTheDatasetStatement_digestMismatch()
      throws Exception {
    // The dataset attestation (validly signed by the ingest key) lists a's data file; the
    // provenance trained on the one-row-changed file.
    byte[] realFiles =
        Json.write(
            ChainEditor.statement(GoldenChains.chain(A), ChainLayout.DATASET_ATTESTATION)
                .predicate()
                .get("files"));
    Path dir =
        ChainEditor.of(ONE_ROW_CHANGED)
            .dataset(
                d -> {
                  try {
                    d.set("files", Json.parse(realFiles, "files"));
                  } catch (dev.custody.core.PipelineException e) {
                    throw new IllegalStateException(e);
                  }
                  return d;
                })
            .writeTo(work.resolve("data-differs"));

    assertThatThrownBy(() -> verifier.verify(dir))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH))
        .hasMessageContaining("data");
  }

  @Test
  void verify_versionEqualToTheMinimumAndToTheOneInService_accepted() throws Exception {
    ChainVerifier atMinimum =
        ChainVerifier.builder(GoldenChains.policy(2)).versionInService(2).build();
    ChainVerifier lowest =
        ChainVerifier.builder(GoldenChains.policy(1)).versionInService(1).build();

    assertThat(atMinimum.verify(GoldenChains.chain(A)).version()).isEqualTo(2);
    assertThat(lowest.verify(GoldenChains.chain(B)).version()).isEqualTo(1);
  }

  @Test
  void policyBuilder_everySetterChained_buildsThePolicyItSays() throws Exception {
    Path lock = GoldenChains.root().resolve("deps.lock.json");
    TrustPolicy.Builder b = TrustPolicy.builder();
    for (Stage s : Stage.values()) {
      b = b.trustKey(s, GoldenChains.key(s).publicKey());
    }
    TrustPolicy locked =
        b.requireReproduction()
            .minModelVersion(2)
            .allowList(ModelAllowList.defaults())
            .dependencyLock(lock)
            .build();
    TrustPolicy allowed =
        TrustPolicy.builder()
            .trustKey(Stage.INGEST, GoldenChains.key(Stage.INGEST).publicKey())
            .trustKey(Stage.TRAIN, GoldenChains.key(Stage.TRAIN).publicKey())
            .insecureAcceptUngatedModels()
            .allowJarDigests(DependencyRuleTest.JARS.values())
            .build();

    assertThat(locked.minModelVersion()).isEqualTo(2);
    assertThat(locked.dependencyLock()).contains(lock);
    assertThat(ChainVerifier.builder(locked).build().verify(GoldenChains.chain(A)).version())
        .isEqualTo(2);
    assertThat(allowed.allowedJarDigests())
        .containsExactlyInAnyOrderElementsOf(DependencyRuleTest.JARS.values());
    // The policy trusts no evaluate or reproduce signer: b without its gate and reproduction
    // (present, they would be verified, and refused).
    Path ungated = GoldenChains.copy(GoldenChains.chain(B), work.resolve("b-ungated"));
    Files.delete(ungated.resolve(ChainLayout.GATE));
    Files.delete(ungated.resolve(ChainLayout.REPRODUCTION));
    assertThat(ChainVerifier.builder(allowed).build().verify(ungated).version()).isEqualTo(1);
  }

  @Test
  void verify_noSuchDirectory_noSuchFile() {
    assertThatThrownBy(() -> verifier.verify(work.resolve("absent")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void builder_versionInServiceZero_illegalArgument() throws Exception {
    TrustPolicy p = TrustPolicy.load(GoldenChains.policy());
    assertThatThrownBy(() -> ChainVerifier.builder(p).versionInService(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String hint(Stage stage) {
    return GoldenChains.key(stage).publicKey().hint();
  }
}
