package dev.custody.verify;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Installs Custody's deserialization filter once, before any test runs, as an application's {@code
 * main} does first thing (registered in {@code META-INF/services}).
 *
 * <p>A JVM that created an {@code ObjectInputStream} before the launcher started (PIT's test minion
 * reads its instructions that way) accepts no filter: then the launcher must still start, so the
 * failure is reported here and the tests that load a model fail with the loader's own "not
 * installed" message (PIT leaves them out: {@code skipFailingTests}).
 */
public final class InstallDeserializationFilter implements LauncherSessionListener {
  @Override
  public void launcherSessionOpened(LauncherSession session) {
    try {
      DeserializationFilter.install();
    } catch (IllegalStateException e) {
      System.err.println("InstallDeserializationFilter: " + e.getMessage());
    }
  }
}
