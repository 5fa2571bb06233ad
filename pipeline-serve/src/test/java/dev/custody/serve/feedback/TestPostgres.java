package dev.custody.serve.feedback;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL (zonky's embedded binaries) for the tests tagged {@code postgres}, which the
 * build runs in their own test JVM, under {@code unshare -U} when building as root (see
 * pipeline-serve's pom.xml). Superuser {@code postgres} connects without a password; the store's
 * role {@code custody} must give its password (SCRAM), so wrong passwords are really refused. Each
 * test gets a fresh database.
 */
final class TestPostgres implements AutoCloseable {
  static final String USER = "custody";
  static final String PASSWORD = "s3cret-feedback-pw";

  private final EmbeddedPostgres server;
  private final AtomicInteger databases = new AtomicInteger();

  private TestPostgres(EmbeddedPostgres server) {
    this.server = server;
  }

  /** Starts a server whose configuration files live in {@code dir}. */
  static TestPostgres start(Path dir) throws IOException, SQLException {
    Path hba = dir.resolve("pg_hba.conf");
    Files.writeString(
        hba,
        String.join(
            "\n",
            "host all postgres 127.0.0.1/32 trust",
            "host all postgres ::1/128 trust",
            "host all all 127.0.0.1/32 scram-sha-256",
            "host all all ::1/128 scram-sha-256",
            ""),
        StandardCharsets.UTF_8);
    EmbeddedPostgres server =
        EmbeddedPostgres.builder()
            .setServerConfig("hba_file", hba.toString())
            // Two cores shared with other builds: give initdb and startup time.
            .setPGStartupWait(Duration.ofSeconds(60))
            .start();
    TestPostgres pg = new TestPostgres(server);
    try (Connection c = pg.superuser("postgres");
        Statement s = c.createStatement()) {
      s.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
    }
    return pg;
  }

  /** A new empty database owned by {@link #USER}; returns its store location (with password). */
  String newDatabase() throws SQLException {
    String name = "feedback" + databases.incrementAndGet();
    try (Connection c = superuser("postgres");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name + " OWNER " + USER);
    }
    return location(name, PASSWORD);
  }

  /** The store location of {@code database} with {@code password}. */
  String location(String database, String password) {
    return "postgresql://localhost:"
        + port()
        + "/"
        + database
        + "?user="
        + USER
        + "&password="
        + password;
  }

  int port() {
    return server.getPort();
  }

  /** A superuser connection to {@code database}, for tests that tamper with rows. */
  Connection superuser(String database) throws SQLException {
    return DriverManager.getConnection(server.getJdbcUrl("postgres", database));
  }

  /** The database name of a location made by {@link #newDatabase}. */
  static String database(String location) {
    return location.substring(location.lastIndexOf('/') + 1, location.indexOf('?'));
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
