package dev.custody.serve.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.feedback.FeedbackEntry;
import dev.custody.core.feedback.FeedbackJson;
import dev.custody.core.feedback.FeedbackRecord;
import dev.custody.core.feedback.FeedbackStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JournalStoreTest {
  static final Instant T0 = Instant.parse("2026-12-07T14:00:00.123Z");
  static final Sha256 MODEL = Sha256.of("model".getBytes(StandardCharsets.UTF_8));
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-07T15:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  static FeedbackEntry entry(String client, String text, int minute) {
    Map<String, String> input = Map.of("text", text);
    return new FeedbackEntry(
        client,
        T0.plusSeconds(60L * minute),
        "sms-spam",
        MODEL,
        input,
        FeedbackJson.inputDigest(input),
        "ham",
        "spam",
        0.98,
        minute % 2 == 0 ? FeedbackStatus.ACCEPTED : FeedbackStatus.QUARANTINED,
        "recorded",
        Optional.empty());
  }

  private Path journal() {
    return dir.resolve("feedback.journal");
  }

  /** A journal with records "m0".."m3" from alice. */
  private List<FeedbackRecord> fourRecords() throws PipelineException {
    List<FeedbackRecord> out = new ArrayList<>();
    try (JournalStore s = JournalStore.open(journal(), CLOCK)) {
      for (int i = 0; i < 4; i++) {
        out.add(s.append(entry("alice", "m" + i, i)).record());
      }
    }
    return out;
  }

  private List<String> lines() throws Exception {
    return new ArrayList<>(Files.readAllLines(journal(), StandardCharsets.UTF_8));
  }

  private void writeLines(List<String> lines) throws Exception {
    Files.write(journal(), (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private AbstractThrowableAssert<?, ? extends Throwable> assertOpenRefused(Reason reason) {
    return assertThatThrownBy(() -> JournalStore.open(journal(), CLOCK).close())
        .isInstanceOf(PipelineException.class)
        .satisfies(e -> assertThat(((PipelineException) e).reason()).isEqualTo(reason));
  }

  @Test
  void append_thenReopen_readAllReturnsTheSameVerifiedChain() throws Exception {
    List<FeedbackRecord> written = fourRecords();

    try (JournalStore s = JournalStore.open(journal(), CLOCK)) {
      assertThat(s.readAll()).containsExactlyElementsOf(written);
      assertThat(s.heads()).containsExactly(written.get(3));
      assertThat(s.describe()).isEqualTo(journal().toAbsolutePath().toString());
    }
    assertThat(written.get(0).previous()).isEqualTo(FeedbackRecord.GENESIS);
    for (int i = 1; i < 4; i++) {
      assertThat(written.get(i).sequence()).isEqualTo(i + 1);
      assertThat(written.get(i).previous()).isEqualTo(written.get(i - 1).hash());
    }
    List<String> lines = lines();
    assertThat(lines).hasSize(4);
    for (int i = 0; i < 4; i++) {
      byte[] line = lines.get(i).getBytes(StandardCharsets.UTF_8);
      assertThat(line)
          .isEqualTo(
              FeedbackJson.line(
                  i + 1, JournalStore.CHAIN, written.get(i).entry(), written.get(i).previous()));
      assertThat(written.get(i).hash()).isEqualTo(Sha256.of(line));
    }
  }

  @Test
  void append_sameClientAndInputAfterReopen_isDuplicateAndRecordsNothing() throws Exception {
    List<FeedbackRecord> written = fourRecords();
    long size = Files.size(journal());

    try (JournalStore s = JournalStore.open(journal(), CLOCK)) {
      FeedbackStore.Appended again = s.append(entry("alice", "m1", 30));
      assertThat(again.duplicate()).isTrue();
      assertThat(again.record()).isEqualTo(written.get(1));
      assertThat(s.append(entry("bob", "m1", 30)).duplicate()).isFalse();
    }
    assertThat(Files.size(journal())).isGreaterThan(size);
    assertThat(lines()).hasSize(5);
  }

  @Test
  void countSince_afterReopen_countsEachClientsRecordsFromThatTime() throws Exception {
    fourRecords();
    try (JournalStore s = JournalStore.open(journal(), CLOCK)) {
      s.append(entry("bob", "b", 10));
      assertThat(s.countSince("alice", T0)).isEqualTo(4);
      assertThat(s.countSince("alice", T0.plusSeconds(120))).isEqualTo(2);
      assertThat(s.countSince("bob", T0)).isEqualTo(1);
      assertThat(s.countSince("carol", T0)).isZero();
      s.append(entry("alice", "m0", 40)); // a duplicate is not counted
      assertThat(s.countSince("alice", T0)).isEqualTo(4);
    }
  }

  static Stream<Arguments> tornTails() {
    return Stream.of(
        arguments("half a line", (TailMaker) last -> Arrays.copyOf(last, last.length / 2)),
        arguments("a whole line without its newline", (TailMaker) last -> last),
        arguments(
            "garbage bytes",
            (TailMaker) last -> new byte[] {0, 0, 0, (byte) 0xff, 'x', 0x1b, '[', '2', 'J'}),
        arguments(
            "a last line that does not parse",
            (TailMaker) last -> "{\"seq\":\n".getBytes(StandardCharsets.UTF_8)));
  }

  /** Makes the torn tail from a real record line of the same journal (without its newline). */
  interface TailMaker {
    byte[] tail(byte[] lastLine);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tornTails")
  void open_tornLastLine_movesItAsideAndKeepsTheWholeRecords(String name, TailMaker maker)
      throws Exception {
    List<FeedbackRecord> written = fourRecords();
    List<String> lines = lines();
    byte[] torn = maker.tail(lines.get(3).getBytes(StandardCharsets.UTF_8));
    // The journal as a crash during the 4th append leaves it: 3 whole records and a torn one.
    byte[] threeRecords =
        (String.join("\n", lines.subList(0, 3)) + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] crashed = Arrays.copyOf(threeRecords, threeRecords.length + torn.length);
    System.arraycopy(torn, 0, crashed, threeRecords.length, torn.length);
    Files.write(journal(), crashed);
    List<LogRecord> logged = new CopyOnWriteArrayList<>();
    Handler h = capture(logged);
    Logger log = Logger.getLogger(JournalStore.class.getName());
    log.addHandler(h);
    try (JournalStore s = JournalStore.open(journal(), CLOCK)) {
      assertThat(s.readAll()).containsExactlyElementsOf(written.subList(0, 3));
      FeedbackRecord next = s.append(entry("bob", "after the crash", 9)).record();
      assertThat(next.sequence()).isEqualTo(4);
      assertThat(next.previous()).isEqualTo(written.get(2).hash());
    } finally {
      log.removeHandler(h);
    }

    Path aside = dir.resolve("feedback.journal.torn-20261207T150000.000Z");
    assertThat(aside).hasBinaryContent(torn);
    assertThat(Files.getPosixFilePermissions(aside))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (JournalStore s = JournalStore.open(journal(), CLOCK)) {
      assertThat(s.readAll()).hasSize(4);
    }
    assertThat(logged)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getLevel()).isEqualTo(Level.WARNING);
              assertThat(r.getMessage())
                  .contains("line 4")
                  .contains("moved its " + torn.length + " bytes to " + aside)
                  .contains("3 whole records")
                  .doesNotContain("\u001b");
            });
  }

  private static Handler capture(List<LogRecord> into) {
    return new Handler() {
      @Override
      public void publish(LogRecord r) {
        into.add(r);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  @Test
  void open_tornLineTwiceInOneMillisecond_keepsBothAside() throws Exception {
    fourRecords();
    Files.write(
        journal(),
        "{\"torn".getBytes(StandardCharsets.UTF_8),
        java.nio.file.StandardOpenOption.APPEND);
    JournalStore.open(journal(), CLOCK).close();
    Files.write(
        journal(),
        "{\"again".getBytes(StandardCharsets.UTF_8),
        java.nio.file.StandardOpenOption.APPEND);
    JournalStore.open(journal(), CLOCK).close();

    assertThat(dir.resolve("feedback.journal.torn-20261207T150000.000Z")).hasContent("{\"torn");
    assertThat(dir.resolve("feedback.journal.torn-20261207T150000.000Z-1")).hasContent("{\"again");
  }

  @Test
  void open_changedByteInTheMiddle_isInvalidNamingTheNextLine() throws Exception {
    fourRecords();
    List<String> lines = lines();
    lines.set(1, lines.get(1).replace("\"label\":\"ham\"", "\"label\":\"hbm\""));
    writeLines(lines);

    assertOpenRefused(Reason.FEEDBACK_STORE_INVALID)
        .hasMessageContaining("line 3: expected prev ")
        .hasMessageContaining("(the hash of sequence 2)")
        .hasMessageContaining("changed or removed");
  }

  @Test
  void open_unparsableLineInTheMiddle_isInvalidNamingIt() throws Exception {
    fourRecords();
    List<String> lines = lines();
    lines.set(1, lines.get(1).substring(0, 40));
    writeLines(lines);

    assertOpenRefused(Reason.FEEDBACK_STORE_INVALID)
        .hasMessageContaining("line 2: expected a feedback record, found: ");
  }

  @Test
  void open_droppedLine_isInvalidNamingIt() throws Exception {
    fourRecords();
    List<String> lines = lines();
    lines.remove(1);
    writeLines(lines);

    assertOpenRefused(Reason.FEEDBACK_STORE_INVALID)
        .hasMessageContaining("line 2: expected sequence 2 of chain 'journal', found 3");
  }

  @Test
  void open_swappedLines_isInvalidNamingTheFirst() throws Exception {
    fourRecords();
    List<String> lines = lines();
    String second = lines.get(1);
    lines.set(1, lines.get(2));
    lines.set(2, second);
    writeLines(lines);

    assertOpenRefused(Reason.FEEDBACK_STORE_INVALID)
        .hasMessageContaining("line 2: expected sequence 2 of chain 'journal', found 3");
  }

  @Test
  void open_recordOfAnotherChain_isInvalid() throws Exception {
    List<FeedbackRecord> written = fourRecords();
    List<String> lines = lines();
    lines.set(
        0,
        new String(
            FeedbackJson.line(1, "replica-a", written.get(0).entry(), FeedbackRecord.GENESIS),
            StandardCharsets.UTF_8));
    writeLines(lines);

    assertOpenRefused(Reason.FEEDBACK_STORE_INVALID)
        .hasMessageContaining("line 1: expected chain 'journal', found 'replica-a'");
  }

  @Test
  @Timeout(30)
  void open_lineLongerThanTheBound_isInvalidWithoutReadingItWhole() throws Exception {
    fourRecords();
    byte[] huge = new byte[FeedbackJson.MAX_LINE_BYTES + 10];
    Arrays.fill(huge, (byte) 'x');
    huge[huge.length - 1] = '\n';
    Files.write(journal(), huge, java.nio.file.StandardOpenOption.APPEND);
    Files.write(
        journal(),
        "more\n".getBytes(StandardCharsets.UTF_8),
        java.nio.file.StandardOpenOption.APPEND);

    assertOpenRefused(Reason.FEEDBACK_STORE_INVALID)
        .hasMessageContaining("line 5: expected a record of at most 1048576 bytes, found more");
  }

  @Test
  void open_sameFileTwice_refusesTheSecondWhileTheFirstIsOpen() throws Exception {
    try (JournalStore first = JournalStore.open(journal(), CLOCK)) {
      assertOpenRefused(Reason.FEEDBACK_STORE_UNAVAILABLE)
          .hasMessageContaining(journal().toString())
          .hasMessageContaining("locked by another server");
      first.append(entry("alice", "still writable", 0));
    }
    try (JournalStore again = JournalStore.open(journal(), CLOCK)) {
      assertThat(again.readAll()).hasSize(1);
    }
  }

  @Test
  void open_missingFile_createsItOwnerOnly() throws Exception {
    JournalStore.open(journal(), CLOCK).close();

    assertThat(journal()).isEmptyFile();
    assertThat(Files.getPosixFilePermissions(journal()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void open_directory_isUnavailable() throws Exception {
    Files.createDirectory(journal());

    assertOpenRefused(Reason.FEEDBACK_STORE_UNAVAILABLE).hasMessageContaining("a directory");
  }

  @Test
  void append_afterClose_isRefused() throws Exception {
    JournalStore s = JournalStore.open(journal(), CLOCK);
    s.close();

    assertThatThrownBy(() -> s.append(entry("alice", "late", 0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  @Timeout(120)
  void append_from8Threads_recordsEveryEntryOnceInOneVerifiedChain() throws Exception {
    int perThread = 200;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (JournalStore s = JournalStore.open(journal(), CLOCK)) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        String client = "client-" + t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    // Every input twice: the second is a duplicate.
                    s.append(entry(client, "message " + i, i));
                    s.append(entry(client, "message " + i, i));
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }

    try (JournalStore s = JournalStore.open(journal(), CLOCK)) {
      List<FeedbackRecord> all = s.readAll();
      assertThat(all).hasSize(8 * perThread);
      assertThat(all.stream().map(r -> r.entry().client() + "/" + r.entry().input()).distinct())
          .hasSize(8 * perThread);
      for (int t = 0; t < 8; t++) {
        assertThat(s.countSince("client-" + t, T0)).isEqualTo(perThread);
      }
    }
  }
}
