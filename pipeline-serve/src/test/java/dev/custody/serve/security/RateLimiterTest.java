package dev.custody.serve.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.serve.security.RateLimiter.Decision;
import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(42 * SECOND);

  private RateLimiter limiter(double rate, int burst, int maxKeys) {
    return new RateLimiter(new RateLimit(rate, burst), maxKeys, now::get);
  }

  @Test
  void acquire_withinBurst_allowsThenRefusesWithRetryAfter() {
    RateLimiter l = limiter(2, 3, 10);

    for (int i = 0; i < 3; i++) {
      assertThat(l.acquire("a")).isEqualTo(new Decision(true, 0));
    }
    // Empty bucket at 2/s: one request's worth in 0.5 s, rounded up to whole seconds.
    assertThat(l.acquire("a")).isEqualTo(new Decision(false, 1));
  }

  @Test
  void acquire_slowRate_retryAfterIsCeilingOfTheWait() {
    RateLimiter l = limiter(0.25, 1, 10);

    assertThat(l.acquire("a").allowed()).isTrue();
    assertThat(l.acquire("a")).isEqualTo(new Decision(false, 4));
    now.addAndGet(SECOND);
    assertThat(l.acquire("a")).isEqualTo(new Decision(false, 3));
    now.addAndGet(2 * SECOND + SECOND / 2);
    assertThat(l.acquire("a")).isEqualTo(new Decision(false, 1));
    now.addAndGet(SECOND / 2);
    assertThat(l.acquire("a").allowed()).isTrue();
  }

  @Test
  void acquire_afterWaiting_refillsUpToBurstOnly() {
    RateLimiter l = limiter(10, 5, 10);
    for (int i = 0; i < 5; i++) {
      l.acquire("a");
    }
    now.addAndGet(3600 * SECOND);

    int allowed = 0;
    while (l.acquire("a").allowed()) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(5);
  }

  @Test
  void acquire_clockGoingBackwards_neverRefills() {
    RateLimiter l = limiter(1, 1, 10);
    l.acquire("a");
    now.addAndGet(-10 * SECOND);

    assertThat(l.acquire("a").allowed()).isFalse();
  }

  @Test
  void acquire_keys_haveSeparateBuckets() {
    RateLimiter l = limiter(1, 1, 10);

    assertThat(l.acquire("a").allowed()).isTrue();
    assertThat(l.acquire("a").allowed()).isFalse();
    assertThat(l.acquire("b").allowed()).isTrue();
  }

  @Test
  void acquire_clientWithOwnLimit_usesItOverTheDefault() {
    RateLimiter l = limiter(1, 1, 10);
    Client generous = new Client("batch", Role.INFER, Optional.of(new RateLimit(100, 50)));
    Client plain = new Client("ci", Role.INFER);

    int allowed = 0;
    while (l.acquire(generous).allowed()) {
      allowed++;
    }
    assertThat(allowed).isEqualTo(50);
    assertThat(l.acquire(plain).allowed()).isTrue();
    assertThat(l.acquire(plain).allowed()).isFalse();
  }

  @Test
  void acquire_manyKeys_keepsAtMostMaxKeysDroppingLeastRecentlyUsed() {
    RateLimiter l = limiter(1, 1, 3);
    l.acquire("a");
    l.acquire("b");
    l.acquire("c");
    l.acquire("a"); // a is now the most recently used; b the least
    l.acquire("d");

    assertThat(l.size()).isEqualTo(3);
    assertThat(l.acquire("a").allowed()).as("a kept its empty bucket").isFalse();
    assertThat(l.acquire("b").allowed()).as("b was dropped: a new full bucket").isTrue();
  }

  @Test
  void acquire_sprayOfAddresses_staysBounded() throws Exception {
    RateLimiter l = limiter(1, 1, 10_000);
    for (int i = 0; i < 50_000; i++) {
      byte[] a = {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i};
      l.acquire(RateLimiter.addressKey(InetAddress.getByAddress(a)));
    }

    assertThat(l.size()).isEqualTo(10_000);
  }

  @Test
  void addressKey_ipv4_isTheAddress() throws Exception {
    assertThat(RateLimiter.addressKey(InetAddress.getByName("192.0.2.7"))).isEqualTo("192.0.2.7");
  }

  @Test
  void addressKey_ipv6_isItsSlash64() throws Exception {
    String a = RateLimiter.addressKey(InetAddress.getByName("2001:db8:0:1:aaaa:bbbb:cccc:dddd"));
    String b = RateLimiter.addressKey(InetAddress.getByName("2001:db8:0:1::1"));

    assertThat(a).isEqualTo("2001:db8:0:1::/64").isEqualTo(b);
    assertThat(RateLimiter.addressKey(InetAddress.getByName("2001:db8:0:2::1"))).isNotEqualTo(a);
  }

  @Test
  void rateLimit_limits_areInclusive() {
    assertThat(new RateLimit(RateLimit.MAX, RateLimit.MAX).burst()).isEqualTo(1_000_000);
    assertThat(new RateLimit(0.5, 1).perSecond()).isEqualTo(0.5);
    assertThatThrownBy(() -> new RateLimit(RateLimit.MAX + 1.0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RateLimit(1, RateLimit.MAX + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new RateLimiter(new RateLimit(1, 1), 1, now::get).acquire("a").allowed()).isTrue();
  }

  @Test
  void of_limit_isTheDefaultForKeysWithoutTheirOwn() {
    RateLimiter l = RateLimiter.of(new RateLimit(1, 2));

    assertThat(l.defaultLimit()).isEqualTo(new RateLimit(1, 2));
    assertThat(l.acquire("a").allowed()).isTrue();
    assertThat(l.acquire("a").allowed()).isTrue();
  }

  @Test
  void rateLimit_outOfRange_throws() {
    assertThatThrownBy(() -> new RateLimit(0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RateLimit(Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RateLimit(1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RateLimiter(new RateLimit(1, 1), 0, now::get))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
