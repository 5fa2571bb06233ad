package dev.custody.cli;

import dev.custody.verify.DeserializationFilter;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Installs Custody's deserialization filter once, before any test runs, as an application's {@code
 * main} does first thing (registered in {@code META-INF/services}).
 */
public final class InstallDeserializationFilter implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    DeserializationFilter.install();
  }
}
