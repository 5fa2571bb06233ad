package dev.custody.core.chain;

import static dev.custody.core.chain.Edits.F;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Reason;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReproductionSummaryTest {

  @Test
  void read_writtenStatement_roundTrips() throws Exception {
    ReproductionSummary read = ReproductionSummary.read(Statement.parse(written().toJson()));

    assertThat(read).isEqualTo(Samples.reproduction());
    assertThat(read.passed()).isTrue();
  }

  @Test
  void statement_writesTheDocumentedShape() {
    assertThat(new String(written().toJson(), StandardCharsets.UTF_8))
        .contains(
            "{\"verifier\":{\"id\":\"https://custody.dev/reproduce\"},\"timeVerified\":\"2026-11-23T00:01:00Z\","
                + "\"resourceUri\":\"credit-rf\",\"policy\":{\"uri\":\"https://custody.dev/reproduce/v1\",")
        .contains("\"inputAttestations\":[{\"uri\":\"attestations/provenance.sigstore.json\",")
        .contains(
            "\"verificationResult\":\"PASSED\",\"verifiedLevels\":[\"SLSA_BUILD_LEVEL_1\"],\"slsaVersion\":\"1.0\"");
  }

  @Test
  void read_failedResult_isReadAndNotPassed() throws Exception {
    Statement st =
        Edits.put("result", "/verificationResult", F.textNode("FAILED")).applyTo(written());

    assertThat(ReproductionSummary.read(st).passed()).isFalse();
  }

  static Stream<Arguments> unknownFields() {
    return Stream.of(
        arguments("/extra", "reproduction predicate: unknown field 'extra'"),
        arguments("/custody/extra", "reproduction predicate.custody: unknown field"),
        arguments(
            "/inputAttestations/0/name",
            "reproduction predicate.inputAttestations[0]: unknown field 'name'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unknownFields")
  void read_unknownField_isMalformed(String pointer, String message) {
    assertRefused(
        Edits.put("unknown", pointer, F.textNode("x")).applyTo(written()),
        Reason.MALFORMED,
        message);
  }

  static Stream<Arguments> missingFields() {
    return Stream.of(
        arguments(
            "/custody/reproducedContentDigest",
            "reproduction predicate.custody.reproducedContentDigest"),
        arguments("/verificationResult", "reproduction predicate.verificationResult"),
        arguments("/timeVerified", "reproduction predicate.timeVerified"),
        arguments(
            "/inputAttestations/0",
            "reproduction predicate.inputAttestations: expected exactly one entry, found 0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("missingFields")
  void read_missingField_isMalformed(String pointer, String message) {
    assertRefused(Edits.remove("missing", pointer).applyTo(written()), Reason.MALFORMED, message);
  }

  static Stream<Arguments> wrongTypes() {
    return Stream.of(
        arguments(
            "/custody/contentDigest",
            F.numberNode(1),
            "reproduction predicate.custody.contentDigest: expected a non-empty string, found number"),
        arguments(
            "/verifiedLevels",
            F.textNode("SLSA_BUILD_LEVEL_1"),
            "reproduction predicate.verifiedLevels: expected an array"),
        arguments(
            "/resourceUri",
            F.textNode("other"),
            "reproduction predicate.resourceUri: expected the subject's name credit-rf"),
        arguments(
            "/inputAttestations/0/uri",
            F.textNode("attestations/gate.sigstore.json"),
            "inputAttestations[0].uri: expected attestations/provenance.sigstore.json"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("wrongTypes")
  void read_wrongType_isMalformed(String pointer, JsonNode value, String message) {
    assertRefused(Edits.put("wrong", pointer, value).applyTo(written()), Reason.MALFORMED, message);
  }

  @Test
  void read_duplicateEntry_isMalformed() {
    assertRefused(
        Edits.duplicate("twice", "/inputAttestations/0").applyTo(written()),
        Reason.MALFORMED,
        "reproduction predicate.inputAttestations: expected exactly one entry, found 2");
  }

  static Stream<Arguments> unsupported() {
    return Stream.of(
        arguments(
            "/verifier/id",
            "reproduction summary: expected verifier https://custody.dev/reproduce"),
        arguments(
            "/policy/uri",
            "reproduction summary: expected policy https://custody.dev/reproduce/v1"),
        arguments("/slsaVersion", "reproduction predicate.slsaVersion: expected 1.0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unsupported")
  void read_otherVerifierPolicyOrVersion_isUnsupported(String pointer, String message) {
    assertRefused(
        Edits.put("other", pointer, F.textNode("https://example.com/x")).applyTo(written()),
        Reason.UNSUPPORTED,
        message);
  }

  @Test
  void read_otherPredicateType_isUnsupported() {
    assertRefused(
        Edits.retyped(written(), Stage.TRAIN.predicateType()),
        Reason.UNSUPPORTED,
        "reproduction summary: expected predicate type https://slsa.dev/verification_summary/v1");
  }

  private static void assertRefused(Statement st, Reason reason, String message) {
    assertThatThrownBy(() -> ReproductionSummary.read(st))
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
    return Samples.reproduction().statement();
  }
}
