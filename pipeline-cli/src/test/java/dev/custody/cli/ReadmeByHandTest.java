package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "The same by hand" commands work as written, in order, on the real credit example:
 * each {@code ./custody} line of that block runs in-process, with {@code work/} in a temporary
 * directory and {@code examples/} from the checkout. {@code custody serve} runs until stopped, so
 * its line is only checked to name the model and policy the lines before it wrote ({@code
 * ServeCommandTest} serves).
 */
class ReadmeByHandTest {
  @TempDir Path work;

  @Test
  void readme_sameByHand_everyCommandSucceedsAndTheModelVerifies() throws Exception {
    Path root = Path.of(System.getProperty("custody.root"));
    String readme = Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8);
    int at = readme.indexOf("The same by hand");
    assertThat(at).as("README section 'The same by hand'").isPositive();
    int start = readme.indexOf("```bash\n", at) + "```bash\n".length();
    String block = readme.substring(start, readme.indexOf("```", start));

    List<String> verbs = new ArrayList<>();
    for (String line : block.lines().toList()) {
      String command = line.replaceAll("\\s+#.*$", "").trim();
      assertThat(command).as("a line of the block").startsWith("./custody ");
      String[] args = command.substring("./custody ".length()).split("\\s+");
      for (int i = 0; i < args.length; i++) {
        if (args[i].startsWith("work/")) {
          args[i] = work.resolve(args[i].substring("work/".length())).toString();
        } else if (args[i].startsWith("examples/")) {
          args[i] = root.resolve(args[i]).toString();
        }
      }
      verbs.add(args[0]);
      if (args[0].equals("serve")) {
        assertThat(Arrays.asList(args))
            .contains(
                work.resolve("credit-rf-v1").toString(), work.resolve("policy.yaml").toString());
        continue;
      }
      Cli r = Cli.run(args);
      assertThat(r.exit()).as("%s%n%s", command, r.err()).isZero();
    }
    assertThat(verbs).containsExactly("keygen", "policy", "run", "verify", "serve");
    assertThat(work.resolve("credit-rf-v1").resolve("model.sig")).isRegularFile();
  }
}
