package dev.custody.train.data;

import dev.custody.core.AtomicFiles;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.train.internal.Bytes;
import dev.custody.train.spec.PipelineSpec.RemoteFile;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Downloads pinned data files, optionally into a content-addressed cache ({@code
 * <cache>/sha256/<hex>}). A download is held in memory, hashed and compared with the pin before
 * anything is written, so a wrong file never enters the cache; a cached file is hashed again on
 * every use, and one that no longer matches is deleted and downloaded again. Without a cache
 * directory every use downloads again and nothing is written. The cache directory is always the
 * caller's explicit choice: nothing here depends on the working directory.
 */
public final class Fetcher {
  private final Path cacheDirectory;
  private final Supplier<HttpClient> client;
  private final boolean allowPlainHttp;
  private final long maxBytes;
  private final Duration timeout;

  /**
   * A fetcher caching under {@code cacheDirectory}.
   *
   * @param cacheDirectory where verified downloads are kept, or null to keep none
   * @param client the HTTP client for downloads, asked for on the first download (making one loads
   *     about 300 classes, TLS's among them, which a run on local files does not need)
   * @param allowPlainHttp whether {@code http://} URLs are fetched (refused otherwise)
   * @param maxBytes the largest download accepted
   * @param timeout the timeout of each request
   */
  public Fetcher(
      Path cacheDirectory,
      Supplier<HttpClient> client,
      boolean allowPlainHttp,
      long maxBytes,
      Duration timeout) {
    this.cacheDirectory = cacheDirectory;
    this.client = client;
    this.allowPlainHttp = allowPlainHttp;
    this.maxBytes = maxBytes;
    this.timeout = timeout;
  }

  /** Where a file with this digest is cached, or null without a cache directory. */
  Path cachePath(Sha256 digest) {
    return cacheDirectory == null ? null : cacheDirectory.resolve("sha256").resolve(digest.hex());
  }

  /**
   * The verified bytes of a remote file, from the cache or the network.
   *
   * @throws PipelineException {@code DIGEST_MISMATCH} if the download's digest differs from the pin
   */
  public byte[] fetch(RemoteFile file) throws IOException, PipelineException {
    URI url = file.url();
    String scheme = url.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("http") && !allowPlainHttp) {
      throw new PipelineException(
          Reason.UNSUPPORTED,
          url + ": expected an https URL, found http (Ingest.Builder.allowPlainHttp() permits it)");
    }
    Path cached = cachePath(file.sha256());
    if (cached != null && Files.isRegularFile(cached, LinkOption.NOFOLLOW_LINKS)) {
      byte[] bytes = Bytes.readLimited(cached, maxBytes, Reason.DATA_INVALID);
      if (Bytes.sha256(bytes).matches(file.sha256())) {
        return bytes;
      }
      Files.delete(cached);
    }
    HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
    HttpResponse<InputStream> response;
    try {
      response = client.get().send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while downloading " + url, e);
    }
    byte[] bytes;
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw new IOException("GET " + url + ": expected HTTP 200, found " + response.statusCode());
      }
      bytes = Bytes.readLimited(body, maxBytes, Reason.DATA_INVALID, url.toString());
    }
    Sha256 found = Bytes.sha256(bytes);
    if (!found.matches(file.sha256())) {
      throw new PipelineException(
          Reason.DIGEST_MISMATCH,
          "digest mismatch: " + url + " pinned " + file.sha256() + ", downloaded " + found);
    }
    if (cached != null) {
      AtomicFiles.write(cached, bytes);
    }
    return bytes;
  }
}
