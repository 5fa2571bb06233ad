package dev.custody.serve;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One JSON line per answered request: time, client address, method, path, status, reason, duration,
 * the digest of the model that answered and, with tokens, the client's id. Never a body, a query
 * string or a header (so never an {@code Authorization} token).
 *
 * <p>Lines are gathered in memory and written together, at most {@link #FLUSH_MILLIS} after the
 * first of them (or once {@link #MAX_PENDING_CHARS} are waiting), and at {@link #close}: a write
 * and flush per line was a system call on the I/O thread of every request.
 */
final class AccessLog implements Closeable {
  /** The longest a line waits in memory before it is written. */
  static final long FLUSH_MILLIS = 200;

  /** Lines waiting beyond this many characters are written at once, by the request's thread. */
  static final int MAX_PENDING_CHARS = 64 * 1024;

  /** Longest path written: a long path cannot grow the log without bound. */
  private static final int MAX_PATH = 512;

  private static final System.Logger LOG = System.getLogger(AccessLog.class.getName());

  private final Appendable sink;
  private final Closeable owned;
  private final StringBuilder pending = new StringBuilder();

  /** Writes the waiting lines; started with the first line, so an unused log has no thread. */
  private ScheduledExecutorService flusher;

  private boolean closed;
  private boolean failed;

  private AccessLog(Appendable sink, Closeable owned) {
    this.sink = sink;
    this.owned = owned;
  }

  static AccessLog none() {
    return new AccessLog(null, null);
  }

  static AccessLog to(Appendable sink) {
    return new AccessLog(sink, null);
  }

  /** Appends to {@code file}, creating it if needed. */
  static AccessLog to(Path file) throws IOException {
    Writer w =
        Files.newBufferedWriter(
            file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return new AccessLog(w, w);
  }

  /** Whether {@link #log} writes anything: without a sink, nothing of the line need be made. */
  boolean enabled() {
    return sink != null;
  }

  void log(
      Instant time,
      String client,
      String method,
      String path,
      int status,
      String reason,
      double durationMs,
      String modelDigest,
      String clientId) {
    if (sink == null) {
      return;
    }
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("time", time.toString());
    n.put("client", client);
    n.put("method", method);
    n.put("path", path.length() > MAX_PATH ? path.substring(0, MAX_PATH) + "…" : path);
    n.put("status", status);
    if (reason != null) {
      n.put("reason", reason);
    }
    n.put("durationMs", Math.round(durationMs * 1000) / 1000.0);
    if (modelDigest != null) {
      n.put("modelDigest", modelDigest);
    }
    if (clientId != null) {
      n.put("clientId", clientId);
    }
    String line = new String(Json.write(n), StandardCharsets.UTF_8);
    synchronized (this) {
      pending.append(line).append('\n');
      if (closed || pending.length() >= MAX_PENDING_CHARS) {
        write(); // after close (a request finishing late) nothing flushes later: now
      } else if (flusher == null) {
        flusher =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "custody-access-log");
                  t.setDaemon(true);
                  return t;
                });
        // Its lines are written by close too, so the future need not be watched.
        Future<?> unused =
            flusher.scheduleWithFixedDelay(
                this::flush, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** Writes the waiting lines, if any. */
  synchronized void flush() {
    write();
  }

  private void write() {
    if (pending.length() == 0) {
      return;
    }
    try {
      sink.append(pending);
      if (sink instanceof Flushable f) {
        f.flush();
      }
    } catch (IOException e) {
      if (!failed) { // say it once, not once per request
        failed = true;
        LOG.log(System.Logger.Level.WARNING, "access log: cannot write: " + e.getMessage());
      }
    } finally {
      pending.setLength(0);
    }
  }

  /** Writes every waiting line, stops the flushing thread and closes a file it opened. */
  @Override
  public void close() throws IOException {
    ScheduledExecutorService f;
    synchronized (this) {
      closed = true;
      write();
      f = flusher;
      flusher = null;
    }
    if (f != null) {
      f.shutdownNow();
    }
    if (owned != null) {
      synchronized (this) {
        owned.close();
      }
    }
  }
}
