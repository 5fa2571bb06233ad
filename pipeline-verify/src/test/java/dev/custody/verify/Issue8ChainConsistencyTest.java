package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Reason;
import dev.custody.core.VerificationException;
import dev.custody.core.chain.ChainLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 8, W1, W5, W6 and W11: every claim of a signed record that can be recomputed from verified
 * bytes is recomputed, records that restate each other agree, the allow-list is applied by {@code
 * verify}, and an attestation that is present is verified whether or not the policy requires it.
 * Each case reads a committed fixture under {@code chains/attacks/} (see the README there).
 */
class Issue8ChainConsistencyTest {
  @TempDir Path work;

  private static Path attack(String name) {
    return GoldenChains.attack(name);
  }

  @Test
  void verify_w1ModelRewrittenCardStillClaimingTheOldContent_digestMismatch() {
    Path dir = attack(Issue8Fixtures.W1_REPRODUCTION_NOT_BOUND);

    assertThatThrownBy(() -> GoldenChains.verifier().verify(dir))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH))
        .hasMessageStartingWith(ChainLayout.CARD_FILE + ": contentDigest ")
        .hasMessageContaining("!= the content digest of " + ChainLayout.MODEL_FILE);
  }

  @Test
  void verifyForReproduction_w1ModelRewrittenCardStillClaimingTheOldContent_digestMismatch() {
    Path dir = attack(Issue8Fixtures.W1_REPRODUCTION_NOT_BOUND);

    assertThatThrownBy(() -> GoldenChains.verifier().verifyForReproduction(dir))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH));
  }

  @Test
  void verify_genuineChain_contentDigestRecomputedFromTheModelBytes() throws Exception {
    Path dir = GoldenChains.chain(GoldenChains.A);

    VerifiedChain v = GoldenChains.verifier().verify(dir);

    assertThat(v.contentDigest())
        .isEqualTo(ModelContentDigest.of(Files.readAllBytes(dir.resolve(ChainLayout.MODEL_FILE))))
        .isEqualTo(v.card().contentDigest());
    assertThat(GoldenChains.verifier().verifyForReproduction(dir).contentDigest())
        .isEqualTo(v.contentDigest());
  }

  @Test
  void verify_w5ModelNamingAClassOutsideTheAllowList_unsafeModelBeforeAnyClassLoads() {
    Path dir = attack(Issue8Fixtures.W5_CLASS_NOT_ALLOWED);

    assertThatThrownBy(() -> GoldenChains.verifier().verify(dir))
        .isInstanceOfSatisfying(
            VerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSAFE_MODEL))
        .hasMessageContaining(CanaryWitness.CANARY);
    assertThat(CanaryWitness.ran).as("Canary's static initializer ran").isFalse();
  }

  @Test
  void verifyForReproduction_w5ModelNamingAClassOutsideTheAllowList_unsafeModel() {
    Path dir = attack(Issue8Fixtures.W5_CLASS_NOT_ALLOWED);

    assertThatThrownBy(() -> GoldenChains.verifier().verifyForReproduction(dir))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNSAFE_MODEL));
    assertThat(CanaryWitness.ran).as("Canary's static initializer ran").isFalse();
  }

  @Test
  void verify_w6CardVersionOverASpecOfAnotherVersion_modelMismatchNotAcceptedAsThatVersion() {
    Path dir = attack(Issue8Fixtures.W6_CARD_VERSION_OVER_SPEC);
    // Version 7 would pass a minimum of 5: the card's claim must not be what the check uses.
    ChainVerifier minimum5 = ChainVerifier.builder(GoldenChains.policy(5)).build();

    assertThatThrownBy(() -> minimum5.verify(dir))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.MODEL_MISMATCH))
        .hasMessage(
            "model version: " + ChainLayout.CARD_FILE + " says 7, provenance spec content says 2");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("gates")
  void verify_w6GateContradictingItselfOrTheCard_refused(String fixture, Reason expected)
      throws Exception {
    Path dir = GoldenChains.copy(GoldenChains.chain(GoldenChains.A), work.resolve("chain"));
    Files.copy(attack(fixture), dir.resolve(ChainLayout.GATE), StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(() -> GoldenChains.verifier().verify(dir))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(expected));
  }

  static Stream<Arguments> gates() {
    return Stream.of(
        arguments("w6-gate-passed-contradicts-observed.sigstore.json", Reason.GATE_NOT_PASSED),
        arguments("w6-gate-vacuous-entry.sigstore.json", Reason.GATE_NOT_PASSED),
        arguments("w6-gate-content-digest-of-other-model.sigstore.json", Reason.DIGEST_MISMATCH),
        arguments("w6-gate-observed-differs-from-card.sigstore.json", Reason.MODEL_MISMATCH));
  }

  @Test
  void verify_w6GatePassedContradictingObserved_messageNamesTheNumbers() throws Exception {
    Path dir = GoldenChains.copy(GoldenChains.chain(GoldenChains.A), work.resolve("chain"));
    Files.copy(
        attack("w6-gate-passed-contradicts-observed.sigstore.json"),
        dir.resolve(ChainLayout.GATE),
        StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(() -> GoldenChains.verifier().verify(dir))
        .hasMessage(
            "gate test-accuracy: records passed true, but test-accuracy (accuracy 0.2253 >= 0.81)"
                + " does not hold");
  }

  /** The committed policy without the reproduction requirement (gate still required). */
  private static ChainVerifier reproductionOptional() {
    return ChainVerifier.builder(
            GoldenChains.policyBuilder()
                .dependencyLock(GoldenChains.root().resolve("deps.lock.json"))
                .build())
        .build();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("reproductions")
  void verify_w11OptionalReproductionPresentButBad_refused(String fixture, Reason expected)
      throws Exception {
    Path dir = GoldenChains.copy(GoldenChains.chain(GoldenChains.A), work.resolve("chain"));
    Files.copy(
        attack(fixture),
        dir.resolve(ChainLayout.REPRODUCTION),
        StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(() -> reproductionOptional().verify(dir))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(expected));
  }

  static Stream<Arguments> reproductions() {
    return Stream.of(
        arguments("w11-reproduction-truncated.sigstore.json", Reason.MALFORMED),
        arguments("w11-reproduction-flipped.sigstore.json", Reason.SIGNATURE_INVALID),
        arguments("w11-reproduction-signed-by-attacker.sigstore.json", Reason.UNTRUSTED_SIGNER),
        arguments("w11-reproduction-for-other-model.sigstore.json", Reason.DIGEST_MISMATCH),
        arguments("w11-reproduction-failed.sigstore.json", Reason.NOT_REPRODUCED));
  }

  @Test
  void verify_w11OptionalReproductionPresentAndGood_verifiedAndInTheProof() throws Exception {
    VerifiedChain v = reproductionOptional().verify(GoldenChains.chain(GoldenChains.A));

    assertThat(v.reproduction()).isPresent();
    assertThat(v.links().get(v.links().size() - 1).checked())
        .contains("not required, verified because present");
  }

  @Test
  void verify_w11OptionalGatePresentForAnotherModel_refused() throws Exception {
    Path dir = GoldenChains.copy(GoldenChains.chain(GoldenChains.A), work.resolve("chain"));
    Files.copy(
        attack("gate-for-other-model.sigstore.json"),
        dir.resolve(ChainLayout.GATE),
        StandardCopyOption.REPLACE_EXISTING);
    Files.delete(dir.resolve(ChainLayout.REPRODUCTION));
    ChainVerifier ungated =
        ChainVerifier.builder(GoldenChains.policyBuilder().insecureAcceptUngatedModels().build())
            .build();

    assertThatThrownBy(() -> ungated.verify(dir))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH));
  }

  @Test
  void verifyForReproduction_corruptReproductionPresent_notRead() throws Exception {
    // custody reproduce replaces the summary: the one it replaces is not evidence it relies on.
    Path dir = GoldenChains.copy(GoldenChains.chain(GoldenChains.A), work.resolve("chain"));
    Files.copy(
        attack("w11-reproduction-truncated.sigstore.json"),
        dir.resolve(ChainLayout.REPRODUCTION),
        StandardCopyOption.REPLACE_EXISTING);

    assertThat(GoldenChains.verifier().verifyForReproduction(dir).version()).isEqualTo(2);
  }

  @Test
  void verify_w6DatasetAttestationForAnotherSpec_digestMismatch() throws Exception {
    // Re-signed by the ingest key, the dataset statement names a spec digest no record shares.
    Path dir =
        ChainEditor.of(GoldenChains.A)
            .dataset(
                d -> {
                  ((ObjectNode) d.get("spec").get("digest")).put("sha256", "ab".repeat(32));
                  return d;
                })
            .writeTo(work.resolve("chain"));

    assertThatThrownBy(() -> GoldenChains.verifier().verify(dir))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.DIGEST_MISMATCH));
  }

  @Test
  void verify_w6GateSampleSizeOtherThanTheCardsTestRows_modelMismatch() throws Exception {
    // Re-signed by the evaluate key: the numbers agree with the card, the rows they came from do
    // not.
    Path dir =
        ChainEditor.of(GoldenChains.A)
            .gate(
                g -> {
                  ObjectNode first = (ObjectNode) g.get("gates").get(0);
                  first.put("sampleSize", first.get("sampleSize").asLong() + 1);
                  return g;
                })
            .writeTo(work.resolve("chain"));

    assertThatThrownBy(() -> GoldenChains.verifier().verify(dir))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.MODEL_MISMATCH));
  }
}
