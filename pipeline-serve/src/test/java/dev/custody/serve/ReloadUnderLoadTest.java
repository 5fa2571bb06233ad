package dev.custody.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads of a tampered, an older and a valid newer model while 8 clients keep predicting: no
 * request fails, and every answer names a model that verified.
 */
class ReloadUnderLoadTest {
  @TempDir Path work;

  @Test
  @Timeout(120)
  void load_whileEightClientsPredict_noFailureAndOnlyVerifiedDigests() throws Exception {
    Path chains = TestChains.copyTo(work.resolve("chains"));
    Path tampered = ServerLifecycleTestSupport.tamperedCopy(chains.resolve("a"), work.resolve("t"));
    try (ModelServer server =
        ModelServer.builder(chains.resolve("b"), TestChains.policy(chains))
            .port(0)
            .build()
            .start()) {
      String v1 = server.model().rootDigest().toString();
      Http admin = new Http(server);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger answered = new AtomicInteger();
      Map<String, Integer> failures = new ConcurrentHashMap<>();
      Set<String> digests = ConcurrentHashMap.newKeySet();
      ExecutorService clients = Executors.newFixedThreadPool(8);
      List<Future<?>> running = new ArrayList<>();
      String body = Requests.infer(Requests.ROW);
      for (int t = 0; t < 8; t++) {
        running.add(
            clients.submit(
                () -> {
                  Http http = new Http(server);
                  while (!stop.get()) {
                    HttpResponse<String> r = http.postJson("/v2/models/credit-rf/infer", body);
                    if (r.statusCode() != 200) {
                      failures.merge(r.statusCode() + " " + r.body(), 1, Integer::sum);
                    }
                    digests.add(r.headers().firstValue("Custody-Model-Digest").orElse("none"));
                    answered.incrementAndGet();
                  }
                  return null;
                }));
      }
      List<Integer> statuses = new ArrayList<>();
      String v2 = null;
      for (Path dir :
          List.of(
              tampered, chains.resolve("a"), chains.resolve("b"), tampered, chains.resolve("a"))) {
        awaitMore(answered, 20);
        statuses.add(ServerLifecycleTest.load(admin, dir).statusCode());
        if (dir.equals(chains.resolve("a"))) {
          v2 = server.model().rootDigest().toString();
        }
      }
      awaitMore(answered, 20);
      stop.set(true);
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }
      clients.shutdown();

      assertThat(statuses).containsExactly(409, 200, 409, 409, 200);
      assertThat(failures).isEmpty();
      assertThat(digests).isSubsetOf(v1, v2).contains(v2);
    }
  }

  /** Waits until the clients have answered {@code n} more requests. */
  private static void awaitMore(AtomicInteger answered, int n) throws InterruptedException {
    int target = answered.get() + n;
    while (answered.get() < target) {
      Thread.sleep(5);
    }
  }
}
