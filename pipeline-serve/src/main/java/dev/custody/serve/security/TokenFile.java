package dev.custody.serve.security;

import dev.custody.core.InputFiles;
import dev.custody.core.PipelineException;
import dev.custody.core.Printable;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.YamlReader;
import dev.custody.core.YamlTree;
import dev.custody.core.YamlTree.Node;
import dev.custody.core.YamlTree.Scalar;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The model server's token file: which clients may call it, with what role, at what rate. It holds
 * the SHA-256 of each bearer token, never a token, so reading it does not let anyone call the
 * server; writing it does (anyone who can write it can add a token of their own).
 *
 * <pre>{@code
 * clients:
 *   - id: "ci-runner"          # letters, digits, . _ @ - (at most 64; starts with a letter or digit)
 *     sha256: "3f5a…"          # 64 lower-case hex digits (or sha256:…): SHA-256 of the token as sent
 *     role: infer              # infer | admin (admin may also infer)
 *     rate: 50                 # optional: requests per second, in (0, 1000000]
 *     burst: 100               # with rate: largest burst, in [1, 1000000]
 *   - id: "ops"
 *     sha256: "9c1d…"
 *     role: admin
 * }</pre>
 *
 * <p>Strict: an unknown key, a missing one, a wrong type, a digest that is not 64 lower-case hex
 * digits, {@code rate} without {@code burst} (or the reverse), a duplicate id or a duplicate digest
 * (two clients sharing a token) is an error with reason {@link Reason#TOKENS_INVALID} that names
 * the line:column; a digest is never echoed in an error (someone may paste the token itself there).
 * A client without {@code rate} gets the server's default rate limit. At most {@value #MAX_CLIENTS}
 * clients.
 *
 * <p>The file is read only when it is a regular file or a symbolic link to one (Kubernetes mounts
 * secrets as links), and is refused when its group or others may write it: a writable token file is
 * a way in. Its readability is not checked, since digests of random 256-bit tokens reveal nothing
 * usable. {@code custody token new} writes it with mode 0600, in the canonical form {@link #toYaml}
 * gives (comments are not kept).
 */
public final class TokenFile {
  /**
   * Most clients a token file may hold: every request is compared with every digest ({@link
   * Tokens}), about 55 µs at this size.
   */
  public static final int MAX_CLIENTS = 1_000;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final Set<PosixFilePermission> OTHERS_WRITE =
      Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

  /**
   * One client and the digest of its token.
   *
   * @param client the client
   * @param sha256 SHA-256 of its token ({@link Tokens#digest})
   */
  public record Entry(Client client, Sha256 sha256) {
    public Entry {
      Objects.requireNonNull(client, "client");
      Objects.requireNonNull(sha256, "sha256");
      requireId(client.id());
    }
  }

  private final List<Entry> entries;

  private TokenFile(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** A token file without clients, to add the first one to. */
  public static TokenFile empty() {
    return new TokenFile(List.of());
  }

  /** The clients, in file order. */
  public List<Entry> entries() {
    return entries;
  }

  /** Whether {@code id} is a valid client id: letters, digits, {@code . _ @ -}, at most 64. */
  public static boolean isValidId(String id) {
    return ID.matcher(id).matches();
  }

  private static void requireId(String id) {
    if (!isValidId(id)) {
      throw new IllegalArgumentException(
          "expected a client id of letters, digits and . _ @ - (at most 64, starting with a letter"
              + " or digit), found \""
              + Printable.of(id, 80)
              + "\"");
    }
  }

  /**
   * This file with {@code entry} added at the end.
   *
   * @throws IllegalArgumentException if its id or digest is already in the file, or the file is
   *     full
   */
  public TokenFile with(Entry entry) {
    for (Entry e : entries) {
      if (e.client().id().equals(entry.client().id())) {
        throw new IllegalArgumentException(
            "client \"" + entry.client().id() + "\" is already in the token file");
      }
      if (e.sha256().matches(entry.sha256())) {
        throw new IllegalArgumentException(
            "client \"" + e.client().id() + "\" already has this token");
      }
    }
    if (entries.size() >= MAX_CLIENTS) {
      throw new IllegalArgumentException(
          "the token file already holds " + MAX_CLIENTS + " clients, the most it may");
    }
    List<Entry> more = new ArrayList<>(entries);
    more.add(entry);
    return new TokenFile(more);
  }

  /**
   * Reads a token file.
   *
   * @throws PipelineException {@link Reason#TOKENS_INVALID} if the file is missing, not a regular
   *     file (or a link to one), writable by group or others, larger than {@link
   *     YamlTree#MAX_BYTES}, or not a valid token file (line:column named)
   * @throws IOException if it cannot be read
   */
  public static TokenFile load(Path file) throws IOException, PipelineException {
    byte[] yaml;
    try {
      InputFiles.requireRegular(
          file, "a token file", Reason.TOKENS_INVALID, InputFiles.Links.FOLLOW);
      refuseWritableByOthers(file);
      yaml =
          InputFiles.read(
              file,
              "a token file",
              YamlTree.MAX_BYTES,
              Reason.TOKENS_INVALID,
              InputFiles.Links.FOLLOW);
    } catch (NoSuchFileException e) {
      throw new PipelineException(
          Reason.TOKENS_INVALID,
          InputFiles.shown(file) + ": expected a token file, found no such file");
    }
    return parse(yaml, InputFiles.shown(file));
  }

  private static void refuseWritableByOthers(Path file) throws IOException, PipelineException {
    Optional<Set<PosixFilePermission>> open =
        InputFiles.grantedAnyOf(file, OTHERS_WRITE, InputFiles.Links.FOLLOW);
    if (open.isPresent()) {
      throw new PipelineException(
          Reason.TOKENS_INVALID,
          InputFiles.shown(file)
              + ": token file permissions "
              + PosixFilePermissions.toString(open.get())
              + " let others write it (and so add a token); expected no group or other write"
              + " (chmod go-w)");
    }
  }

  /**
   * Parses the YAML of a token file.
   *
   * @param source the name used in errors (a file name)
   * @throws PipelineException {@link Reason#TOKENS_INVALID}, naming line:column, if it is not a
   *     valid token file
   */
  public static TokenFile parse(byte[] yaml, String source) throws PipelineException {
    YamlReader r = new YamlReader(source, Reason.TOKENS_INVALID);
    YamlReader.Obj root = r.map(r.parse(yaml), "clients");
    List<Node> items = r.nonEmptyList(root.required("clients"));
    if (items.size() > MAX_CLIENTS) {
      throw r.error(
          root.required("clients"),
          "expected at most " + MAX_CLIENTS + " clients, found " + items.size());
    }
    Map<String, Node> ids = new HashMap<>();
    Map<String, Node> digests = new HashMap<>();
    List<Entry> entries = new ArrayList<>(items.size());
    for (Node item : items) {
      YamlReader.Obj c = r.map(item, "id", "sha256", "role", "rate", "burst");
      Node idNode = c.required("id");
      String id = r.string(idNode);
      if (!isValidId(id)) {
        throw r.error(
            idNode,
            "expected an id of letters, digits and . _ @ - (at most 64, starting with a letter or"
                + " digit), found \""
                + Printable.of(id, 80)
                + "\"");
      }
      Node first = ids.putIfAbsent(id, idNode);
      if (first != null) {
        throw r.error(idNode, "duplicate id \"" + id + "\" (first at " + first.location() + ")");
      }
      Node digestNode = c.required("sha256");
      Sha256 digest = digest(r, digestNode);
      Node sameToken = digests.putIfAbsent(digest.hex(), digestNode);
      if (sameToken != null) {
        throw r.error(
            digestNode,
            "duplicate sha256 (also at "
                + sameToken.location()
                + "): two clients would share one token; give each client its own");
      }
      Role role = Role.ofWord(r.oneOf(c.required("role"), "infer", "admin"));
      Optional<RateLimit> rate = rate(r, c);
      entries.add(new Entry(new Client(id, role, rate), digest));
    }
    return new TokenFile(entries);
  }

  /** The digest, checked without echoing it: a token pasted here by mistake must not be shown. */
  private static Sha256 digest(YamlReader r, Node node) throws PipelineException {
    // Any scalar's text as written: an unquoted digest of only digits would otherwise be a number.
    if (!(node instanceof Scalar s) || s.isNull()) {
      throw r.error(node, "expected 64 lower-case hex digits (a SHA-256), found " + node.kind());
    }
    String hex = s.text().startsWith("sha256:") ? s.text().substring(7) : s.text();
    if (!HEX64.matcher(hex).matches()) {
      throw r.error(
          node,
          "expected 64 lower-case hex digits (the SHA-256 of the token, optionally sha256:...),"
              + " found "
              + s.text().length()
              + " characters that are not (the value is not shown: it may be a token)");
    }
    return new Sha256(hex);
  }

  private static Optional<RateLimit> rate(YamlReader r, YamlReader.Obj c) throws PipelineException {
    Node rate = c.optional("rate");
    Node burst = c.optional("burst");
    if (rate == null && burst == null) {
      return Optional.empty();
    }
    if (rate == null || burst == null) {
      throw r.error(
          c.node(),
          "expected rate and burst together, found only " + (rate == null ? "burst" : "rate"));
    }
    return Optional.of(
        new RateLimit(
            r.number(rate, 0, false, RateLimit.MAX, true),
            (int) r.integer(burst, 1, RateLimit.MAX)));
  }

  /**
   * The file in canonical form (what {@link #parse} reads back to an equal file): a comment, then
   * one block per client with its id quoted.
   */
  public byte[] toYaml() {
    StringBuilder b = new StringBuilder();
    b.append("# Custody token file: SHA-256 digests of bearer tokens, never the tokens.\n")
        .append("# Add a client with: custody token new --id ID [--role infer|admin]\n")
        .append("clients:\n");
    for (Entry e : entries) {
      Client c = e.client();
      // Ids are checked against ID (no quote or backslash), so quoting them is enough.
      b.append("  - id: \"").append(c.id()).append("\"\n");
      b.append("    sha256: \"").append(e.sha256().hex()).append("\"\n");
      b.append("    role: ").append(c.role().word()).append('\n');
      c.rate()
          .ifPresent(
              rl ->
                  b.append("    rate: ")
                      .append(BigDecimal.valueOf(rl.perSecond()).toPlainString())
                      .append("\n    burst: ")
                      .append(rl.burst())
                      .append('\n'));
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenFile t && t.entries.equals(entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  /** Names the clients and roles; never a digest. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("TokenFile[");
    for (int i = 0; i < entries.size(); i++) {
      b.append(i == 0 ? "" : ", ")
          .append(entries.get(i).client().id())
          .append(':')
          .append(entries.get(i).client().role().word());
    }
    return b.append(']').toString();
  }
}
