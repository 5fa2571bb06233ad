package dev.custody.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** A real HTTP/1.1 client of a started server. */
final class Http {
  final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final URI base;

  Http(ModelServer server) {
    this.base = server.uri();
  }

  HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET().build());
  }

  HttpResponse<String> post(String path, String contentType, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  HttpResponse<String> postJson(String path, String body) throws Exception {
    return post(path, "application/json", body);
  }

  HttpResponse<String> send(HttpRequest r) throws Exception {
    return client.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.parse(r.body().getBytes(StandardCharsets.UTF_8), "response");
  }

  /**
   * A request written on a plain socket: its headers and the first chunk of a chunked body, the
   * rest held back until {@link #finish()}, so the request stays in flight as long as the test
   * wants (an HTTP client sends a body in full before it reads the answer).
   */
  static final class HeldRequest implements AutoCloseable {
    private final Socket socket;

    HeldRequest(ModelServer server, String path, String firstChunk) throws IOException {
      socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
      socket.setSoTimeout(30_000);
      byte[] chunk = firstChunk.getBytes(StandardCharsets.UTF_8);
      write(
          "POST "
              + path
              + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
              + "Transfer-Encoding: chunked\r\n\r\n"
              + Integer.toHexString(chunk.length)
              + "\r\n"
              + firstChunk
              + "\r\n");
    }

    /** Sends one more chunk of the body. */
    void send(String chunk) throws IOException {
      write(
          Integer.toHexString(chunk.getBytes(StandardCharsets.UTF_8).length)
              + "\r\n"
              + chunk
              + "\r\n");
    }

    /** Ends the body. */
    void finish() throws IOException {
      write("0\r\n\r\n");
    }

    private void write(String s) throws IOException {
      OutputStream out = socket.getOutputStream();
      out.write(s.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /** Reads the answer: status, headers (lower-case names) and a Content-Length body. */
    Raw response() throws IOException {
      InputStream in = socket.getInputStream();
      String status = line(in);
      Map<String, String> headers = new HashMap<>();
      for (String h = line(in); !h.isEmpty(); h = line(in)) {
        int colon = h.indexOf(':');
        headers.put(
            h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
      byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
      return new Raw(
          Integer.parseInt(status.split(" ", -1)[1]),
          headers,
          new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
      StringBuilder b = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed after: " + b);
        }
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** An answer read from a plain socket. */
  record Raw(int status, Map<String, String> headers, String body) {}
}
