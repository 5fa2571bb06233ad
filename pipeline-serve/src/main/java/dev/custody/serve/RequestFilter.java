package dev.custody.serve;

import io.undertow.server.HttpServerExchange;
import java.util.Optional;

/**
 * A check every request passes after it is classified and before its endpoint runs (and before its
 * body is read): the place for authentication and rate limits. It runs on an I/O thread, so it must
 * not block.
 */
@FunctionalInterface
public interface RequestFilter {
  /** Admits every request. */
  RequestFilter NONE = (exchange, kind) -> Optional.empty();

  /**
   * Decides whether a request may go on.
   *
   * @param exchange the request (headers, peer address); its body is not read yet
   * @param kind what the request is for
   * @return empty to admit it, or the rejection to answer with
   */
  Optional<Rejection> check(HttpServerExchange exchange, EndpointKind kind);
}
