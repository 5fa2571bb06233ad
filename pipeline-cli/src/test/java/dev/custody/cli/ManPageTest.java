package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Generates the man pages at build time: one AsciiDoc page per command (picocli-codegen's {@link
 * ManPageGenerator}) in {@code pipeline-cli/target/man}, which {@code asciidoctor -b manpage} turns
 * into roff (README, "Shell completion and man page"), and checks that every command has its page
 * with its options.
 */
class ManPageTest {
  private static void walk(CommandLine cl, List<CommandLine> out) {
    out.add(cl);
    cl.getSubcommands()
        .forEach(
            (name, sub) -> {
              if (name.equals(sub.getCommandName())) {
                walk(sub, out);
              }
            });
  }

  @Test
  void manPages_everyCommand_getsAPageNamingItsOptions() throws Exception {
    Path dir = Path.of(System.getProperty("custody.root"), "pipeline-cli", "target", "man");
    Files.createDirectories(dir);
    CommandLine root = CustodyCommand.commandLine();

    int code =
        ManPageGenerator.generateManPage(
            dir.toFile(), null, new boolean[0], true, root.getCommandSpec());

    assertThat(code).isZero();
    List<CommandLine> all = new ArrayList<>();
    walk(root, all);
    for (CommandLine cl : all) {
      String name = cl.getCommandSpec().qualifiedName("-");
      Path page = dir.resolve(name + ".adoc");
      assertThat(page).as(name).exists();
      String text = Files.readString(page);
      assertThat(text).contains(":doctype: manpage", "== Name");
      cl.getCommandSpec().options().stream()
          .filter(o -> !o.hidden())
          .forEach(o -> assertThat(text).as(name).contains(o.longestName()));
    }
    assertThat(dir.resolve("custody-predict.adoc")).exists();
  }
}
