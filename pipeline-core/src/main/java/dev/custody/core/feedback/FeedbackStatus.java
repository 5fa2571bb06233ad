package dev.custody.core.feedback;

/** What the server decided about a feedback record when it took it in. */
public enum FeedbackStatus {
  /** Recorded; it may reach a candidate model through export and the train stage's defences. */
  ACCEPTED,
  /**
   * Recorded but held out of training until reviewed: it claims a protected label (see {@link
   * FeedbackLabels}) against a confident prediction of the model that served it.
   */
  QUARANTINED;

  /** The word used in the journal, the API and exports: {@code accepted} or {@code quarantined}. */
  public String word() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
