package dev.custody.serve.feedback;

import dev.custody.core.PipelineException;
import dev.custody.core.Printable;
import dev.custody.core.Reason;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Opens the feedback store a location names, as {@code --feedback-store} and {@code --store} take
 * it: {@code postgresql://host[:port]/database?...} opens the PostgreSQL store, anything else
 * without a scheme is the path of a journal file.
 */
public final class FeedbackStores {
  private static final String POSTGRES = "postgresql://";

  private FeedbackStores() {}

  /**
   * Opens the store at {@code location}.
   *
   * @param replica the chain this server writes to in a store shared by several servers (the
   *     PostgreSQL store); a journal has one chain and one writer, and refuses a replica name
   * @throws PipelineException {@code MALFORMED} for a location with another scheme, or a replica
   *     name given for a journal; otherwise as {@link JournalStore#open} or the PostgreSQL store's
   *     open
   */
  public static FeedbackStore open(String location, Optional<String> replica)
      throws PipelineException {
    if (location.regionMatches(true, 0, POSTGRES, 0, POSTGRES.length())) {
      return PostgresStore.open(location, replica);
    }
    int scheme = location.indexOf("://");
    if (scheme > 0) {
      throw new PipelineException(
          Reason.MALFORMED,
          "feedback store: expected a file path or a postgresql:// URL, found a "
              + Printable.of(location.substring(0, scheme).toLowerCase(Locale.ROOT), 40)
              + ":// URL");
    }
    if (replica.isPresent()) {
      throw new PipelineException(
          Reason.MALFORMED,
          "feedback store: a replica name is for a store shared by several servers (PostgreSQL);"
              + " found one for the journal "
              + Printable.of(location, 300)
              + ", which has one writer");
    }
    Path file;
    try {
      file = Path.of(location);
    } catch (InvalidPathException e) {
      throw new PipelineException(
          Reason.MALFORMED,
          "feedback store: expected a file path, found " + Printable.of(location, 300));
    }
    return JournalStore.open(file);
  }
}
