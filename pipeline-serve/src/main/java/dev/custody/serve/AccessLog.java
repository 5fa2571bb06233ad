package dev.custody.serve;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One JSON line per answered request: time, client address, method, path, status, reason, duration,
 * the digest of the model that answered and, with tokens, the client's id. Never a body, a query
 * string or a header (so never an {@code Authorization} token).
 */
final class AccessLog implements Closeable {
  /** Longest path written: a long path cannot grow the log without bound. */
  private static final int MAX_PATH = 512;

  private static final System.Logger LOG = System.getLogger(AccessLog.class.getName());

  private final Appendable sink;
  private final Closeable owned;
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
    String line = new String(Json.write(n), StandardCharsets.UTF_8) + "\n";
    synchronized (this) {
      try {
        sink.append(line);
        if (sink instanceof Writer w) {
          w.flush();
        }
      } catch (IOException e) {
        if (!failed) { // say it once, not once per request
          failed = true;
          LOG.log(System.Logger.Level.WARNING, "access log: cannot write: " + e.getMessage());
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (owned != null) {
      synchronized (this) {
        owned.close();
      }
    }
  }
}
