package dev.custody.train.fit;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.RuntimeVersion;
import dev.custody.train.spec.TrainerSpec;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.protos.core.ModelProto;

/**
 * Tribuo 4.3.2 was built against protobuf-java 3.25; Custody runs it on 4.30.2 (sigstore-java's
 * version). For every model type Custody trains, the exported bytes must parse, deserialize and
 * predict exactly as the model that wrote them.
 */
class ProtobufCompatibilityTest {

  @Test
  void runtime_onClasspath_isProtobuf4302() {
    assertThat(List.of(RuntimeVersion.MAJOR, RuntimeVersion.MINOR, RuntimeVersion.PATCH))
        .containsExactly(4, 30, 2);
  }

  static Stream<Arguments> modelTypes() {
    return Stream.of(
        Arguments.of("logistic regression", CreditModels.LOGISTIC_REGRESSION),
        Arguments.of("L-BFGS logistic regression", CreditModels.LBFGS_LOGISTIC),
        Arguments.of("CART", CreditModels.CART),
        Arguments.of("random forest", CreditModels.RANDOM_FOREST),
        Arguments.of("histogram CART", CreditModels.HIST_CART),
        Arguments.of("histogram random forest", CreditModels.HIST_FOREST));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modelTypes")
  void protobufBytes_reloaded_predictIdentically(String name, TrainerSpec spec) throws Exception {
    Model<Label> original = CreditModels.model(spec);
    byte[] bytes = ModelContent.protobufBytes(original);

    Model<?> reloaded = reload(bytes);

    assertThat(reloaded.getClass()).isEqualTo(original.getClass());
    // Serialized again, the bytes differ (OLCUT numbers provenance in hash-map order); the content
    // digest does not.
    assertThat(ModelContent.digest(reloaded)).isEqualTo(ModelContent.digest(original));
    @SuppressWarnings("unchecked") // checked just above: same class, trained on Labels
    Model<Label> labels = (Model<Label>) reloaded;
    List<Example<Label>> rows = TribuoTables.examples(CreditData.split().test());
    List<Prediction<Label>> expected = original.predict(rows);
    List<Prediction<Label>> actual = labels.predict(rows);
    for (int i = 0; i < rows.size(); i++) {
      assertThat(actual.get(i).getOutput().getLabel())
          .as("row %d", i)
          .isEqualTo(expected.get(i).getOutput().getLabel());
      assertThat(scores(actual.get(i))).as("row %d", i).isEqualTo(scores(expected.get(i)));
    }
  }

  /** Test-only reload; in Custody only pipeline-verify's safe loader deserializes a model. */
  @SuppressForbidden
  private static Model<?> reload(byte[] bytes) throws Exception {
    return Model.deserialize(ModelProto.parseFrom(bytes));
  }

  private static List<String> scores(Prediction<Label> p) {
    return p.getOutputScores().values().stream()
        .map(l -> l.getLabel() + "=" + Double.doubleToLongBits(l.getScore()))
        .sorted()
        .toList();
  }
}
