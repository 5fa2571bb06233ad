package dev.custody.core.chain;

import static dev.custody.core.chain.Edits.F;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.custody.core.Reason;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProvenanceTest {

  @Test
  void read_writtenStatement_roundTrips() throws Exception {
    Statement parsed = Statement.parse(written().toJson());

    assertThat(Provenance.read(parsed)).isEqualTo(Samples.provenance());
  }

  @Test
  void statement_writesTheDocumentedShape() {
    String json = new String(written().toJson(), java.nio.charset.StandardCharsets.UTF_8);

    assertThat(written().predicateType()).isEqualTo(Stage.TRAIN.predicateType());
    assertThat(json)
        .contains(
            "{\"buildDefinition\":{\"buildType\":\"https://custody.dev/train/v1\",\"externalParameters\":"
                + "{\"spec\":{\"name\":\"credit-rf.yaml\",\"digest\":{\"sha256\":\""
                + Samples.SPEC.hex()
                + "\"},"
                + "\"content\":\"name: credit-rf\\n\"},\"seed\":42},")
        .contains(
            "{\"name\":\"dataset-attestation\",\"uri\":\"attestations/dataset.sigstore.json\",")
        .contains("{\"name\":\"data:b.csv\",\"uri\":\"sub/b.csv\",")
        .containsSubsequence("\"jar:alpha-1.0.jar\"", "\"jar:beta-2.0.jar\"", "\"dir:classes\"")
        .contains("\"startedOn\":\"2026-11-23T00:00:00.123Z\"")
        .contains("\"builder\":{\"id\":\"https://custody.dev/builder/custody@0.1.0\"}");
  }

  static Stream<Arguments> unknownFields() {
    return Stream.of(
        arguments("/extra", "provenance predicate: unknown field 'extra'"),
        arguments("/buildDefinition/extra", "provenance predicate.buildDefinition: unknown field"),
        arguments(
            "/buildDefinition/externalParameters/spec/extra",
            "externalParameters.spec: unknown field"),
        arguments(
            "/buildDefinition/resolvedDependencies/1/uri",
            "resolvedDependencies[1]: unknown field 'uri'"),
        arguments("/runDetails/metadata/extra", "runDetails.metadata: unknown field"),
        arguments(
            "/runDetails/byproducts/0/mediaType",
            "runDetails.byproducts[0]: unknown field 'mediaType'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unknownFields")
  void read_unknownField_isMalformed(String pointer, String message) {
    Statement st = Edits.put("unknown", pointer, F.textNode("x")).applyTo(written());

    assertRefused(st, Reason.MALFORMED, message);
  }

  static Stream<Arguments> missingFields() {
    return Stream.of(
        arguments(
            "/runDetails", "provenance predicate.runDetails: expected an object, found nothing"),
        arguments(
            "/buildDefinition/externalParameters/seed",
            "buildDefinition.externalParameters.seed: expected an integer"),
        arguments(
            "/buildDefinition/externalParameters/spec/content",
            "externalParameters.spec.content: expected a non-empty string"),
        arguments(
            "/buildDefinition/internalParameters/tribuoVersion",
            "internalParameters.tribuoVersion"),
        arguments("/buildDefinition/resolvedDependencies/0/uri", "resolvedDependencies[0].uri"),
        arguments(
            "/buildDefinition/resolvedDependencies/1",
            "expected entries 'dataset-attestation' and 'dataset', found no 'dataset'"),
        arguments(
            "/runDetails/byproducts/0",
            "runDetails.byproducts: expected a 'model-content-digest' entry, found none"),
        arguments("/runDetails/metadata/finishedOn", "runDetails.metadata.finishedOn"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("missingFields")
  void read_missingField_isMalformed(String pointer, String message) {
    Statement st = Edits.remove("missing", pointer).applyTo(written());

    assertRefused(st, Reason.MALFORMED, message);
  }

  @Test
  void read_noDataEntry_isMalformed() {
    Statement st =
        Edits.remove("b", "/buildDefinition/resolvedDependencies/2")
            .applyTo(
                Edits.remove("a", "/buildDefinition/resolvedDependencies/2").applyTo(written()));

    assertRefused(st, Reason.MALFORMED, "expected at least one 'data:' entry, found none");
  }

  static Stream<Arguments> wrongTypes() {
    return Stream.of(
        arguments(
            "/buildDefinition/externalParameters/seed",
            F.textNode("42"),
            "externalParameters.seed: expected an integer, found string"),
        arguments(
            "/buildDefinition/resolvedDependencies",
            F.objectNode(),
            "buildDefinition.resolvedDependencies: expected an array"),
        arguments(
            "/buildDefinition/resolvedDependencies/1/digest/sha256",
            F.textNode("ABC"),
            "resolvedDependencies[1].digest.sha256: expected a lower-case hex sha256"),
        arguments(
            "/runDetails/metadata/startedOn",
            F.textNode("yesterday"),
            "runDetails.metadata.startedOn: expected an RFC 3339 time"),
        arguments(
            "/runDetails/byproducts/1/content",
            F.textNode("not base64!"),
            "runDetails.byproducts[1].content: expected base64"),
        arguments(
            "/runDetails/builder/id",
            F.textNode("https://example.com/builder"),
            "runDetails.builder.id: expected https://custody.dev/builder/custody@VERSION"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wrongTypes")
  void read_wrongType_isMalformed(
      String pointer, com.fasterxml.jackson.databind.JsonNode value, String message) {
    Statement st = Edits.put("wrong", pointer, value).applyTo(written());

    assertRefused(st, Reason.MALFORMED, message);
  }

  static Stream<Arguments> duplicates() {
    return Stream.of(
        arguments(
            "/buildDefinition/resolvedDependencies/0", "'dataset-attestation' is listed twice"),
        arguments("/buildDefinition/resolvedDependencies/1", "'dataset' is listed twice"),
        arguments("/buildDefinition/resolvedDependencies/2", "'data:a.csv' is listed twice"),
        arguments("/buildDefinition/resolvedDependencies/4", "'jar:alpha-1.0.jar' is listed twice"),
        arguments("/buildDefinition/resolvedDependencies/6", "'dir:classes' is listed twice"),
        arguments("/runDetails/byproducts/0", "'model-content-digest' is listed twice"),
        arguments("/runDetails/byproducts/1", "'metrics' is listed twice"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("duplicates")
  void read_duplicateEntry_isMalformed(String pointer, String message) {
    Statement st = Edits.duplicate("twice", pointer).applyTo(written());

    assertRefused(st, Reason.MALFORMED, message);
  }

  static Stream<Arguments> barePrefixes() {
    return Stream.of(
        arguments(2, Provenance.DATA_PREFIX),
        arguments(4, Provenance.JAR_PREFIX),
        arguments(6, Provenance.DIR_PREFIX));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("barePrefixes")
  void read_dependencyNamedOnlyByItsPrefix_isMalformed(int index, String prefix) {
    Statement st =
        Edits.put(
                "name",
                "/buildDefinition/resolvedDependencies/" + index + "/name",
                F.textNode(prefix))
            .applyTo(written());

    assertRefused(
        st,
        Reason.MALFORMED,
        "resolvedDependencies[" + index + "].name: expected dataset-attestation, dataset");
  }

  static Stream<Arguments> uriNotAllowed() {
    return Stream.of(arguments(1, "dataset"), arguments(4, "jar"), arguments(6, "dir"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("uriNotAllowed")
  void read_uriOnDependencyThatHasNone_isMalformed(int index, String kind) {
    Statement st =
        Edits.put(
                "uri",
                "/buildDefinition/resolvedDependencies/" + index + "/uri",
                F.textNode("elsewhere"))
            .applyTo(written());

    assertRefused(st, Reason.MALFORMED, "resolvedDependencies[" + index + "]: unknown field 'uri'");
  }

  @Test
  void read_metricsByproductWithDigest_isMalformed() {
    Statement st =
        Edits.put("digest", "/runDetails/byproducts/1/digest", F.objectNode().put("sha256", "00"))
            .applyTo(written());

    assertRefused(st, Reason.MALFORMED, "byproducts[1]: unknown field 'digest'");
  }

  @Test
  void specBytes_areTheContentInUtf8() {
    Provenance.Spec spec = new Provenance.Spec("s.yaml", Samples.SPEC, "name: crédit\n");

    assertThat(spec.bytes())
        .isEqualTo("name: crédit\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void header_specContent_givesItsNameAndVersion() throws Exception {
    Provenance.Spec spec =
        new Provenance.Spec(
            "s.yaml", Samples.R, "name: credit-rf\nversion: 3\ndata: [{path: a.csv}]\n");

    assertThat(spec.header()).isEqualTo(new Provenance.Spec.Header("credit-rf", 3));
  }

  @Test
  void header_specContentWithoutVersion_isMalformed() {
    Provenance.Spec spec = new Provenance.Spec("s.yaml", Samples.R, "name: credit-rf\n");

    assertThatThrownBy(spec::header)
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("missing required key \"version\"");
  }

  @Test
  void read_unknownDependency_isMalformed() {
    Statement st =
        Edits.put("name", "/buildDefinition/resolvedDependencies/4/name", F.textNode("lib:x.jar"))
            .applyTo(written());

    assertRefused(
        st,
        Reason.MALFORMED,
        "resolvedDependencies[4].name: expected dataset-attestation, dataset");
  }

  @Test
  void read_otherPredicateType_isUnsupported() {
    assertRefused(
        Edits.retyped(written(), "https://slsa.dev/provenance/v0.2"),
        Reason.UNSUPPORTED,
        "provenance: expected predicate type https://slsa.dev/provenance/v1, found https://slsa.dev/provenance/v0.2");
  }

  @Test
  void read_otherBuildType_isUnsupported() {
    Statement st =
        Edits.put(
                "buildType",
                "/buildDefinition/buildType",
                F.textNode("https://example.com/other/v1"))
            .applyTo(written());

    assertRefused(
        st,
        Reason.UNSUPPORTED,
        "expected buildType https://custody.dev/train/v1, found https://example.com/other/v1");
  }

  @Test
  void read_twoSubjects_isMalformed() {
    Statement st =
        new Statement(
            java.util.List.of(
                written().subjects().get(0), Statement.Subject.of("other", Samples.D)),
            written().predicateType(),
            written().predicate());

    assertRefused(st, Reason.MALFORMED, "provenance: expected exactly one subject, found 2");
  }

  @Test
  void new_duplicateDataName_isRefused() {
    Provenance p = Samples.provenance();

    assertThatThrownBy(
            () ->
                new Provenance(
                    p.modelName(),
                    p.rootDigest(),
                    p.spec(),
                    p.seed(),
                    p.javaVersion(),
                    p.tribuoVersion(),
                    p.datasetAttestation(),
                    p.dataset(),
                    java.util.List.of(p.data().get(0), p.data().get(0)),
                    p.jars(),
                    p.directories(),
                    p.builderVersion(),
                    p.invocationId(),
                    p.startedOn(),
                    p.finishedOn(),
                    p.contentDigest(),
                    p.metricsJson()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("data file 'a.csv' is listed twice");
  }

  static void assertRefused(Statement st, Reason reason, String message) {
    assertThatThrownBy(() -> Provenance.read(st))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.reason()).isEqualTo(reason))
        .hasMessageContaining(message);
  }

  /**
   * The sample written afresh for each test, not once into a static field: PIT changes the writer
   * while the test class stays loaded, and a statement written in a static initializer would hide
   * every mutant of the writer.
   */
  private static Statement written() {
    return Samples.provenance().statement();
  }
}
