package dev.custody.serve.security;

import java.util.Objects;
import java.util.Optional;

/**
 * A client of the model server, as its token file names it. Holds no secret: it may be logged.
 *
 * @param id the client's id, safe to log and to use as a metric label (see {@link TokenFile})
 * @param role what its token allows
 * @param rate its own rate limit, or empty when the server's default applies
 */
public record Client(String id, Role role, Optional<RateLimit> rate) {
  public Client {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(rate, "rate");
  }

  /** A client without a rate limit of its own. */
  public Client(String id, Role role) {
    this(id, role, Optional.empty());
  }
}
