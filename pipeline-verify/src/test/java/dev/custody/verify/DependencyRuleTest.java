package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.VerificationException;
import dev.custody.core.chain.Stage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trust policy's dependency rules (seed 001): a signed lock, or an allow-list of jar digests.
 */
class DependencyRuleTest {
  @TempDir static Path work;

  /** The jars the golden chains' provenances record (see {@code chains/README.md}). */
  static final Map<String, Sha256> JARS = new TreeMap<>();

  static {
    for (String j : List.of("alpha-1.0.jar", "beta-2.0.jar", "gamma-3.1.jar")) {
      JARS.put(j, Sha256.of(("jar " + j).getBytes(StandardCharsets.UTF_8)));
    }
  }

  static Path chain = GoldenChains.chain(GoldenChains.A);

  /** Chain a, its model trained from a classpath directory (e.g. target/classes) as well. */
  static Path withDirectory;

  @BeforeAll
  static void build() throws Exception {
    withDirectory =
        ChainEditor.of(GoldenChains.A)
            .provenance(
                p -> {
                  ArrayNode deps = (ArrayNode) p.get("buildDefinition").get("resolvedDependencies");
                  deps.addObject()
                      .put("name", "dir:classes")
                      .putObject("digest")
                      .put("sha256", Sha256.of("classes".getBytes(StandardCharsets.UTF_8)).hex());
                  return p;
                })
            .writeTo(work.resolve("with-dir"));
  }

  /** Writes a policy trusting each committed stage key, with {@code extra} YAML appended. */
  static Path policy(String name, String extra) throws Exception {
    StringBuilder yaml = new StringBuilder("version: 1\nstages:\n");
    for (Stage s : Stage.values()) {
      String stage = s.name().toLowerCase(Locale.ROOT);
      yaml.append("  ")
          .append(stage)
          .append(": {keys: [")
          .append(GoldenChains.root().resolve("keys").resolve(stage + ".pub"))
          .append("]}\n");
    }
    Files.copy(
        GoldenChains.root().resolve("deps.lock.json"),
        work.resolve("deps.lock.json"),
        StandardCopyOption.REPLACE_EXISTING);
    Path policy = work.resolve(name);
    Files.writeString(policy, yaml + extra);
    return policy;
  }

  private static String allowList(List<Sha256> digests) {
    return digests.stream()
        .map(d -> "    - " + d.hex())
        .collect(Collectors.joining("\n", "dependencies:\n  allow:\n", "\n"));
  }

  private static ChainVerifier verifier(String name, String yaml) throws Exception {
    return ChainVerifier.builder(
            TrustPolicy.load(policy(name, "require: {reproduced: true}\n" + yaml)))
        .build();
  }

  @Test
  void verify_everyJarInTheAllowList_passes() throws Exception {
    List<Sha256> all = List.copyOf(JARS.values());
    assertThat(verifier("allow-all.yaml", allowList(all)).verify(chain).links())
        .anySatisfy(l -> assertThat(l.what()).isEqualTo("dependencies"));
  }

  @Test
  void verify_aJarOutsideTheAllowList_failsNamingIt() throws Exception {
    List<Sha256> withoutBeta =
        JARS.entrySet().stream()
            .filter(e -> !e.getKey().startsWith("beta"))
            .map(e -> e.getValue())
            .toList();
    ChainVerifier v = verifier("allow-some.yaml", allowList(withoutBeta));
    assertThatThrownBy(() -> v.verify(chain))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("outside the policy's allow-list: beta-2.0.jar")
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.DEPENDENCY_MISMATCH);
  }

  @Test
  void verify_classpathDirectoryUnderALock_isRefused() throws Exception {
    ChainVerifier v = verifier("lock.yaml", "dependencies: {lock: deps.lock.json}\n");
    v.verify(chain);
    assertThatThrownBy(() -> v.verify(withDirectory))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("holds directories [classes]")
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.DEPENDENCY_MISMATCH);
  }

  @Test
  void verify_classpathDirectoryWithoutADependencyRule_isAccepted() throws Exception {
    assertThat(verifier("none.yaml", "").verify(withDirectory).version()).isEqualTo(2);
  }

  @Test
  void load_lockAndAllowListTogether_isRefusedAsPolicyInvalid() throws Exception {
    Path policy =
        policy(
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
