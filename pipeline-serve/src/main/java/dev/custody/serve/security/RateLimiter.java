package dev.custody.serve.security;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Token buckets, one per key (a client id, or a client address when the server has no tokens): each
 * allows {@link RateLimit#burst} requests at once and refills at {@link RateLimit#perSecond}. A
 * refused request is told how many whole seconds to wait ({@code Retry-After}).
 *
 * <p>Memory is bounded: at most {@code maxKeys} buckets are kept, and the least recently used one
 * is dropped to make room, so a client that sprays source addresses cannot grow it. A dropped key
 * starts again with a full bucket: per-address limiting slows down one address, it does not stop a
 * client with many. IPv6 addresses are limited per /64 ({@link #addressKey}), the block one host
 * usually has.
 *
 * <p>Thread-safe. Time comes from a {@link LongSupplier} of nanoseconds ({@link System#nanoTime} in
 * the server, a fake clock in tests).
 */
public final class RateLimiter {
  /** Default most buckets kept. */
  public static final int DEFAULT_MAX_KEYS = 10_000;

  private static final double NANOS_PER_SECOND = 1e9;

  private final RateLimit defaultLimit;
  private final int maxKeys;
  private final LongSupplier nanoTime;
  // Access order: iteration starts at the least recently used bucket.
  private final LinkedHashMap<String, Bucket> buckets = new LinkedHashMap<>(64, 0.75f, true);

  /**
   * Whether a request may go ahead, and if not, when to retry.
   *
   * @param allowed whether the request may go ahead
   * @param retryAfterSeconds when refused, whole seconds until a request would be allowed (at least
   *     1); 0 when allowed
   */
  public record Decision(boolean allowed, long retryAfterSeconds) {
    private static final Decision ALLOWED = new Decision(true, 0);
  }

  private static final class Bucket {
    double tokens;
    long updated;

    Bucket(double tokens, long updated) {
      this.tokens = tokens;
      this.updated = updated;
    }
  }

  /**
   * A limiter.
   *
   * @param defaultLimit the limit of a key acquired without one of its own
   * @param maxKeys most buckets kept, at least 1
   * @param nanoTime the clock, in nanoseconds ({@link System#nanoTime})
   */
  public RateLimiter(RateLimit defaultLimit, int maxKeys, LongSupplier nanoTime) {
    this.defaultLimit = Objects.requireNonNull(defaultLimit, "defaultLimit");
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1, got " + maxKeys);
    }
    this.maxKeys = maxKeys;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /** A limiter of {@link #DEFAULT_MAX_KEYS} buckets on {@link System#nanoTime}. */
  public static RateLimiter of(RateLimit defaultLimit) {
    return new RateLimiter(defaultLimit, DEFAULT_MAX_KEYS, System::nanoTime);
  }

  /** The limit of a key acquired without one of its own. */
  public RateLimit defaultLimit() {
    return defaultLimit;
  }

  /** Takes one request from {@code client}'s bucket, under its own limit or the default. */
  public Decision acquire(Client client) {
    return acquire(client.id(), client.rate().orElse(defaultLimit));
  }

  /** Takes one request from {@code key}'s bucket under the default limit. */
  public Decision acquire(String key) {
    return acquire(key, defaultLimit);
  }

  /** Takes one request from {@code key}'s bucket under {@code limit}. */
  public Decision acquire(String key, RateLimit limit) {
    long now = nanoTime.getAsLong();
    synchronized (buckets) {
      Bucket b = buckets.get(key);
      if (b == null) {
        b = new Bucket(limit.burst(), now);
        buckets.put(key, b);
        evictBeyondMax();
      } else {
        // nanoTime may be read out of order by two threads: never refill backwards.
        long elapsed = Math.max(0, now - b.updated);
        b.tokens =
            Math.min(limit.burst(), b.tokens + elapsed / NANOS_PER_SECOND * limit.perSecond());
        b.updated = Math.max(b.updated, now);
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return Decision.ALLOWED;
      }
      double wait = (1 - b.tokens) / limit.perSecond();
      return new Decision(false, Math.max(1, (long) Math.ceil(wait)));
    }
  }

  private void evictBeyondMax() {
    Iterator<Bucket> lru = buckets.values().iterator();
    while (buckets.size() > maxKeys) {
      lru.next();
      lru.remove();
    }
  }

  /** How many buckets are kept now. */
  public int size() {
    synchronized (buckets) {
      return buckets.size();
    }
  }

  /**
   * The key to limit a client address by: an IPv4 address as is, an IPv6 address by its /64 prefix
   * ({@code 2001:db8:0:1::/64}), since one host usually holds a whole /64.
   */
  public static String addressKey(InetAddress address) {
    if (address instanceof Inet4Address) {
      return address.getHostAddress();
    }
    byte[] a = address.getAddress();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 8; i += 2) {
      b.append(Integer.toHexString(((a[i] & 0xff) << 8) | (a[i + 1] & 0xff))).append(':');
    }
    return b.append(":/64").toString();
  }
}
