package dev.custody.cli;

import picocli.CommandLine.IVersionProvider;

/** The version written into the jar's manifest by the build. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = Main.class.getPackage().getImplementationVersion();
    return new String[] {"custody " + (v == null ? "(development build)" : v)};
  }
}
