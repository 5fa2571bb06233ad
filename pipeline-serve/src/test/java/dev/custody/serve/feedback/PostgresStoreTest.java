package dev.custody.serve.feedback;

import static dev.custody.serve.feedback.Entries.T0;
import static dev.custody.serve.feedback.Entries.ham;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.feedback.FeedbackRecord;
import dev.custody.serve.feedback.FeedbackStore.Appended;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PostgresStore} against a real PostgreSQL: chains, de-duplication, tampering, failures. */
@Tag("postgres")
class PostgresStoreTest {
  @TempDir static Path dir;
  private static TestPostgres pg;

  private String location;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = TestPostgres.start(dir);
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    pg.close();
  }

  @BeforeEach
  void newDatabase() throws SQLException {
    location = pg.newDatabase();
  }

  private PostgresStore open(String replica) throws PipelineException {
    return PostgresStore.open(location, Optional.of(replica));
  }

  @Test
  void append_threeEntries_chainsThemFromGenesisAndReadsThemBack() throws Exception {
    try (PostgresStore store = open("replica-a")) {
      FeedbackRecord first = store.append(ham("alice", "win a prize", 0)).record();
      FeedbackRecord second = store.append(ham("alice", "call now", 1)).record();
      FeedbackRecord third = store.append(ham("bob", "win a prize", 2)).record();

      assertThat(List.of(first.sequence(), second.sequence(), third.sequence()))
          .containsExactly(1L, 2L, 3L);
      assertThat(first.chain()).isEqualTo("replica-a");
      assertThat(first.previous()).isEqualTo(FeedbackRecord.GENESIS);
      assertThat(second.previous()).isEqualTo(first.hash());
      assertThat(third.previous()).isEqualTo(second.hash());
      assertThat(store.readAll()).containsExactly(first, second, third);
      assertThat(store.heads()).containsExactly(third);
    }
  }

  @Test
  void heads_twoReplicas_lastRecordOfEachChain() throws Exception {
    try (PostgresStore a = open("a");
        PostgresStore b = open("b")) {
      a.append(ham("alice", "one", 0));
      FeedbackRecord lastA = a.append(ham("alice", "two", 1)).record();
      FeedbackRecord onlyB = b.append(ham("bob", "three", 2)).record();

      assertThat(a.heads()).containsExactly(lastA, onlyB);
      assertThat(b.readAll()).hasSize(3);
    }
  }

  @Test
  void readAll_emptyDatabase_noRecords() throws Exception {
    try (PostgresStore store = open("a")) {
      assertThat(store.readAll()).isEmpty();
      assertThat(store.heads()).isEmpty();
    }
  }

  @Test
  void countSince_recordsOfOneClient_countsFromTheGivenInstant() throws Exception {
    try (PostgresStore store = open("a")) {
      for (int i = 0; i < 5; i++) {
        store.append(ham("alice", "message " + i, 60L * i));
      }
      store.append(ham("bob", "message 0", 0));
      store.append(ham("alice", "message 0", 300)); // duplicate: not a new record

      assertThat(store.countSince("alice", T0)).isEqualTo(5);
      assertThat(store.countSince("alice", T0.plusSeconds(120))).isEqualTo(3);
      assertThat(store.countSince("bob", T0.plusSeconds(1))).isZero();
      assertThat(store.countSince("carol", T0)).isZero();
    }
  }

  @Test
  void append_sameClientSameInputTwice_secondIsDuplicateOfFirst() throws Exception {
    try (PostgresStore store = open("a")) {
      Appended first = store.append(ham("alice", "free ringtones", 0));
      Appended again = store.append(ham("alice", "free ringtones", 30));

      assertThat(first.duplicate()).isFalse();
      assertThat(again.duplicate()).isTrue();
      assertThat(again.record()).isEqualTo(first.record());
      assertThat(store.readAll()).containsExactly(first.record());
    }
  }

  @Test
  void append_sameInputFromOtherClientOrForOtherModel_isNewRecord() throws Exception {
    try (PostgresStore store = open("a")) {
      store.append(ham("alice", "free ringtones", 0));
      Appended otherClient = store.append(ham("bob", "free ringtones", 1));
      Appended otherModel =
          store.append(Entries.entry("other-model", "alice", "free ringtones", 2));

      assertThat(otherClient.duplicate()).isFalse();
      assertThat(otherModel.duplicate()).isFalse();
      assertThat(store.readAll()).hasSize(3);
    }
  }

  @Test
  void append_sameInputThroughTwoReplicas_recordedOnceInTheFirstChain() throws Exception {
    try (PostgresStore a = open("a");
        PostgresStore b = open("b")) {
      Appended viaA = a.append(ham("alice", "free ringtones", 0));
      Appended viaB = b.append(ham("alice", "free ringtones", 1));

      assertThat(viaB.duplicate()).isTrue();
      assertThat(viaB.record()).isEqualTo(viaA.record());
      assertThat(viaB.record().chain()).isEqualTo("a");
      assertThat(b.readAll()).containsExactly(viaA.record());
    }
  }

  @Test
  void readAll_lineChangedBySqlUpdate_throwsInvalidNamingChainAndSequence() throws Exception {
    try (PostgresStore store = open("replica-a")) {
      appendThree(store);
      sql(
          "UPDATE custody_feedback SET line = convert_to(replace(convert_from(line, 'UTF8'),"
              + " '\"label\":\"ham\"', '\"label\":\"spam\"'), 'UTF8')"
              + " WHERE chain = 'replica-a' AND seq = 2");

      assertInvalid(store, "feedback chain 'replica-a' at sequence 2", "SHA-256");
    }
  }

  @Test
  void readAll_lineAndItsHashRewritten_throwsInvalidAtTheNextLink() throws Exception {
    try (PostgresStore store = open("replica-a")) {
      appendThree(store);
      // Whoever rewrites a record and its hash column still breaks the next record's link.
      sql(
          "UPDATE custody_feedback SET line = convert_to(replace(convert_from(line, 'UTF8'),"
              + " '\"label\":\"ham\"', '\"label\":\"spam\"'), 'UTF8') WHERE seq = 2");
      sql("UPDATE custody_feedback SET hash = encode(sha256(line), 'hex') WHERE seq = 2");

      assertInvalid(store, "feedback chain 'replica-a' at sequence 3", "previous hash");
    }
  }

  @Test
  void readAll_rowDeletedInTheMiddle_throwsInvalidNamingTheGap() throws Exception {
    try (PostgresStore store = open("replica-a")) {
      appendThree(store);
      sql("DELETE FROM custody_feedback WHERE seq = 2");

      assertInvalid(
          store, "feedback chain 'replica-a' at sequence 2", "expected sequence 2, found 3");
    }
  }

  @Test
  void readAll_clientColumnChanged_throwsInvalid() throws Exception {
    try (PostgresStore store = open("replica-a")) {
      appendThree(store);
      // A changed column would let the same client evade de-duplication and its quota.
      sql("UPDATE custody_feedback SET client = 'mallory' WHERE seq = 1");

      assertInvalid(
          store,
          "feedback chain 'replica-a' at sequence 1",
          "client column: expected alice, found mallory");
    }
  }

  @Test
  void open_manyReplicasAtOnceOnAFreshDatabase_allCreateOrFindTheSchema() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<Appended>> appends = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        String replica = "r" + i;
        Callable<Appended> task =
            () -> {
              try (PostgresStore store = open(replica)) {
                return store.append(ham(replica, "hello", 0));
              }
            };
        appends.add(pool.submit(task));
      }
      for (Future<Appended> append : appends) {
        assertThat(append.get().duplicate()).isFalse();
      }
    } finally {
      pool.shutdownNow();
    }
    try (PostgresStore store = open("r0")) {
      assertThat(store.readAll()).hasSize(6);
    }
  }

  @Test
  void open_postgresqlUrlThroughFeedbackStores_opensThePostgresStore() throws Exception {
    try (FeedbackStore store = FeedbackStores.open(location, Optional.of("replica-a"))) {
      assertThat(store).isInstanceOf(PostgresStore.class);
      assertThat(store.append(ham("alice", "hello", 0)).record().chain()).isEqualTo("replica-a");
    }
  }

  @Test
  void open_noReplicaGiven_chainIsTheHostName() throws Exception {
    try (PostgresStore store = PostgresStore.open(location, Optional.empty())) {
      assertThat(store.chain()).isEqualTo(InetAddress.getLocalHost().getHostName());
    }
  }

  @Test
  void open_replicaNameWithSpaces_throwsMalformed() {
    assertThatThrownBy(() -> open("replica a"))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("found 'replica a'");
  }

  @Test
  void append_afterTheServerDroppedIdleConnections_opensNewOnes() throws Exception {
    try (PostgresStore store = open("a")) {
      store.append(ham("alice", "before", 0));
      try (Connection c = pg.superuser("postgres");
          Statement s = c.createStatement()) {
        s.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '"
                + TestPostgres.USER
                + "'");
      }

      assertThat(store.append(ham("alice", "after", 1)).record().sequence()).isEqualTo(2);
    }
  }

  @Test
  void append_afterClose_throwsIllegalState() throws Exception {
    PostgresStore store = open("a");
    store.close();

    assertThatThrownBy(() -> store.append(ham("alice", "late", 0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageEndingWith("is closed");
  }

  @Test
  void open_wrongPassword_throwsUnavailableWithoutThePassword() {
    String wrong = pg.location(TestPostgres.database(location), "not-the-password-42");

    assertThatThrownBy(() -> PostgresStore.open(wrong, Optional.of("a")))
        .isInstanceOfSatisfying(
            PipelineException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.FEEDBACK_STORE_UNAVAILABLE))
        .hasMessageContaining("password authentication failed")
        .hasMessageContaining("postgresql://localhost:" + pg.port())
        .hasMessageNotContaining("not-the-password-42")
        .hasNoCause();
  }

  @Test
  void open_unreachablePort_throwsUnavailableWithoutThePassword() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String unreachable =
        "postgresql://127.0.0.1:" + closedPort + "/feedback?user=custody&password=hunter2-xyz";

    assertThatThrownBy(() -> PostgresStore.open(unreachable, Optional.of("a")))
        .isInstanceOfSatisfying(
            PipelineException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.FEEDBACK_STORE_UNAVAILABLE))
        .hasMessageContaining("127.0.0.1:" + closedPort)
        .hasMessageNotContaining("hunter2-xyz")
        .hasNoCause();
  }

  @Test
  void describe_locationWithPassword_showsUrlAndChainWithoutPassword() throws Exception {
    try (PostgresStore store = open("replica-a")) {
      assertThat(store.describe())
          .isEqualTo(
              "postgresql://localhost:"
                  + pg.port()
                  + "/"
                  + TestPostgres.database(location)
                  + "?user=custody (chain replica-a)")
          .doesNotContain(TestPostgres.PASSWORD);
    }
  }

  private static void appendThree(PostgresStore store) throws PipelineException {
    store.append(ham("alice", "one", 0));
    store.append(ham("alice", "two", 1));
    store.append(ham("alice", "three", 2));
  }

  private void sql(String statement) throws SQLException {
    try (Connection c = pg.superuser(TestPostgres.database(location));
        Statement s = c.createStatement()) {
      assertThat(s.executeUpdate(statement)).isEqualTo(1);
    }
  }

  private static void assertInvalid(PostgresStore store, String where, String what) {
    assertThatThrownBy(store::readAll)
        .isInstanceOfSatisfying(
            PipelineException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.FEEDBACK_STORE_INVALID))
        .hasMessageStartingWith(where)
        .hasMessageContaining(what);
  }
}
