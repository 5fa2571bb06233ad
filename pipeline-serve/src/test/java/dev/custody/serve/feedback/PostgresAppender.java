package dev.custody.serve.feedback;

import dev.custody.core.PipelineException;
import java.util.Optional;

/**
 * The child process of {@link PostgresStoreProcessesTest}: appends {@code shared} entries that the
 * other process also sends (same client, same input) and {@code own} entries of its own, then
 * prints {@code appended=N duplicates=M}.
 *
 * <p>Arguments: location, replica, shared, own.
 */
public final class PostgresAppender {
  private PostgresAppender() {}

  public static void main(String[] args) throws PipelineException {
    String replica = args[1];
    int shared = Integer.parseInt(args[2]);
    int own = Integer.parseInt(args[3]);
    int appended = 0;
    int duplicates = 0;
    try (PostgresStore store = PostgresStore.open(args[0], Optional.of(replica))) {
      // Interleave the shared and own entries so that both processes race on the shared ones.
      for (int i = 0; i < Math.max(shared, own); i++) {
        if (i < shared) {
          boolean duplicate =
              store.append(Entries.ham("client-" + i % 7, "shared message " + i, i)).duplicate();
          appended += duplicate ? 0 : 1;
          duplicates += duplicate ? 1 : 0;
        }
        if (i < own) {
          String text = replica + " own message " + i + " (" + ProcessHandle.current().pid() + ")";
          boolean duplicate = store.append(Entries.ham("client-" + i % 7, text, i)).duplicate();
          appended += duplicate ? 0 : 1;
          duplicates += duplicate ? 1 : 0;
        }
      }
    }
    System.out.println("appended=" + appended + " duplicates=" + duplicates);
  }
}
