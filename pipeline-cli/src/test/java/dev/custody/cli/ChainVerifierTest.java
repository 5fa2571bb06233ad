package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.cli.ChainFixture.Chain;
import dev.custody.cli.ChainFixture.Options;
import dev.custody.core.Reason;
import dev.custody.core.VerificationException;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.ChainLimits;
import dev.custody.core.chain.Stage;
import dev.custody.train.data.TrainingTable;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.TrustPolicy;
import dev.custody.verify.VerifiedChain;
import dev.custody.verify.VerifiedModel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.impl.ArrayExample;

class ChainVerifierTest {
  @TempDir static Path work;
  static ChainFixture.Keys keys;
  static ChainVerifier verifier;
  static Chain chain;

  @BeforeAll
  static void build() throws Exception {
    keys = new ChainFixture.Keys();
    keys.lock(work);
    Path policy =
        keys.policy(
            work,
            "policy.yaml",
            "require: {gatePassed: true, reproduced: true}\ndependencies: {lock: deps.lock.json}\n");
    verifier = ChainVerifier.builder(TrustPolicy.load(policy)).build();
    chain = ChainFixture.build(work.resolve("credit-rf-v1"), Options.defaults(), keys, work);
  }

  @Test
  void verify_genuineChain_returnsProofOfEveryLink() throws Exception {
    VerifiedChain v = verifier.verify(chain.dir());

    assertThat(v.name()).isEqualTo("credit-rf");
    assertThat(v.version()).isEqualTo(1);
    assertThat(v.rootDigest()).isEqualTo(chain.root());
    assertThat(v.datasetDigest()).isEqualTo(chain.dataset());
    assertThat(v.card().contentDigest()).isEqualTo(chain.contentDigest());
    assertThat(v.model().digest())
        .isEqualTo(dev.custody.core.Sha256.of(chain.trained().modelBytes()));
    assertThat(v.modelSigner()).isEqualTo("key " + keys.of(Stage.TRAIN).publicKey().hint());
    assertThat(v.provenance().predicate().contentDigest()).isEqualTo(chain.contentDigest());
    assertThat(v.provenance().signer()).contains(keys.of(Stage.TRAIN).publicKey().hint());
    assertThat(v.dataset().predicate().datasetDigest()).isEqualTo(chain.dataset());
    assertThat(v.dataset().signer()).contains(keys.of(Stage.INGEST).publicKey().hint());
    assertThat(v.gate())
        .get()
        .extracting(g -> g.signer())
        .asString()
        .contains(keys.of(Stage.EVALUATE).publicKey().hint());
    assertThat(v.reproduction())
        .get()
        .extracting(g -> g.signer())
        .asString()
        .contains(keys.of(Stage.REPRODUCE).publicKey().hint());
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

  @Test
  void load_genuineChain_predictsExactlyAsTheTrainedModel() throws Exception {
    VerifiedModel loaded = verifier.verify(chain.dir()).load();

    Model<Label> original = chain.trained().model();
    List<Example<Label>> examples = examples(chain.trained().test());
    List<Prediction<Label>> expected = original.predict(examples);
    List<Prediction<Label>> actual = loaded.tribuoModel().predict(examples);
    assertThat(actual).hasSize(examples.size());
    for (int i = 0; i < examples.size(); i++) {
      assertThat(actual.get(i).getOutput().getLabel())
          .isEqualTo(expected.get(i).getOutput().getLabel());
      assertThat(actual.get(i).getOutput().getScore())
          .isEqualTo(expected.get(i).getOutput().getScore());
    }
    assertThat(loaded.digest()).isEqualTo(dev.custody.core.Sha256.of(chain.trained().modelBytes()));
  }

  @Test
  void predict_rawRowInTheSignedSchema_givesALabelAndAScorePerLabel() throws Exception {
    VerifiedModel loaded = verifier.verify(chain.dir()).load();

    dev.custody.verify.Prediction p =
        loaded.predict(
            java.util.Map.of(
                "LIMIT_BAL",
                "20000",
                "AGE",
                "24",
                "PAY_0",
                "2",
                "BILL_AMT1",
                "3913",
                "PAY_AMT1",
                "0",
                "SEX",
                "2"));

    assertThat(loaded.schema().featureColumns())
        .containsExactly("LIMIT_BAL", "AGE", "PAY_0", "BILL_AMT1", "PAY_AMT1", "SEX");
    assertThat(p.label()).isIn("0", "1");
    assertThat(p.scores()).containsOnlyKeys("0", "1");
  }

  @Test
  void predict_rawRowOutsideTheSignedSchema_throwsDataInvalidNamingTheColumn() throws Exception {
    VerifiedModel loaded = verifier.verify(chain.dir()).load();

    assertThatThrownBy(
            () ->
                loaded.predict(
                    java.util.Map.of(
                        "LIMIT_BAL",
                        "20000",
                        "AGE",
                        "130",
                        "PAY_0",
                        "2",
                        "BILL_AMT1",
                        "3913",
                        "PAY_AMT1",
                        "0",
                        "SEX",
                        "2")))
        .isInstanceOfSatisfying(
            dev.custody.verify.InvalidInputException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.DATA_INVALID))
        .hasMessage("column 'AGE': value out of range: expected a value in [18, 120], found 130");
  }

  @Test
  void load_modelFileReplacedAfterVerification_loadsTheVerifiedBytes() throws Exception {
    Path dir = work.resolve("swapped-after-verify");
    ChainFixture.copy(chain.dir(), dir);
    VerifiedChain v = verifier.verify(dir);

    Files.write(dir.resolve(ChainLayout.MODEL_FILE), new byte[] {1, 2, 3});

    VerifiedModel loaded = v.load();
    assertThat(loaded.digest()).isEqualTo(v.model().digest());
    assertThat(
            loaded
                .tribuoModel()
                .predict(examples(chain.trained().test()).get(0))
                .getOutput()
                .getLabel())
        .isIn("0", "1");
  }

