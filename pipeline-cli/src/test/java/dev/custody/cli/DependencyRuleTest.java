package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.custody.cli.ChainFixture.Options;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.VerificationException;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.TrustPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trust policy's dependency rules (seed 001): a signed lock, or an allow-list of jar digests.
 */
class DependencyRuleTest {
  @TempDir static Path work;
  static ChainFixture.Keys keys;
  static ChainFixture.Chain chain;
  static ChainFixture.Chain withDirectory;

  @BeforeAll
  static void build() throws Exception {
    keys = new ChainFixture.Keys();
    keys.lock(work);
    chain = ChainFixture.build(work.resolve("plain"), Options.defaults(), keys, work);
    // A model trained from a classpath directory (e.g. target/classes), recorded as "dir:classes".
    withDirectory =
        ChainFixture.build(
            work.resolve("with-dir"),
            Options.defaults()
                .provenance(
                    p -> {
                      ArrayNode deps =
                          (ArrayNode) p.get("buildDefinition").get("resolvedDependencies");
                      deps.addObject()
                          .put("name", "dir:classes")
                          .putObject("digest")
                          .put(
                              "sha256",
                              Sha256.of("classes".getBytes(StandardCharsets.UTF_8)).hex());
                      return p;
                    }),
            keys,
            work);
  }

  private static String allowList(List<Sha256> digests) {
    return digests.stream()
        .map(d -> "    - " + d.hex())
        .collect(Collectors.joining("\n", "dependencies:\n  allow:\n", "\n"));
  }

  private static ChainVerifier verifier(String name, String yaml) throws Exception {
    return ChainVerifier.builder(
            TrustPolicy.load(keys.policy(work, name, "require: {reproduced: true}\n" + yaml)))
        .build();
  }

  @Test
  void verify_everyJarInTheAllowList_passes() throws Exception {
    List<Sha256> all = List.copyOf(ChainFixture.lockedJars().values());
    assertThat(verifier("allow-all.yaml", allowList(all)).verify(chain.dir()).links())
        .anySatisfy(l -> assertThat(l.what()).isEqualTo("dependencies"));
  }

  @Test
  void verify_aJarOutsideTheAllowList_failsNamingIt() throws Exception {
    List<Sha256> withoutBeta =
        ChainFixture.lockedJars().entrySet().stream()
            .filter(e -> !e.getKey().startsWith("beta"))
            .map(e -> e.getValue())
            .toList();
    ChainVerifier v = verifier("allow-some.yaml", allowList(withoutBeta));
    assertThatThrownBy(() -> v.verify(chain.dir()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("outside the policy's allow-list: beta-2.0.jar")
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.DEPENDENCY_MISMATCH);
  }

  @Test
  void verify_classpathDirectoryUnderALock_isRefused() throws Exception {
    ChainVerifier v = verifier("lock.yaml", "dependencies: {lock: deps.lock.json}\n");
    v.verify(chain.dir());
    assertThatThrownBy(() -> v.verify(withDirectory.dir()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("holds directories [classes]")
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.DEPENDENCY_MISMATCH);
  }

  @Test
  void verify_classpathDirectoryWithoutADependencyRule_isAccepted() throws Exception {
    assertThat(verifier("none.yaml", "").verify(withDirectory.dir()).version()).isEqualTo(1);
  }

  @Test
  void load_lockAndAllowListTogether_isRefusedAsPolicyInvalid() throws Exception {
    Path policy =
        keys.policy(
            work,
            "both.yaml",
            "dependencies:\n  lock: deps.lock.json\n  allow: ["
                + Sha256.of(new byte[0]).hex()
                + "]\n");
    assertThatThrownBy(() -> TrustPolicy.load(policy))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("found both")
        .extracting(e -> ((PipelineException) e).reason())
        .isEqualTo(Reason.POLICY_INVALID);
  }
}
