package dev.custody.cli;

/**
 * The program {@link LauncherCdsTest} runs through the {@code custody} launcher: prints {@code VERB
 * ok} (after {@code TieredStopAtLevel=N} for {@code verify} and {@code run}), and exits with 3 for
 * the verb {@code fail}.
 */
public final class CdsProbe {
  private CdsProbe() {}

  /** Prints the verb (for {@code verify} and {@code run}, also the JIT's top tier) and exits. */
  public static void main(String[] args) {
    if ("verify".equals(args[0]) || "run".equals(args[0])) {
      System.out.println(
          "TieredStopAtLevel="
              + java.lang.management.ManagementFactory.getPlatformMXBean(
                      com.sun.management.HotSpotDiagnosticMXBean.class)
                  .getVMOption("TieredStopAtLevel")
                  .getValue());
    }
    System.out.println(args[0] + " ok");
    System.exit("fail".equals(args[0]) ? 3 : 0);
  }
}