  @Test
  void load_cardLabelsDifferFromTheModel_modelMismatch() throws Exception {
    Chain lying =
        ChainFixture.build(
            work.resolve("card-with-extra-label"),
            Options.defaults()
                .card(
                    c -> {
                      c.putArray("labels").add("0").add("1").add("2");
                      return c;
                    }),
            keys,
            work);
    VerifiedChain v = verifier.verify(lying.dir());

    assertThatThrownBy(v::load)
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("label set differs")
        .satisfies(
            e -> assertThat(((VerificationException) e).reason()).isEqualTo(Reason.MODEL_MISMATCH));
  }

  @Test
  void verify_attestationLargerThanTheChainLimit_isMalformed() throws Exception {
    long provenance = Files.size(chain.dir().resolve(ChainLayout.PROVENANCE));
    ChainVerifier small =
        ChainVerifier.builder(TrustPolicy.load(work.resolve("policy.yaml")))
            .chainLimits(ChainLimits.defaults().withMaxAttestationBytes(provenance - 1))
            .build();

    assertThatThrownBy(() -> small.verify(chain.dir()))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessage(
            ChainLayout.PROVENANCE
                + ": expected at most "
                + (provenance - 1)
                + " bytes, found more");
  }

  @Test
  void verify_modelLargerThanTheChainLimit_isModelTooLarge() throws Exception {
    long model = Files.size(chain.dir().resolve(ChainLayout.MODEL_FILE));
    ChainVerifier small =
        ChainVerifier.builder(TrustPolicy.load(work.resolve("policy.yaml")))
            .chainLimits(ChainLimits.defaults().withMaxModelBytes(model - 1))
            .build();

    assertThatThrownBy(() -> small.verify(chain.dir()))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.MODEL_TOO_LARGE))
        .hasMessageContaining(
            ChainLayout.MODEL_FILE + ": expected at most " + (model - 1) + " bytes");
  }

  @Test
  void verify_gateNotRequired_passesWithoutGateOrReproduction() throws Exception {
    Path relaxed = keys.policy(work, "relaxed.yaml", "require: {gatePassed: false}\n");
    Path dir = work.resolve("no-gate");
    ChainFixture.copy(chain.dir(), dir);
    Files.delete(dir.resolve(ChainLayout.GATE));
    Files.delete(dir.resolve(ChainLayout.REPRODUCTION));

    VerifiedChain v = ChainVerifier.builder(TrustPolicy.load(relaxed)).build().verify(dir);

    assertThat(v.gate()).isEmpty();
    assertThat(v.reproduction()).isEmpty();
    assertThat(v.links())
        .extracting(VerifiedChain.Link::what)
        .containsExactly(
            "model signature", "model", "model card", "training provenance", "dataset");
  }

  @Test
  void verify_gateRequiredButMissing_chainIncomplete() throws Exception {
    Path dir = work.resolve("gate-missing");
    ChainFixture.copy(chain.dir(), dir);
    Files.delete(dir.resolve(ChainLayout.GATE));

    assertThatThrownBy(() -> verifier.verify(dir))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining(ChainLayout.GATE)
        .satisfies(
            e ->
                assertThat(((VerificationException) e).reason())
                    .isEqualTo(Reason.CHAIN_INCOMPLETE));
  }

  @Test
  void verify_changedModelByte_namesTheFileWithSignedAndFoundDigests() throws Exception {
    Path dir = work.resolve("one-byte");
    ChainFixture.copy(chain.dir(), dir);
    byte[] bytes = Files.readAllBytes(dir.resolve(ChainLayout.MODEL_FILE));
    bytes[100] ^= 1;
    Files.write(dir.resolve(ChainLayout.MODEL_FILE), bytes);

    assertThatThrownBy(() -> verifier.verify(dir))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("changed: model.tribuo (signed sha256:")
        .hasMessageContaining(", found sha256:")
        .satisfies(
            e ->
                assertThat(((VerificationException) e).reason())
                    .isEqualTo(Reason.MANIFEST_MISMATCH));
  }

  @Test
  void verify_modelLargerThanTheLimit_modelTooLarge() throws Exception {
    ChainVerifier small =
        ChainVerifier.builder(TrustPolicy.load(work.resolve("policy.yaml")))
            .modelLimits(dev.custody.verify.ModelLimits.defaults().withMaxModelBytes(64))
            .build();
    assertThatThrownBy(() -> small.verify(chain.dir()))
        .isInstanceOf(VerificationException.class)
        .satisfies(
            e ->
                assertThat(((VerificationException) e).reason()).isEqualTo(Reason.MODEL_TOO_LARGE));
  }

  @Test
  void verify_noSuchDirectory_noSuchFile() {
    assertThatThrownBy(() -> verifier.verify(work.resolve("absent")))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void builder_versionInServiceZero_illegalArgument() throws Exception {
    TrustPolicy p = TrustPolicy.load(work.resolve("policy.yaml"));
    assertThatThrownBy(() -> ChainVerifier.builder(p).versionInService(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  static List<Example<Label>> examples(TrainingTable table) {
    return table.rows().stream()
        .map(
            r -> {
              double[] values = r.values().stream().mapToDouble(Double::doubleValue).toArray();
              return (Example<Label>)
                  new ArrayExample<>(
                      new Label(r.label()), r.names().toArray(String[]::new), values);
            })
        .toList();
  }
}
