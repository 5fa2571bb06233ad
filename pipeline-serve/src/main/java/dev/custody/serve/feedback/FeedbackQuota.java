package dev.custody.serve.feedback;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many feedback records one client may make per window. Windows are aligned to the epoch (the
 * hour windows of {@code 100/1h} start on the hour), so every replica of a server counts the same
 * window from the shared store, a restart forgets nothing, and a refused client can be told exactly
 * when the next window opens. A client may send up to twice {@code max} across a window boundary;
 * the train stage's influence cap, not the quota, is what keeps one client from outvoting others.
 *
 * @param max the most records per window, at least 1
 * @param window the window's length, at least one second and a whole number of seconds
 */
public record FeedbackQuota(int max, Duration window) {
  /**
   * The default, {@code 100/1h}: more than a person correcting a classifier by hand sends, and few
   * enough that a stolen token fills at most 2,400 records a day.
   */
  public static final FeedbackQuota DEFAULT = new FeedbackQuota(100, Duration.ofHours(1));

  private static final Pattern FORM = Pattern.compile("([0-9]{1,9})/([0-9]{1,9})([smhd])");

  /** Validates the quota. */
  public FeedbackQuota {
    Objects.requireNonNull(window, "window");
    if (max < 1) {
      throw new IllegalArgumentException("a feedback quota allows at least 1 record, got " + max);
    }
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.toNanosPart() != 0) {
      throw new IllegalArgumentException(
          "a feedback quota's window is a whole number of seconds, at least 1, got " + window);
    }
  }

  /**
   * Reads {@code N/DURATION}: a count, a slash, a length and its unit {@code s}, {@code m}, {@code
   * h} or {@code d} ({@code 100/1h}, {@code 20/30m}).
   */
  public static FeedbackQuota parse(String text) {
    Matcher m = FORM.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "expected a feedback quota N/DURATION such as 100/1h (units s, m, h, d), found \""
              + dev.custody.core.Printable.of(text, 40)
              + "\"");
    }
    long n = Long.parseLong(m.group(2));
    Duration window =
        switch (m.group(3)) {
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
    return new FeedbackQuota(Integer.parseInt(m.group(1)), window);
  }

  /** The start of the window {@code now} falls in. */
  public Instant windowStart(Instant now) {
    long s = window.toSeconds();
    return Instant.ofEpochSecond(Math.floorDiv(now.getEpochSecond(), s) * s);
  }

  /** Whole seconds from {@code now} until the next window opens, at least 1. */
  public long secondsUntilNextWindow(Instant now) {
    Instant next = windowStart(now).plus(window);
    return Math.max(1, (Duration.between(now, next).toMillis() + 999) / 1000);
  }

  /** The form {@link #parse} reads, e.g. {@code 100/3600s}. */
  @Override
  public String toString() {
    return max + "/" + window.toSeconds() + "s";
  }
}
