import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The baseline of scripts/bench-startup (issue 13): the smallest Picocli program, one command with
 * one option that prints a line, run with plain {@code java -cp picocli.jar:DIR MinimalPicocli}.
 */
@Command(name = "minimal", mixinStandardHelpOptions = true, version = "minimal 1")
public final class MinimalPicocli implements Callable<Integer> {
  @Option(
      names = {"-n", "--name"},
      description = "Who to greet.")
  private String name = "world";

  @Override
  public Integer call() {
    System.out.println("hello, " + name);
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new MinimalPicocli()).execute(args));
  }
}
