package dev.custody.serve.security;

import dev.custody.core.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Checks bearer tokens against the SHA-256 digests of a {@link TokenFile}.
 *
 * <p>A presented token is hashed with SHA-256 and compared with <em>every</em> stored digest with
 * {@link MessageDigest#isEqual} (constant time for equal lengths), without stopping at a match, so
 * the time taken does not depend on which bytes of which digest match. A hash map keyed by the
 * digest would be faster, but its lookup time depends on the presented digest's bucket and on
 * comparisons with stored digests; SHA-256 makes that leak of little use, but the scan removes the
 * question at a cost that grows with the file: measured per request on a 2-core machine, about 1 µs
 * with 10 clients, 6 µs with 100 and 55 µs with 1,000 ({@value TokenFile#MAX_CLIENTS}, the most a
 * token file may hold). Tokens are never logged, kept or echoed; only the client's id leaves this
 * class.
 */
public final class Tokens {
  /** What tokens made by {@link #generate} start with, so that a leaked one is recognisable. */
  public static final String PREFIX = "cust_";

  /** Random bytes in a generated token. */
  public static final int TOKEN_BYTES = 32;

  /** Longest {@code Authorization} header value read; longer is malformed. */
  private static final int MAX_HEADER = 1024;

  private static final String SCHEME = "bearer ";

  private final List<Client> clients;
  private final byte[][] digests;

  private Tokens(List<TokenFile.Entry> entries) {
    this.clients = new ArrayList<>(entries.size());
    this.digests = new byte[entries.size()][];
    for (int i = 0; i < entries.size(); i++) {
      clients.add(entries.get(i).client());
      digests[i] = entries.get(i).sha256().bytes();
    }
  }

  /** The tokens of a token file. */
  public static Tokens of(TokenFile file) {
    return new Tokens(file.entries());
  }

  /** How many clients hold a token. */
  public int size() {
    return clients.size();
  }

  /**
   * Checks the value of a request's {@code Authorization} header.
   *
   * @param authorization the header's value, or {@code null} when the request has none
   * @return the client whose token it is, or why the request is not authenticated
   */
  public Authentication authenticate(String authorization) {
    if (authorization == null || authorization.isEmpty()) {
      return new Authentication.Rejected(Authentication.Failure.MISSING);
    }
    String token = bearerToken(authorization);
    if (token == null) {
      return new Authentication.Rejected(Authentication.Failure.MALFORMED);
    }
    byte[] presented = sha256(token.getBytes(StandardCharsets.US_ASCII));
    int found = -1;
    for (int i = 0; i < digests.length; i++) {
      // No early exit: every digest is compared whatever matched before (digests are unique).
      if (MessageDigest.isEqual(presented, digests[i])) {
        found = i;
      }
    }
    return found < 0
        ? new Authentication.Rejected(Authentication.Failure.UNKNOWN)
        : new Authentication.Authenticated(clients.get(found));
  }

  /**
   * The token in {@code Bearer <token>} (RFC 6750: the scheme in any case, one or more spaces, then
   * a b64token), or null when the value is not of that form.
   */
  private static String bearerToken(String value) {
    if (value.length() > MAX_HEADER
        || value.length() <= SCHEME.length()
        || !value.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
      return null;
    }
    int start = SCHEME.length();
    while (start < value.length() && value.charAt(start) == ' ') {
      start++;
    }
    String token = value.substring(start);
    return isB64Token(token) ? token : null;
  }

  /** Whether {@code token} is an RFC 6750 b64token: token characters, then optional padding. */
  private static boolean isB64Token(String token) {
    int end = token.length();
    while (end > 0 && token.charAt(end - 1) == '=') {
      end--;
    }
    if (end == 0) {
      return false;
    }
    for (int i = 0; i < end; i++) {
      if (!isB64TokenChar(token.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isB64TokenChar(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~'
        || c == '+'
        || c == '/';
  }

  /**
   * A new token: {@value #PREFIX} and {@value #TOKEN_BYTES} random bytes from {@code random} in
   * unpadded base64url. Show it once; store only its {@link #digest}.
   */
  public static String generate(SecureRandom random) {
    byte[] bytes = new byte[TOKEN_BYTES];
    random.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * The digest a token file stores for {@code token}: SHA-256 of its bytes exactly as a client
   * sends it, prefix included ({@code printf %s "$TOKEN" | sha256sum}).
   *
   * @throws IllegalArgumentException if {@code token} is not a b64token (RFC 6750), which no client
   *     could send; the message does not echo it
   */
  public static Sha256 digest(String token) {
    if (token.length() > MAX_HEADER - SCHEME.length() || !isB64Token(token)) {
      throw new IllegalArgumentException(
          "a token must be 1 to "
              + (MAX_HEADER - SCHEME.length())
              + " characters of A-Z a-z 0-9 - . _ ~ + / (then = padding)");
    }
    return Sha256.ofRaw(sha256(token.getBytes(StandardCharsets.US_ASCII)));
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Says how many clients there are; never a token or digest. */
  @Override
  public String toString() {
    return "Tokens[" + clients.size() + " clients]";
  }
}
