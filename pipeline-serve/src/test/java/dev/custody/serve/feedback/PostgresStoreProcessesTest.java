package dev.custody.serve.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.ForkedJvm;
import dev.custody.core.feedback.FeedbackRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two separate JVM processes append to one PostgreSQL database at the same time, as two server
 * replicas do: nothing is lost, nothing is recorded twice, and every chain verifies.
 */
@Tag("postgres")
class PostgresStoreProcessesTest {
  private static final int SHARED = 60;
  private static final int OWN = 120;
  private static final Pattern RESULT = Pattern.compile("appended=(\\d+) duplicates=(\\d+)");

  @TempDir static Path dir;
  private static TestPostgres pg;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = TestPostgres.start(dir);
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    pg.close();
  }

  @ParameterizedTest(name = "replicas {0} and {1}")
  @CsvSource({"replica-a, replica-b", "same-name, same-name"})
  void append_twoProcessesConcurrently_nothingLostOrDuplicatedAndChainsVerify(
      String first, String second) throws Exception {
    String location = pg.newDatabase();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<ForkedJvm.Result> results = new ArrayList<>();
    try {
      List<Future<ForkedJvm.Result>> children = new ArrayList<>();
      for (String replica : List.of(first, second)) {
        children.add(
            pool.submit(
                () ->
                    ForkedJvm.run(
                        PostgresAppender.class,
                        Duration.ofMinutes(3),
                        location,
                        replica,
                        Integer.toString(SHARED),
                        Integer.toString(OWN))));
      }
      for (Future<ForkedJvm.Result> child : children) {
        results.add(child.get());
      }
    } finally {
      pool.shutdownNow();
    }

    long appended = 0;
    long duplicates = 0;
    for (ForkedJvm.Result result : results) {
      assertThat(result.exitCode()).as(result.stderr()).isZero();
      Matcher m = RESULT.matcher(result.stdout());
      assertThat(m.find()).as(result.stdout()).isTrue();
      appended += Long.parseLong(m.group(1));
      duplicates += Long.parseLong(m.group(2));
    }
    List<FeedbackRecord> all;
    try (PostgresStore store = PostgresStore.open(location, Optional.of("reader"))) {
      all = store.readAll(); // verifies every chain
    }
    // Each shared entry once overall, each process's own entries all there: 60 + 2 x 120.
    assertThat(all).hasSize(SHARED + 2 * OWN);
    assertThat(appended).isEqualTo(SHARED + 2 * OWN);
    assertThat(duplicates).isEqualTo(SHARED);
    Map<String, Long> perInput =
        all.stream()
            .collect(
                Collectors.groupingBy(
                    r -> r.entry().client() + "|" + r.entry().input().get("text"),
                    Collectors.counting()));
    assertThat(perInput).hasSize(SHARED + 2 * OWN).allSatisfy((k, n) -> assertThat(n).isOne());
    assertThat(all.stream().map(FeedbackRecord::chain).distinct())
        .containsExactlyInAnyOrder(
            List.of(first, second).stream().distinct().toArray(String[]::new));
  }
}
