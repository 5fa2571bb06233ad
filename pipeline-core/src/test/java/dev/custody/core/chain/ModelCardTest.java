package dev.custody.core.chain;

import static dev.custody.core.chain.Edits.F;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import dev.custody.core.Reason;
import dev.custody.core.VerificationException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelCardTest {
  @Test
  void parse_writtenCard_roundTrips() throws Exception {
    assertThat(ModelCard.parse(Samples.card().toJson())).isEqualTo(Samples.card());
  }

  @Test
  void toJson_writesFieldsInDocumentedOrder_andOmitsUnboundedEnds() {
    String json = new String(Samples.card().toJson(), StandardCharsets.UTF_8);

    assertThat(json)
        .containsSubsequence(
            "\"name\"",
            "\"version\"",
            "\"trainer\"",
            "\"labels\"",
            "\"features\"",
            "\"schema\"",
            "\"positiveLabel\"",
            "\"modelFile\"",
            "\"contentDigest\"",
            "\"dataset\"",
            "\"spec\"",
            "\"metrics\"")
        .endsWith("}\n")
        .doesNotContain("null")
        .doesNotContain("Infinity");
    JsonNode schema = parse(Samples.card()).get("schema");
    assertThat(schema.at("/numeric/0"))
        .hasToString("{\"column\":\"AGE\",\"min\":18.0,\"max\":120.0}");
    assertThat(schema.at("/numeric/1")).hasToString("{\"column\":\"LIMIT_BAL\",\"min\":0.0}");
    assertThat(schema.at("/numeric/2")).hasToString("{\"column\":\"BILL_AMT1\"}");
    assertThat(schema.at("/text/0")).hasToString("{\"column\":\"NOTE\"}");
  }

  static Stream<Arguments> unknownFields() {
    return Stream.of(
        arguments("/extra", "model-card.json: unknown field 'extra'"),
        arguments("/modelFile/size", "model-card.json.modelFile: unknown field 'size'"),
        arguments("/dataset/name", "model-card.json.dataset: unknown field 'name'"),
        arguments("/schema/ordinal", "model-card.json.schema: unknown field 'ordinal'"),
        arguments(
            "/schema/numeric/0/step", "model-card.json.schema.numeric[0]: unknown field 'step'"),
        arguments(
            "/schema/label/default", "model-card.json.schema.label: unknown field 'default'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unknownFields")
  void read_unknownField_isMalformed(String pointer, String message) {
    assertRefused(Edits.put("unknown", pointer, F.textNode("x")), message);
  }

  static Stream<Arguments> missingFields() {
    return Stream.of(
        arguments("/schema", "model-card.json.schema: expected an object, found nothing"),
        arguments(
            "/version", "model-card.json.version: expected a positive integer, found nothing"),
        arguments(
            "/modelFile/sha256",
            "model-card.json.modelFile.sha256: expected a non-empty string, found nothing"),
        arguments(
            "/schema/label/allowed",
            "model-card.json.schema.label.allowed: expected an array, found nothing"),
        arguments("/schema/text", "model-card.json.schema.text: expected an array, found nothing"),
        arguments("/metrics", "model-card.json.metrics: expected an object, found nothing"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("missingFields")
  void read_missingField_isMalformed(String pointer, String message) {
    assertRefused(Edits.remove("missing", pointer), message);
  }

  static Stream<Arguments> wrongTypes() {
    return Stream.of(
        arguments(
            "/version",
            F.textNode("3"),
            "model-card.json.version: expected a positive integer, found string"),
        arguments(
            "/version",
            F.numberNode(0),
            "model-card.json.version: expected a positive integer, found number 0"),
        arguments("/labels", F.textNode("0,1"), "model-card.json.labels: expected an array"),
        arguments(
            "/contentDigest",
            F.textNode("sha256:ab"),
            "model-card.json.contentDigest: expected a lower-case hex sha256"),
        arguments(
            "/schema/numeric/0/min",
            F.textNode("18"),
            "model-card.json.schema.numeric[0].min: expected a number"),
        arguments(
            "/schema/numeric/1/max",
            F.nullNode(),
            "model-card.json.schema.numeric[1].max: expected a number (an unbounded end is left out), found null"),
        arguments(
            "/schema/numeric/0/max",
            F.numberNode(1),
            "model-card.json.schema.numeric[0]: AGE: bad range [18.0, 1.0]"),
        arguments(
            "/schema/categorical/0/allowed",
            F.arrayNode().add("1").add("1"),
            "model-card.json.schema.categorical[0]: categorical SEX: value '1' is listed twice"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("wrongTypes")
  void read_wrongType_isMalformed(String pointer, JsonNode value, String message) {
    assertRefused(Edits.put("wrong", pointer, value), message);
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        arguments(
            "/features",
            F.arrayNode().add("SEX@1").add("AGE"),
            "model-card.json.features: expected sorted, distinct names, found 'SEX@1' before 'AGE'"),
        arguments(
            "/labels",
            F.arrayNode().add("0").add("0"),
            "model-card.json.labels: expected sorted, distinct names, found '0' before '0'"),
        arguments(
            "/positiveLabel",
            F.textNode("2"),
            "model-card.json.positiveLabel: expected one of [0, 1], found '2'"),
        arguments(
            "/modelFile/name",
            F.textNode("other.tribuo"),
            "model-card.json.modelFile.name: expected model.tribuo, found 'other.tribuo'"),
        arguments(
            "/schema/label/column",
            F.textNode("AGE"),
            "model-card.json.schema: column 'AGE' is declared twice"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("badValues")
  void read_duplicateOrInconsistentEntry_isMalformed(
      String pointer, JsonNode value, String message) {
    assertRefused(Edits.put("bad", pointer, value), message);
  }

  @Test
  void read_notJson_isMalformed() {
    assertThatThrownBy(
            () ->
                ModelCard.parse(
                    "{\"name\": \"a\", \"name\": \"b\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("model-card.json: not valid JSON");
  }

  @Test
  void new_modelFileNotTheLayoutsModel_isRefused() {
    ModelCard c = Samples.card();

    assertThatThrownBy(
            () ->
                new ModelCard(
                    c.name(),
                    c.version(),
                    c.trainer(),
                    c.labels(),
                    c.features(),
                    c.schema(),
                    c.positiveLabel(),
                    new ModelCard.FileRef("model.bin", c.modelFile().sha256()),
                    c.contentDigest(),
                    c.dataset(),
                    c.spec(),
                    c.metrics()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("modelFile must be model.tribuo, got model.bin");
  }

  private static ObjectNode parse(ModelCard card) {
    try {
      return (ObjectNode) Json.parse(card.toJson(), "card");
    } catch (dev.custody.core.PipelineException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertRefused(Edits edit, String message) {
    ObjectNode json = parse(Samples.card());
    edit.change().accept(json);
    byte[] bytes = Json.writePretty(json);

    assertThatThrownBy(() -> ModelCard.parse(bytes))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining(message);
  }

  @Test
  void parse_versionOne_isAccepted() throws Exception {
    ModelCard c = Samples.card();
    ModelCard v1 =
        new ModelCard(
            c.name(),
            1,
            c.trainer(),
            c.labels(),
            c.features(),
            c.schema(),
            c.positiveLabel(),
            c.modelFile(),
            c.contentDigest(),
            c.dataset(),
            c.spec(),
            c.metrics());

    assertThat(ModelCard.parse(v1.toJson()).version()).isEqualTo(1);
  }

  @Test
  void metrics_isACopyOfTheSignedMetrics() {
    ModelCard card = Samples.card();
    ObjectNode handedOut = (ObjectNode) card.metrics();
    handedOut.put("accuracy", 1.0);

    assertThat(card.metrics().path("accuracy").asDouble()).isEqualTo(0.8157);
  }
}
