package dev.custody.serve.security;

/**
 * A token bucket's settings: {@code perSecond} requests per second on average, and bursts of up to
 * {@code burst} requests.
 *
 * @param perSecond the refill rate, in requests per second: finite, in (0, {@value #MAX}]
 * @param burst the bucket's capacity, in requests: in [1, {@value #MAX}]
 */
public record RateLimit(double perSecond, int burst) {
  /** The largest rate and burst accepted. */
  public static final int MAX = 1_000_000;

  public RateLimit {
    if (!(perSecond > 0 && perSecond <= MAX)) {
      throw new IllegalArgumentException(
          "expected a rate in (0, " + MAX + "] requests per second, found " + perSecond);
    }
    if (burst < 1 || burst > MAX) {
      throw new IllegalArgumentException(
          "expected a burst in [1, " + MAX + "] requests, found " + burst);
    }
  }
}
