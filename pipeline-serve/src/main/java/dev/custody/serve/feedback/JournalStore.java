package dev.custody.serve.feedback;

import dev.custody.core.AtomicFiles;
import dev.custody.core.InputFiles;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.feedback.FeedbackChainCheck;
import dev.custody.core.feedback.FeedbackEntry;
import dev.custody.core.feedback.FeedbackJson;
import dev.custody.core.feedback.FeedbackRecord;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The default feedback store: one append-only file holding one canonical record line ({@link
 * FeedbackJson#line}) per record, in one hash chain named {@value #CHAIN}.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>One writer: the store holds an exclusive lock on the file for its whole life, so a second
 *       server on the same file is refused ({@code FEEDBACK_STORE_UNAVAILABLE}) instead of forking
 *       the chain.
 *   <li>Durable before acknowledged: {@link #append} returns only after the line and its newline
 *       are written and synced to the disk. A failed write is cut off again before the next append;
 *       when even that fails, the store refuses every later append.
 *   <li>Verified when opened: every line is parsed strictly and checked against the chain. A last
 *       line without its newline, or one that does not parse, is what a crash during an append
 *       leaves: it was never acknowledged, so it is moved aside to {@code <file>.torn-<UTC time>}
 *       (with one WARNING), the file is cut back to the last whole record, and it is never read as
 *       a record. Anything else that does not verify is tampering or damage: the store refuses to
 *       open ({@code FEEDBACK_STORE_INVALID}) naming the line, what was expected and what was
 *       found.
 * </ul>
 *
 * <p>The file is created readable and writable by its owner only: feedback holds user input. Writes
 * go through {@link RandomAccessFile}, whose writes and syncs a thread interrupt cannot abort (an
 * interrupted {@code FileChannel} would close and drop the lock).
 */
public final class JournalStore implements FeedbackStore {
  /** The name of the journal's one chain. */
  public static final String CHAIN = "journal";

  private static final System.Logger LOG = System.getLogger(JournalStore.class.getName());

  private static final DateTimeFormatter TORN_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'", java.util.Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private final Path file;
  private final RandomAccessFile raf;
  private final FileLock lock;
  private final Map<DedupeKey, FeedbackRecord> byInput = new HashMap<>();
  private final Map<String, NavigableMap<Instant, Long>> timesByClient = new HashMap<>();
  private long size;
  private FeedbackRecord head;
  private String failure;
  private boolean closed;

  private record DedupeKey(String model, String client, Sha256 inputDigest) {
    static DedupeKey of(FeedbackEntry e) {
      return new DedupeKey(e.model(), e.client(), e.inputDigest());
    }
  }

  private JournalStore(Path file, RandomAccessFile raf, FileLock lock) {
    this.file = file;
    this.raf = raf;
    this.lock = lock;
  }

  /**
   * Opens (creating it, mode 0600, if missing) the journal at {@code file}, locks it, verifies it
   * and moves a torn last line aside.
   *
   * @throws PipelineException {@code FEEDBACK_STORE_UNAVAILABLE} when the file cannot be created,
   *     opened or locked (another server holds it); {@code FEEDBACK_STORE_INVALID} naming the line
   *     when a record other than a torn last line does not verify
   */
  public static JournalStore open(Path file) throws PipelineException {
    return open(file, Clock.systemUTC());
  }

  /** As {@link #open(Path)}, naming a moved-aside torn line with {@code clock}'s time. */
  static JournalStore open(Path file, Clock clock) throws PipelineException {
    Path abs = file.toAbsolutePath();
    RandomAccessFile raf = null;
    FileLock lock = null;
    try {
      createOwnerOnly(abs);
      raf = new RandomAccessFile(abs.toFile(), "rw");
      try {
        lock = raf.getChannel().tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by another store in this process
      }
      if (lock == null) {
        throw new PipelineException(
            Reason.FEEDBACK_STORE_UNAVAILABLE,
            "feedback journal "
                + InputFiles.shown(abs)
                + ": expected to be its only writer, found it locked by another server (two"
                + " writers would fork its hash chain); stop the other server or give this one"
                + " another store");
      }
      JournalStore store = new JournalStore(abs, raf, lock);
      store.load(clock);
      return store;
    } catch (IOException e) {
      closeQuietly(raf);
      throw new PipelineException(
          Reason.FEEDBACK_STORE_UNAVAILABLE,
          "feedback journal " + InputFiles.shown(abs) + ": cannot open: " + e,
          e);
    } catch (PipelineException | RuntimeException e) {
      closeQuietly(raf);
      throw e;
    }
  }

  private static void createOwnerOnly(Path abs) throws IOException, PipelineException {
    if (Files.exists(abs)) {
      InputFiles.requireRegular(
          abs, "a feedback journal", Reason.FEEDBACK_STORE_UNAVAILABLE, InputFiles.Links.FOLLOW);
      return;
    }
    try {
      if (abs.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(
            abs,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(abs);
      }
    } catch (FileAlreadyExistsException e) {
      // Created in between: opened as it is.
    }
  }

  private static void closeQuietly(RandomAccessFile raf) {
    if (raf != null) {
      try {
        raf.close(); // also releases the lock
      } catch (IOException e) {
        // Already failing: the first error is the one reported.
      }
    }
  }

  /** Reads and verifies the file, moves a torn last line aside and builds the indexes. */
  private void load(Clock clock) throws IOException, PipelineException {
    long fileSize = raf.length();
    Scan scan = scan(file, fileSize, true);
    if (scan.tornLine() > 0) {
      moveTornTail(scan, fileSize, clock);
    }
    for (FeedbackRecord r : scan.records()) {
      index(r);
    }
    size = scan.goodSize();
  }

  private void moveTornTail(Scan scan, long fileSize, Clock clock) throws IOException {
    byte[] torn = new byte[Math.toIntExact(fileSize - scan.goodSize())];
    raf.seek(scan.goodSize());
    raf.readFully(torn);
    String base = file.getFileName() + ".torn-" + TORN_TIME.format(clock.instant());
    Path aside = file.resolveSibling(base);
    for (int n = 1; ; n++) {
      try {
        AtomicFiles.writeOwnerOnly(aside, torn);
        break;
      } catch (FileAlreadyExistsException e) {
        aside = file.resolveSibling(base + "-" + n);
      }
    }
    raf.setLength(scan.goodSize());
    raf.getFD().sync();
    LOG.log(
        System.Logger.Level.WARNING,
        "feedback journal "
            + InputFiles.shown(file)
            + ": line "
            + scan.tornLine()
            + " "
            + scan.tornWhy()
            + ", as a crash during an append leaves it (it was never acknowledged): moved its "
            + torn.length
            + " bytes to "
            + InputFiles.shown(aside)
            + " and cut the journal back to its "
            + scan.records().size()
            + " whole records");
  }

  private void index(FeedbackRecord r) {
    byInput.putIfAbsent(DedupeKey.of(r.entry()), r);
    timesByClient
        .computeIfAbsent(r.entry().client(), c -> new TreeMap<>())
        .merge(r.entry().time(), 1L, Long::sum);
    head = r;
  }

  /**
   * What a scan of the file found.
   *
   * @param records the verified records
   * @param goodSize where the last verified record's newline ends
   * @param tornLine the number of the torn last line, or 0
   * @param tornWhy what is wrong with it
   */
  private record Scan(List<FeedbackRecord> records, long goodSize, long tornLine, String tornWhy) {}

  /**
   * Reads the first {@code limit} bytes of the journal, verifying every line; with {@code
   * tornAllowed} a last line without newline, or one that does not parse, is reported as torn
   * instead of refused.
   */
  private static Scan scan(Path file, long limit, boolean tornAllowed)
      throws IOException, PipelineException {
    List<FeedbackRecord> records = new ArrayList<>();
    FeedbackChainCheck check = new FeedbackChainCheck();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    boolean tooLong = false;
    long offset = 0;
    long goodSize = 0;
    long lineNo = 0;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      int b;
      while (offset < limit && (b = in.read()) != -1) {
        offset++;
        if (b != '\n') {
          if (line.size() < FeedbackJson.MAX_LINE_BYTES) {
            line.write(b);
          } else {
            tooLong = true;
          }
          continue;
        }
        lineNo++;
        if (tooLong) {
          throw invalid(
              file,
              lineNo,
              "expected a record of at most " + FeedbackJson.MAX_LINE_BYTES + " bytes, found more");
        }
        byte[] bytes = line.toByteArray();
        line.reset();
        FeedbackRecord r;
        try {
          r = FeedbackJson.parse(bytes, "line " + lineNo);
        } catch (PipelineException e) {
          if (tornAllowed && offset == limit) {
            return new Scan(records, goodSize, lineNo, "does not parse as a record");
          }
          throw invalid(file, lineNo, "expected a feedback record, found: " + e.getMessage());
        }
        if (!CHAIN.equals(r.chain())) {
          throw invalid(
              file,
              lineNo,
              "expected chain '"
                  + CHAIN
                  + "', found '"
                  + dev.custody.core.Printable.of(r.chain(), 80)
                  + "'");
        }
        var broken = check.next(r);
        if (broken.isPresent()) {
          throw invalid(file, lineNo, broken.get());
        }
        records.add(r);
        goodSize = offset;
      }
    }
    if (offset < limit) {
      throw invalid(
          file,
          lineNo + 1,
          "expected "
              + limit
              + " bytes, found "
              + offset
              + ": the file was cut while the store was open");
    }
    if (line.size() > 0 || tooLong) {
      lineNo++;
      if (!tornAllowed) {
        throw invalid(file, lineNo, "expected a line ending in a newline, found none");
      }
      if (tooLong) {
        throw invalid(
            file,
            lineNo,
            "expected a torn record of at most "
                + FeedbackJson.MAX_LINE_BYTES
                + " bytes, found more bytes without a newline");
      }
      return new Scan(records, goodSize, lineNo, "has no newline (" + line.size() + " bytes)");
    }
    return new Scan(records, goodSize, 0, null);
  }

  private static PipelineException invalid(Path file, long lineNo, String what) {
    return new PipelineException(
        Reason.FEEDBACK_STORE_INVALID,
        "feedback journal " + InputFiles.shown(file) + ": line " + lineNo + ": " + what);
  }

  @Override
  public synchronized Appended append(FeedbackEntry entry) throws PipelineException {
    Objects.requireNonNull(entry, "entry");
    requireOpen();
    if (failure != null) {
      throw new PipelineException(Reason.FEEDBACK_STORE_UNAVAILABLE, failure);
    }
    FeedbackRecord earlier = byInput.get(DedupeKey.of(entry));
    if (earlier != null) {
      return new Appended(earlier, true);
    }
    long seq = head == null ? 1 : head.sequence() + 1;
    Sha256 prev = head == null ? FeedbackRecord.GENESIS : head.hash();
    byte[] line = FeedbackJson.line(seq, CHAIN, entry, prev);
    if (line.length > FeedbackJson.MAX_LINE_BYTES) {
      throw new PipelineException(
          Reason.MALFORMED,
          "feedback record: expected at most "
              + FeedbackJson.MAX_LINE_BYTES
              + " bytes, found "
              + line.length);
    }
    // What is written must read back: a line the reader refuses would stop the next start.
    FeedbackRecord r = FeedbackJson.parse(line, "feedback record");
    byte[] withNewline = java.util.Arrays.copyOf(line, line.length + 1);
    withNewline[line.length] = '\n';
    try {
      raf.seek(size);
      raf.write(withNewline);
      raf.getFD().sync();
    } catch (IOException e) {
      undo(e);
      throw new PipelineException(
          Reason.FEEDBACK_STORE_UNAVAILABLE,
          "feedback journal "
              + InputFiles.shown(file)
              + ": cannot make record "
              + seq
              + " durable ("
              + e
              + "); nothing was recorded",
          e);
    }
    size += withNewline.length;
    index(r);
    return new Appended(r, false);
  }

  /** Cuts a failed write off, so that the next line follows the last whole record. */
  private void undo(IOException cause) {
    try {
      raf.setLength(size);
      raf.getFD().sync();
    } catch (IOException e) {
      failure =
          "feedback journal "
              + InputFiles.shown(file)
              + ": refusing appends since a failed write could not be cut off ("
              + cause
              + ", then "
              + e
              + "); restart the server: it moves a torn line aside when it opens the journal";
    }
  }

  @Override
  public synchronized long countSince(String client, Instant since) throws PipelineException {
    requireOpen();
    NavigableMap<Instant, Long> times = timesByClient.get(client);
    if (times == null) {
      return 0;
    }
    return times.tailMap(since, true).values().stream().mapToLong(Long::longValue).sum();
  }

  @Override
  public synchronized List<FeedbackRecord> readAll() throws PipelineException {
    requireOpen();
    try {
      return scan(file, size, false).records();
    } catch (IOException e) {
      throw new PipelineException(
          Reason.FEEDBACK_STORE_UNAVAILABLE,
          "feedback journal " + InputFiles.shown(file) + ": cannot read: " + e,
          e);
    }
  }

  @Override
  public synchronized List<FeedbackRecord> heads() throws PipelineException {
    List<FeedbackRecord> all = readAll();
    return all.isEmpty() ? List.of() : List.of(all.get(all.size() - 1));
  }

  @Override
  public String describe() {
    return file.toString();
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("feedback journal " + file + " is closed");
    }
  }

  @Override
  public synchronized void close() throws PipelineException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      try {
        lock.release();
      } finally {
        raf.close();
      }
    } catch (IOException e) {
      throw new PipelineException(
          Reason.FEEDBACK_STORE_UNAVAILABLE,
          "feedback journal " + InputFiles.shown(file) + ": cannot close: " + e,
          e);
    }
  }
}
