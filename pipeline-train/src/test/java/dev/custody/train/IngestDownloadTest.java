package dev.custody.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.train.spec.Fixtures;
import dev.custody.train.spec.PipelineSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads against a real JDK HTTP server on the loopback interface. */
class IngestDownloadTest {
  private static final byte[] GOOD = bytes("data/good-lf.csv");
  private static final byte[] OTHER = bytes("data/good-crlf-no-final-newline.csv");

  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  @TempDir Path cache;
  @TempDir Path specDir;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/good.csv", ex -> respond(ex, 200, GOOD));
    server.createContext("/tampered.csv", ex -> respond(ex, 200, OTHER));
    server.createContext(
        "/missing.csv", ex -> respond(ex, 404, "not found".getBytes(StandardCharsets.UTF_8)));
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void respond(com.sun.net.httpserver.HttpExchange ex, int status, byte[] body)
      throws IOException {
    requests.incrementAndGet();
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private Ingest ingest() {
    return Ingest.builder().cacheDirectory(cache).allowPlainHttp().build();
  }

  private PipelineSpec spec(String path, Sha256 pin) throws Exception {
    String url =
        String.format(Locale.ROOT, "http://127.0.0.1:%d%s", server.getAddress().getPort(), path);
    String yaml =
        String.join(
            "\n",
            "name: remote",
            "version: 1",
            "data:",
            "  - url: " + url,
            "    sha256: " + pin.hex(),
            "format: csv",
            "schema:",
            "  id: id",
            "  label: {column: label, allowed: [\"yes\", \"no\"]}",
            "  numeric: [age, income]",
            "  categorical: [{column: sex, allowed: [f, m]}]",
            "split: {testFraction: 0.25, seed: 1}",
            "trainer: {type: logistic}",
            "");
    return PipelineSpec.parse(yaml.getBytes(StandardCharsets.UTF_8), specDir, "remote.yaml");
  }

  @Test
  void run_downloadWithMatchingDigest_parsesAndCachesByDigest() throws Exception {
    Sha256 pin = Sha256.of(GOOD);

    IngestResult r = ingest().run(spec("/good.csv", pin));

    assertThat(r.table().rows()).hasSize(4);
    assertThat(r.summary().files().get(0).source()).endsWith("/good.csv");
    Path cached = cache.resolve("sha256").resolve(pin.hex());
    assertThat(Files.readAllBytes(cached)).isEqualTo(GOOD);
    assertThat(requests.get()).isEqualTo(1);

    IngestResult again = ingest().run(spec("/good.csv", pin));

    assertThat(again.summary().rowsRoot()).isEqualTo(r.summary().rowsRoot());
    assertThat(requests.get()).as("second run is served from the cache").isEqualTo(1);
  }

  @Test
  void run_withoutCacheDirectory_downloadsOnEveryRunAndCachesNothing() throws Exception {
    Sha256 pin = Sha256.of(GOOD);
    Ingest uncached = Ingest.builder().allowPlainHttp().build();
    boolean defaultCacheBefore = Files.exists(Path.of(".custody-cache"));

    IngestResult r = uncached.run(spec("/good.csv", pin));
    IngestResult again = uncached.run(spec("/good.csv", pin));

    assertThat(again.summary().rowsRoot()).isEqualTo(r.summary().rowsRoot());
    assertThat(requests.get()).as("nothing cached between runs").isEqualTo(2);
    assertThat(Files.exists(Path.of(".custody-cache"))).isEqualTo(defaultCacheBefore);
    try (Stream<Path> files = Files.list(specDir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void build_cacheDirectoryAndIngestBothSet_throwsIllegalState() {
    Pipeline.Builder b = Pipeline.builder().ingest(ingest()).cacheDirectory(cache);

    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cacheDirectory and ingest are both set");
  }

  @Test
  void run_downloadWithWrongDigest_rejectedAndNotCached() throws Exception {
    Sha256 pin = Sha256.of(GOOD);

    PipelineException e =
        catchThrowableOfType(
            PipelineException.class, () -> ingest().run(spec("/tampered.csv", pin)));

    assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH);
    assertThat(e.getMessage())
        .contains("/tampered.csv pinned " + pin + ", downloaded " + Sha256.of(OTHER));
    assertThat(requests.get()).isEqualTo(1);
    assertThat(filesIn(cache)).isEmpty();
  }

  @Test
  void run_corruptedCacheEntry_isReplacedByAVerifiedDownload() throws Exception {
    Sha256 pin = Sha256.of(GOOD);
    Path cached = cache.resolve("sha256").resolve(pin.hex());
    Files.createDirectories(cached.getParent());
    Files.write(cached, OTHER);

    IngestResult r = ingest().run(spec("/good.csv", pin));

    assertThat(r.table().rows()).hasSize(4);
    assertThat(Files.readAllBytes(cached)).isEqualTo(GOOD);
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void run_plainHttpWithoutOptIn_refusedBeforeAnyRequest() throws Exception {
    Ingest strict = Ingest.builder().cacheDirectory(cache).build();
    PipelineSpec spec = spec("/good.csv", Sha256.of(GOOD));

    PipelineException e = catchThrowableOfType(PipelineException.class, () -> strict.run(spec));

    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
    assertThat(requests.get()).isZero();
  }

  @Test
  void run_httpError_failsWithStatusAndCachesNothing() throws Exception {
    PipelineSpec spec = spec("/missing.csv", Sha256.of(GOOD));

    IOException e = catchThrowableOfType(IOException.class, () -> ingest().run(spec));

    assertThat(e).hasMessageEndingWith("/missing.csv: expected HTTP 200, found 404");
    assertThat(filesIn(cache)).isEmpty();
  }

  private static List<Path> filesIn(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  private static byte[] bytes(String resource) {
    try {
      return Files.readAllBytes(Fixtures.resource(resource));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
