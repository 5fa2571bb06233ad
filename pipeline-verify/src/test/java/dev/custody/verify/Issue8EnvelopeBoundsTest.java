package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.ForkedJvm;
import dev.custody.core.HostileEnvelopes;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.ChainLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 8, W2, as a resource bound: a chain whose model signature or provenance holds the worst
 * envelope at the size cap ({@link ChainLimits#DEFAULT_MAX_EVIDENCE_BYTES}) is refused as MALFORMED
 * by {@link ChainVerifier} in a JVM with a 256 MiB heap, without running out of memory. Before the
 * bounds, 5.6 million empty signatures took minutes and gigabytes, and an out-of-memory came back
 * as MALFORMED. The limit below only kills a hang; it is not a timing assertion.
 */
class Issue8EnvelopeBoundsTest {
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);
  private static final int CAP = (int) ChainLimits.DEFAULT_MAX_EVIDENCE_BYTES;

  @TempDir Path work;

  static Stream<Arguments> worstCases() {
    return Stream.of(
        Arguments.of(ChainLayout.SIGNATURE_FILE, "millions of empty signatures", "{}"),
        Arguments.of(
            ChainLayout.SIGNATURE_FILE,
            "random DER signatures",
            HostileEnvelopes.randomDerSignature()),
        Arguments.of(ChainLayout.PROVENANCE, "millions of empty signatures", "{}"),
        Arguments.of(
            ChainLayout.PROVENANCE,
            "random DER signatures",
            HostileEnvelopes.randomDerSignature()));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("worstCases")
  void verify_envelopeOfManySignaturesAtTheSizeCap_malformedWithinASmallHeap(
      String file, String what, String entry) throws Exception {
    Path dir = GoldenChains.copy(GoldenChains.chain(GoldenChains.A), work.resolve("chain"));
    Path target = dir.resolve(file);
    byte[] hostile = HostileEnvelopes.withSignatures(Files.readAllBytes(target), entry, CAP);
    Files.write(target, hostile);
    assertThat(Files.size(target)).isEqualTo(CAP);

    ForkedJvm.Result r = ForkedJvm.run(VerifyChainMain.class, HANG_GUARD, dir.toString());
    System.out.println(
        "W2 bound, " + file + ", " + what + ": " + r.elapsed().toMillis() + " ms, " + r.stdout());

    assertThat(r.outOfMemory()).as(r.stderr()).isFalse();
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).startsWith("REFUSED MALFORMED: ");
  }
}
