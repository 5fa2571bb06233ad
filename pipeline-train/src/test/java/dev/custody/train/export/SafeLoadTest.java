package dev.custody.train.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.BundleSigner;
import dev.custody.core.KeyBundleVerifier;
import dev.custody.core.ModelSigning;
import dev.custody.core.SigningKey;
import dev.custody.core.VerifiedManifest;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.evaluate.Evaluator;
import dev.custody.train.fit.CreditData;
import dev.custody.train.fit.CreditModels;
import dev.custody.train.fit.ModelContent;
import dev.custody.train.spec.TrainerSpec;
import dev.custody.verify.LoadedModel;
import dev.custody.verify.ModelAllowList;
import dev.custody.verify.ModelArtifacts;
import dev.custody.verify.ModelExpectations;
import dev.custody.verify.ModelLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * Every model type Custody's trainers produce loads through pipeline-verify's safe loader with the
 * default allow-list, and predicts on the test rows exactly as the model that was exported.
 */
class SafeLoadTest {
  @TempDir Path dir;

  static Stream<Arguments> modelTypes() {
    return Stream.of(
        Arguments.of("logistic regression", CreditModels.LOGISTIC_REGRESSION),
        Arguments.of("CART", CreditModels.CART),
        Arguments.of("random forest", CreditModels.RANDOM_FOREST));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modelTypes")
  void load_signedTrainerOutput_passesDefaultAllowListAndPredictsTheSame(String name, TrainerSpec spec)
      throws Exception {
    Model<Label> original = CreditModels.model(spec);
    Files.write(dir.resolve("model.tribuo"), ModelContent.protobufBytes(original));
    SigningKey key = SigningKey.generate();
    ModelSigning.sign(dir, dir.resolve("model.sig"), BundleSigner.create(key), List.of());
    VerifiedManifest verified =
        ModelSigning.verify(
            dir, dir.resolve("model.sig"), KeyBundleVerifier.builder().trust(key.publicKey()).build(), List.of());

    LoadedModel loaded =
        ModelLoader.load(
            ModelArtifacts.readVerified(verified, dir, "model.tribuo"),
            ModelExpectations.of(CreditData.LABELS, CreditData.split().train().featureNames()),
            ModelAllowList.defaults());

    TrainingTable test = CreditData.split().test();
    assertThat(Evaluator.evaluate(loaded.model(), test, CreditData.POSITIVE))
        .isEqualTo(Evaluator.evaluate(original, test, CreditData.POSITIVE));
  }
}
