package dev.custody.cli;

/**
 * The program {@link LauncherCdsTest} runs through the {@code custody} launcher: prints {@code VERB
 * ok}, and exits with 3 for the verb {@code fail}.
 */
public final class CdsProbe {
  private CdsProbe() {}

  /** Prints the verb and exits. */
  public static void main(String[] args) {
    System.out.println(args[0] + " ok");
    System.exit("fail".equals(args[0]) ? 3 : 0);
  }
}
