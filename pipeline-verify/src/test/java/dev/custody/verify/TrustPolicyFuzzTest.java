package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the trust policy YAML reader. The policy is read from a directory that also holds {@code
 * keys/} (the golden chains' stage keys, and one as {@code custody.pub} for the example policy) and
 * the golden {@code deps.lock.json}, so seeds load in full. Without {@code JAZZER_FUZZ} this runs
 * the committed inputs in {@code TrustPolicyFuzzTestInputs/} (CONTRIBUTING.md, "Fuzzing").
 */
class TrustPolicyFuzzTest {
  private static final String[] STAGE_KEYS = {"ingest", "train", "evaluate", "reproduce"};

  @TempDir static Path dir;

  @BeforeAll
  static void writeKeys() throws Exception {
    Path keys = Files.createDirectories(dir.resolve("keys"));
    for (String k : STAGE_KEYS) {
      Files.copy(resource("chains/keys/" + k + ".pub"), keys.resolve(k + ".pub"));
    }
    Files.copy(resource("chains/keys/train.pub"), keys.resolve("custody.pub"));
    Files.copy(resource("chains/deps.lock.json"), dir.resolve("deps.lock.json"));
  }

  /**
   * Any bytes as a policy file are loaded or refused as {@link Reason#POLICY_INVALID}; any other
   * throwable (an {@code IOException} included: the policy file itself is readable) is a finding.
   */
  @FuzzTest
  void load_fuzzedYaml_loadsOrRefuses(FuzzedDataProvider data) throws Exception {
    Path policy = dir.resolve("policy.yaml");
    Files.write(policy, data.consumeRemainingAsBytes());
    try {
      assertThat(TrustPolicy.load(policy)).isNotNull();
    } catch (PipelineException e) {
      assertThat(e.reason()).isEqualTo(Reason.POLICY_INVALID);
    }
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(TrustPolicyFuzzTest.class.getResource(name).toURI());
  }
}
