package dev.custody.serve.feedback;

import dev.custody.core.PipelineException;
import dev.custody.core.Printable;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.feedback.FeedbackEntry;
import dev.custody.core.feedback.FeedbackJson;
import dev.custody.core.feedback.FeedbackRecord;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The feedback store of several server replicas writing one PostgreSQL database: each replica
 * appends to its own hash chain (named after the replica), and de-duplication of (model, client,
 * input) holds across all chains through a unique key.
 *
 * <p>Connections: a call takes an idle connection (checked with {@link Connection#isValid}, so none
 * is stale after a database restart) or opens one, and puts it back afterwards if it worked; at
 * most {@value #IDLE_MAX} are kept. No pool library: at feedback rates (bounded per client by the
 * intake's quota) this is all the reuse there is to have, and it saves the connection and login
 * (SCRAM) of every call, which a one-off timing during development found to be most of an append's
 * time. Concurrent appends need no lock in this process: every append serializes on its chain
 * inside PostgreSQL ({@code pg_advisory_xact_lock}), so even two processes given the same replica
 * name extend one chain correctly.
 *
 * <p>The row's {@code line} column holds the canonical record line ({@link FeedbackJson#line}), the
 * bytes the hash is taken of; the other columns repeat fields of it for the unique key and for
 * {@link #countSince}, and {@link #readAll} checks that they agree with the line.
 */
public final class PostgresStore implements FeedbackStore {

  /** The table, created by {@link #open} when missing. */
  static final String TABLE = "custody_feedback";

  private static final Pattern REPLICA = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private static final String SCHEMA =
      "CREATE TABLE IF NOT EXISTS "
          + TABLE
          + " ("
          + "chain text NOT NULL, "
          + "seq bigint NOT NULL CHECK (seq >= 1), "
          + "line bytea NOT NULL, "
          + "hash char(64) NOT NULL, "
          + "prev char(64) NOT NULL, "
          + "model text NOT NULL, "
          + "client text NOT NULL, "
          + "input_digest char(64) NOT NULL, "
          + "time timestamptz NOT NULL, "
          + "status text NOT NULL, "
          + "PRIMARY KEY (chain, seq), "
          + "UNIQUE (model, client, input_digest))";

  private static final String INDEX =
      "CREATE INDEX IF NOT EXISTS " + TABLE + "_client_time ON " + TABLE + " (client, time)";

  /** How long a check of an idle connection may take. */
  private static final int VALID_SECONDS = 5;

  private static final String COLUMNS =
      "chain, seq, line, hash, prev, model, client, input_digest, time, status";

  /** Idle connections kept between calls; more concurrent calls open and close their own. */
  static final int IDLE_MAX = 4;

  private final PostgresLocation location;
  private final String chain;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private volatile boolean closed;

  /** Work on one connection, inside a transaction or in auto-commit. */
  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException, PipelineException;
  }

  private PostgresStore(PostgresLocation location, String chain) {
    this.location = location;
    this.chain = chain;
  }

  /**
   * Connects to {@code location} ({@code postgresql://host[:port]/database?user=NAME}, password in
   * the URL or {@code PGPASSWORD}) and creates the table if it is missing. {@code replica} names
   * this replica's chain; by default the host name, which stays the same across restarts (one chain
   * per machine or pod, not one per process start).
   *
   * @throws PipelineException {@code MALFORMED} for a malformed location or replica name; {@code
   *     FEEDBACK_STORE_UNAVAILABLE} when the database cannot be reached or the schema cannot be
   *     created
   */
  public static PostgresStore open(String location, Optional<String> replica)
      throws PipelineException {
    PostgresLocation parsed =
        PostgresLocation.parse(location, Optional.ofNullable(System.getenv("PGPASSWORD")));
    String chain = replica.isPresent() ? replica.get() : hostName();
    if (!REPLICA.matcher(chain).matches()) {
      throw new PipelineException(
          Reason.MALFORMED,
          "feedback replica: expected 1 to 63 letters, digits, '.', '_' or '-' (starting with a"
              + " letter or digit), found '"
              + Printable.of(chain, 80)
              + "'");
    }
    PostgresStore store = new PostgresStore(parsed, chain);
    store.createSchema();
    return store;
  }

  /** This replica's chain name. */
  public String chain() {
    return chain;
  }

  @Override
  public Appended append(FeedbackEntry entry) throws PipelineException {
    Objects.requireNonNull(entry, "entry");
    requireOpen();
    try {
      return call(/* transaction= */ true, c -> append(c, entry));
    } catch (SQLException e) {
      throw unavailable("cannot append feedback", e);
    }
  }

  private Appended append(Connection c, FeedbackEntry entry)
      throws SQLException, PipelineException {
    try (Statement s = c.createStatement()) {
      // Durable at commit whatever the server's default: the 2xx follows the commit.
      s.execute("SET LOCAL synchronous_commit TO on");
    }
    lock(c, "chain/" + chain);
    long seq = 1;
    Sha256 prev = FeedbackRecord.GENESIS;
    try (PreparedStatement head =
        c.prepareStatement(
            "SELECT seq, hash FROM " + TABLE + " WHERE chain = ? ORDER BY seq DESC LIMIT 1")) {
      head.setString(1, chain);
      try (ResultSet r = head.executeQuery()) {
        if (r.next()) {
          seq = r.getLong(1) + 1;
          prev = new Sha256(r.getString(2));
        }
      }
    }
    byte[] line = FeedbackJson.line(seq, chain, entry, prev);
    // The columns are taken from the line as read back, so that they agree with it exactly.
    FeedbackRecord record = parse(line, chain, seq);
    FeedbackEntry recorded = record.entry();
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO "
                + TABLE
                + " ("
                + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (model, client, input_digest) DO NOTHING")) {
      insert.setString(1, chain);
      insert.setLong(2, seq);
      insert.setBytes(3, line);
      insert.setString(4, Sha256.of(line).hex());
      insert.setString(5, prev.hex());
      insert.setString(6, recorded.model());
      insert.setString(7, recorded.client());
      insert.setString(8, recorded.inputDigest().hex());
      insert.setObject(9, column(recorded.time()));
      insert.setString(10, recorded.status().word());
      if (insert.executeUpdate() == 1) {
        return new Appended(record, /* duplicate= */ false);
      }
    }
    // The same client already sent this input for this model, through any replica; an insert
    // racing ours in another chain has committed by now (the unique key waits for it).
    try (PreparedStatement existing =
        c.prepareStatement(
            "SELECT chain, seq, line FROM "
                + TABLE
                + " WHERE model = ? AND client = ? AND input_digest = ?")) {
      existing.setString(1, entry.model());
      existing.setString(2, entry.client());
      existing.setString(3, entry.inputDigest().hex());
      try (ResultSet r = existing.executeQuery()) {
        if (!r.next()) {
          throw new SQLException("the conflicting feedback record vanished (deleted meanwhile?)");
        }
        return new Appended(
            parse(r.getBytes(3), r.getString(1), r.getLong(2)), /* duplicate= */ true);
      }
    }
  }

  @Override
  public long countSince(String client, Instant since) throws PipelineException {
    requireOpen();
    try {
      return call(
          /* transaction= */ false,
          c -> {
            try (PreparedStatement count =
                c.prepareStatement(
                    "SELECT count(*) FROM " + TABLE + " WHERE client = ? AND time >= ?")) {
              count.setString(1, client);
              count.setObject(2, column(since));
              try (ResultSet r = count.executeQuery()) {
                r.next();
                return r.getLong(1);
              }
            }
          });
    } catch (SQLException e) {
      throw unavailable("cannot count feedback", e);
    }
  }

  @Override
  public List<FeedbackRecord> readAll() throws PipelineException {
    requireOpen();
    try {
      return call(
          /* transaction= */ true,
          c -> {
            // One snapshot for the whole read, streamed in batches (a cursor needs a transaction).
            try (Statement s = c.createStatement()) {
              s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            }
            List<FeedbackRecord> records = new ArrayList<>();
            try (PreparedStatement all =
                c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM " + TABLE + " ORDER BY chain, seq")) {
              all.setFetchSize(1000);
              try (ResultSet r = all.executeQuery()) {
                ChainCheck check = null;
                while (r.next()) {
                  String rowChain = r.getString("chain");
                  if (check == null || !check.chain.equals(rowChain)) {
                    check = new ChainCheck(rowChain);
                  }
                  records.add(check.next(r));
                }
              }
            }
            return records;
          });
    } catch (SQLException e) {
      throw unavailable("cannot read feedback", e);
    }
  }

  @Override
  public List<FeedbackRecord> heads() throws PipelineException {
    requireOpen();
    try {
      return call(
          /* transaction= */ false,
          c -> {
            List<FeedbackRecord> heads = new ArrayList<>();
            try (Statement s = c.createStatement();
                ResultSet r =
                    s.executeQuery(
                        "SELECT DISTINCT ON (chain) chain, seq, line FROM "
                            + TABLE
                            + " ORDER BY chain, seq DESC")) {
              while (r.next()) {
                heads.add(parse(r.getBytes(3), r.getString(1), r.getLong(2)));
              }
            }
            return heads;
          });
    } catch (SQLException e) {
      throw unavailable("cannot read the feedback chains' heads", e);
    }
  }

  /** The URL without password, and this replica's chain. */
  @Override
  public String describe() {
    return location.display() + " (chain " + chain + ")";
  }

  /** Closes the idle connections and refuses further calls, as the journal does. */
  @Override
  public void close() {
    closed = true;
    List<Connection> open;
    synchronized (idle) {
      open = new ArrayList<>(idle);
      idle.clear();
    }
    open.forEach(PostgresStore::discard);
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("feedback store " + describe() + " is closed");
    }
  }

  /**
   * Checks one chain's rows in sequence order: numbering from 1 without gaps, each line's hash and
   * link, and the columns against the line they were taken from.
   */
  private static final class ChainCheck {
    private final String chain;
    private long expectedSeq = 1;
    private Sha256 previous = FeedbackRecord.GENESIS;

    ChainCheck(String chain) {
      this.chain = chain;
    }

    FeedbackRecord next(ResultSet r) throws SQLException, PipelineException {
      long seq = r.getLong("seq");
      if (seq != expectedSeq) {
        throw invalid(
            chain,
            expectedSeq,
            "expected sequence " + expectedSeq + ", found " + seq + " (a record is missing)");
      }
      byte[] line = r.getBytes("line");
      Sha256 hash = Sha256.of(line);
      String storedHash = r.getString("hash");
      if (!hash.hex().equals(storedHash)) {
        throw invalid(
            chain,
            seq,
            "the line's SHA-256 is " + hash.hex() + " but the row records " + storedHash);
      }
      FeedbackRecord record = parse(line, chain, seq);
      check(seq, "chain", chain, record.chain());
      check(seq, "sequence", Long.toString(seq), Long.toString(record.sequence()));
      check(seq, "previous hash", previous.hex(), record.previous().hex());
      check(seq, "prev column", record.previous().hex(), r.getString("prev"));
      FeedbackEntry entry = record.entry();
      check(seq, "model column", entry.model(), r.getString("model"));
      check(seq, "client column", entry.client(), r.getString("client"));
      check(seq, "input_digest column", entry.inputDigest().hex(), r.getString("input_digest"));
      check(seq, "status column", entry.status().word(), r.getString("status"));
      Instant time = r.getObject("time", OffsetDateTime.class).toInstant();
      check(seq, "time column", column(entry.time()).toInstant().toString(), time.toString());
      expectedSeq = seq + 1;
      previous = hash;
      return record;
    }

    private void check(long seq, String what, String expected, String found)
        throws PipelineException {
      if (!expected.equals(found)) {
        throw invalid(chain, seq, what + ": expected " + expected + ", found " + found);
      }
    }
  }

  /** An instant as the time column holds it: PostgreSQL keeps microseconds. */
  private static OffsetDateTime column(Instant instant) {
    return OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  /**
   * Runs {@code work} on an idle or new connection and keeps the connection for the next call if
   * nothing failed; a transaction is committed after {@code work} and rolled back if it throws.
   */
  private <T> T call(boolean transaction, Work<T> work) throws SQLException, PipelineException {
    Connection c = take();
    boolean healthy = false;
    try {
      c.setAutoCommit(!transaction);
      T result;
      try {
        result = work.run(c);
        if (transaction) {
          c.commit();
        }
      } catch (SQLException | PipelineException | RuntimeException e) {
        if (transaction) {
          c.rollback();
        }
        throw e;
      }
      healthy = true;
      return result;
    } finally {
      if (healthy) {
        release(c);
      } else {
        discard(c);
      }
    }
  }

  private Connection take() throws SQLException {
    while (true) {
      Connection c;
      synchronized (idle) {
        c = idle.pollFirst();
      }
      if (c == null) {
        return DriverManager.getConnection(location.jdbcUrl(), location.connectionProperties());
      }
      if (c.isValid(VALID_SECONDS)) {
        return c;
      }
      discard(c); // the server restarted or dropped it: try the next, or a new one
    }
  }

  private void release(Connection c) {
    synchronized (idle) {
      if (!closed && idle.size() < IDLE_MAX) {
        idle.addFirst(c);
        return;
      }
    }
    discard(c);
  }

  private static void discard(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      // A broken connection may fail to close; it is gone either way.
    }
  }

  private void createSchema() throws PipelineException {
    try {
      call(
          /* transaction= */ true,
          c -> {
            // Two replicas starting at once would race in CREATE TABLE IF NOT EXISTS (a unique
            // violation in the catalog); the lock makes the second wait and then find the table.
            lock(c, "schema");
            try (Statement s = c.createStatement()) {
              s.execute(SCHEMA);
              s.execute(INDEX);
            }
            return null;
          });
    } catch (SQLException e) {
      throw unavailable("cannot create or open table " + TABLE, e);
    }
  }

  /** A transaction-scoped advisory lock, released at commit or rollback. */
  private static void lock(Connection c, String name) throws SQLException {
    // Keyed by a hash of the name: a collision only makes two chains wait for each other.
    long key = 0;
    byte[] digest =
        Sha256.of(("custody-feedback/" + name).getBytes(StandardCharsets.UTF_8)).bytes();
    for (int i = 0; i < 8; i++) {
      key = (key << 8) | (digest[i] & 0xff);
    }
    try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      s.setLong(1, key);
      s.execute();
    }
  }

  private PipelineException unavailable(String what, SQLException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    for (String secret : location.secrets()) {
      if (!secret.isEmpty()) {
        message = message.replace(secret, "***");
      }
    }
    // No cause: the driver's exception could carry the connection properties into a log.
    return new PipelineException(
        Reason.FEEDBACK_STORE_UNAVAILABLE,
        "feedback store "
            + location.display()
            + ": "
            + what
            + " (SQLSTATE "
            + e.getSQLState()
            + "): "
            + message);
  }

  private static PipelineException invalid(String chain, long seq, String what) {
    return new PipelineException(
        Reason.FEEDBACK_STORE_INVALID,
        "feedback chain '" + chain + "' at sequence " + seq + ": " + what);
  }

  /** Reads a stored line strictly; a line that is not canonical is a chain that does not verify. */
  private static FeedbackRecord parse(byte[] line, String chain, long seq)
      throws PipelineException {
    try {
      return FeedbackJson.parse(line, "the stored line");
    } catch (PipelineException e) {
      throw invalid(chain, seq, e.getMessage());
    }
  }

  private static String hostName() throws PipelineException {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      throw new PipelineException(
          Reason.MALFORMED,
          "feedback replica: none given, and the host name does not resolve ("
              + e.getMessage()
              + "); give --feedback-replica NAME");
    }
  }
}
