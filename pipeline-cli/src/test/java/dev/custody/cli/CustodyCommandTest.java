package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class CustodyCommandTest {
  @Test
  void everyVerbIsListedUnderItsCommandName() {
    for (Map.Entry<String, Class<?>> e : CustodyCommand.verbClasses().entrySet()) {
      Command c = e.getValue().getAnnotation(Command.class);
      assertThat(c).as(e.getValue().getName()).isNotNull();
      assertThat(c.name()).as(e.getValue().getName()).isEqualTo(e.getKey());
      assertThat(c.aliases()).as(e.getValue().getName()).isEmpty();
    }
  }

  @Test
  void aVerbFirstModelsThatVerbAlone() {
    CommandLine cl = CustodyCommand.commandLine(new String[] {"verify", "m", "--policy", "p"});
    assertThat(cl.getSubcommands().keySet()).containsExactly("verify");
  }

  @Test
  void helpAnOptionFirstOrAnUnknownWordModelsEveryVerb() {
    var every = CustodyCommand.verbClasses().keySet();
    for (String[] args :
        new String[][] {
          {},
          {"help"},
          {"completion"},
          {"--help"},
          {"--version", "verify"},
          {"nosuch"},
          {"-V", "-h"}
        }) {
      assertThat(CustodyCommand.commandLine(args).getSubcommands().keySet())
          .as(String.join(" ", args))
          .containsExactlyElementsOf(every);
    }
  }

  @Test
  void versionAlonePrintsWhatTheFullCommandPrints() {
    for (String flag : new String[] {"--version", "-V"}) {
      CommandLine alone = CustodyCommand.commandLine(new String[] {flag});
      assertThat(alone.getSubcommands()).isEmpty();
      assertThat(run(alone, flag)).isEqualTo(run(CustodyCommand.commandLine(), flag));
    }
  }

  private static String run(CommandLine cl, String flag) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(flag);
    return exit + "\n" + out + "\n" + err;
  }
}
