package dev.custody.core.feedback;

import java.util.List;

/**
 * The quarantine's protected direction, shared by the server (which marks records quarantined) and
 * the train stage (which holds them out), so both apply one rule.
 */
public final class FeedbackLabels {
  private FeedbackLabels() {}

  /**
   * The labels protected by default: every label but the positive one, the last in class order
   * ({@code [ham]} for {@code [ham, spam]}: "known spam stays spam", while an honest "this is spam"
   * is never held however sure the model was).
   *
   * @param classOrder the model's labels in class order
   * @throws IllegalArgumentException if {@code classOrder} is empty
   */
  public static List<String> defaultProtected(List<String> classOrder) {
    if (classOrder.isEmpty()) {
      throw new IllegalArgumentException("expected at least one label, found none");
    }
    return List.copyOf(classOrder.subList(0, classOrder.size() - 1));
  }
}
