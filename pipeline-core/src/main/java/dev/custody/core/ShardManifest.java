package dev.custody.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The shard manifest of a model in the OpenSSF Model Signing v1.0 format ({@code method: shards}):
 * every file cut into shards of {@code shard_size} bytes (the last one shorter, an empty file
 * none), each shard named {@code path:start:end} and hashed on its own, so one large file is hashed
 * on several cores. Byte-compatible with {@code model_signing}: shards are ordered by path (as
 * Python orders {@code PurePosixPath}s), then start, then end; each resource's algorithm is {@code
 * sha256-sharded-<shard_size>}; the root digest is the SHA-256 of the concatenated raw shard
 * digests in that order.
 */
public final class ShardManifest {
  /** The serialization method this class reads and writes. */
  public static final String METHOD = "shards";

  private static final Pattern OFFSET = Pattern.compile("0|[1-9][0-9]{0,18}");

  /**
   * One hashed shard.
   *
   * @param path relative POSIX path of the file inside the model ({@code .} for a single-file
   *     model)
   * @param start first byte, included
   * @param end last byte, excluded
   * @param digest SHA-256 of the bytes {@code [start, end)}
   */
  public record Shard(String path, long start, long end, Sha256 digest) {
    /** The resource name model_signing records: {@code path:start:end}. */
    public String name() {
      return path + ":" + start + ":" + end;
    }
  }

  /** A shard to hash: its file's name in the model and the byte range on disk. */
  record Planned(String path, ShardHasher.Range range) {
    String name() {
      return path + ":" + range.start() + ":" + range.end();
    }
  }

  static final Comparator<Shard> ORDER =
      Comparator.comparing(Shard::path, ModelManifest.PATH_ORDER)
          .thenComparingLong(Shard::start)
          .thenComparingLong(Shard::end);

  private final String modelName;
  private final long shardSize;
  private final List<Shard> shards;
  private final List<String> ignorePaths;
  private final boolean allowSymlinks;
  private final boolean ignorePathsRecorded;
  private final List<String> ignoredFiles;

  private ShardManifest(
      String modelName,
      long shardSize,
      List<Shard> shards,
      List<String> ignorePaths,
      boolean allowSymlinks,
      boolean ignorePathsRecorded,
      List<String> ignoredFiles) {
    this.modelName = modelName;
    this.shardSize = shardSize;
    this.shards = List.copyOf(shards);
    this.ignorePaths = List.copyOf(ignorePaths);
    this.allowSymlinks = allowSymlinks;
    this.ignorePathsRecorded = ignorePathsRecorded;
    this.ignoredFiles = List.copyOf(ignoredFiles);
  }

  /**
   * Hashes a model (a directory or a single file) by shards, the shards in parallel. Symbolic links
   * and special files are treated as by {@link ModelManifest#hash(Path, List, boolean)}.
   *
   * @param ignorePaths paths relative to the model (a directory ignores everything below it)
   * @param allowSymlinks whether symbolic links are followed; if not, a link is refused
   * @param shardSize bytes per shard, positive
   * @throws PipelineException {@link Reason#UNSUPPORTED} for a refused link or special file, or a
   *     file name holding {@code :} (model_signing could not read its shard names back)
   */
  public static ShardManifest hash(
      Path model, List<String> ignorePaths, boolean allowSymlinks, long shardSize)
      throws IOException, PipelineException {
    ModelManifest.Listing listing = ModelManifest.list(model, ignorePaths, allowSymlinks);
    if (!listing.refused().isEmpty()) {
      throw new PipelineException(
          Reason.UNSUPPORTED, model + ": " + ModelManifest.describe(listing.refused()));
    }
    return hash(listing, shardSize);
  }

  /** Hashes the files of a listing by shards (see {@link #hash(Path, List, boolean, long)}). */
  static ShardManifest hash(ModelManifest.Listing listing, long shardSize)
      throws IOException, PipelineException {
    if (shardSize <= 0) {
      throw new IllegalArgumentException("shard size must be positive, got " + shardSize);
    }
    List<String> colons = new ArrayList<>();
    for (String f : listing.files()) {
      if (f.indexOf(':') >= 0) {
        colons.add(ModelManifest.shown(f));
      }
    }
    if (!colons.isEmpty()) {
      throw new PipelineException(
          Reason.UNSUPPORTED,
          "the shards method names a shard path:start:end, so a file name must not hold ':'; "
              + ModelManifest.describe(colons)
              + " (sign with the files method)");
    }
    List<String> ignored = new ArrayList<>(listing.ignored());
    ignored.sort(ModelManifest.PATH_ORDER);
    return new ShardManifest(
        modelName(listing),
        shardSize,
        hashPlanned(plan(listing, shardSize)),
        listing.ignores(),
        listing.allowSymlinks(),
        !listing.ignores().isEmpty(),
        ignored);
  }

  /**
   * The shards of every listed file as model_signing cuts them: {@code [0, s), [s, 2s), ...}, the
   * last ending at the file's size; none for an empty file. Sorted in manifest order.
   */
  static List<Planned> plan(ModelManifest.Listing listing, long shardSize) throws IOException {
    List<String> names = new ArrayList<>(listing.files());
    names.sort(ModelManifest.PATH_ORDER);
    List<Planned> out = new ArrayList<>();
    for (String name : names) {
      Path file = listing.single() ? listing.root() : listing.root().resolve(name);
      long size = Files.size(file);
      for (long start = 0; start < size; start += Math.min(shardSize, size - start)) {
        long end = start + Math.min(shardSize, size - start);
        out.add(new Planned(name, new ShardHasher.Range(file, start, end)));
      }
    }
    return out;
  }

  /** Hashes planned shards in parallel; the result keeps their order. */
  static List<Shard> hashPlanned(List<Planned> planned) throws IOException {
    List<ShardHasher.Range> ranges = new ArrayList<>(planned.size());
    planned.forEach(p -> ranges.add(p.range()));
    List<Sha256> digests = ShardHasher.hash(ranges);
    List<Shard> out = new ArrayList<>(planned.size());
    for (int i = 0; i < planned.size(); i++) {
      ShardHasher.Range r = planned.get(i).range();
      out.add(new Shard(planned.get(i).path(), r.start(), r.end(), digests.get(i)));
    }
    return out;
  }

  private static String modelName(ModelManifest.Listing listing) {
    return listing.root().getFileName() == null ? "/" : listing.root().getFileName().toString();
  }

  /** The model's name: the last component of its path (informative only). */
  public String modelName() {
    return modelName;
  }

  /** Bytes per shard, as recorded in the signature. */
  public long shardSize() {
    return shardSize;
  }

  /** The shards: in manifest order when hashed, in the signature's order when read from one. */
  public List<Shard> shards() {
    return shards;
  }

  /** The paths that were left out of hashing. */
  public List<String> ignorePaths() {
    return ignorePaths;
  }

  /** Whether {@code allow_symlinks} was set when the manifest was made. */
  public boolean allowSymlinks() {
    return allowSymlinks;
  }

  /**
   * Whether the signature records {@code ignore_paths} (model_signing leaves the key out when
   * empty).
   */
  public boolean ignorePathsRecorded() {
    return ignorePathsRecorded;
  }

  /**
   * Regular files that lay under an ignore path when this manifest was hashed from disk, sorted.
   * Empty for a manifest read from a statement.
   */
  public List<String> ignoredFiles() {
    return ignoredFiles;
  }

  /** How many files have at least one shard. */
  public int fileCount() {
    Set<String> paths = new TreeSet<>();
    shards.forEach(s -> paths.add(s.path()));
    return paths.size();
  }

  /** The {@code algorithm} every resource of this manifest records. */
  String algorithm() {
    return "sha256-sharded-" + shardSize;
  }

  /**
   * SHA-256 over the concatenated raw digests of {@link #shards()} in their order, as model_signing
   * computes it when it signs (manifest order) and when it verifies (the signature's order).
   */
  public Sha256 rootDigest() {
    MessageDigest md = org.apache.commons.codec.digest.DigestUtils.getSha256Digest();
    for (Shard s : shards) {
      md.update(s.digest().bytes());
    }
    return Sha256.ofRaw(md.digest());
  }

  /** The in-toto statement model_signing signs for this manifest. */
  public Statement toStatement() {
    ObjectNode predicate = JsonNodeFactory.instance.objectNode();
    ObjectNode ser = predicate.putObject("serialization");
    ser.put("method", METHOD);
    ser.put("hash_type", "sha256");
    ser.put("shard_size", shardSize);
    ser.put("allow_symlinks", allowSymlinks);
    if (!ignorePaths.isEmpty()) {
      ArrayNode ign = ser.putArray("ignore_paths");
      ignorePaths.forEach(ign::add);
    }
    ArrayNode res = predicate.putArray("resources");
    for (Shard s : shards) {
      ObjectNode n = res.addObject();
      n.put("name", s.name());
      n.put("algorithm", algorithm());
      n.put("digest", s.digest().hex());
    }
    return new Statement(
        List.of(Statement.Subject.of(modelName, rootDigest())),
        ModelManifest.PREDICATE_TYPE,
        predicate);
  }

  /** Whether a model signature's statement records the {@code shards} method. */
  static boolean isShards(Statement statement) {
    return ModelManifest.PREDICATE_TYPE.equals(statement.predicateType())
        && METHOD.equals(statement.predicate().path("serialization").path("method").asText(""));
  }

  /**
   * Reads the shard manifest a verified model signature carries, keeping the signature's resource
   * order (model_signing computes the root digest in that order when it verifies).
   *
   * @throws VerificationException UNSUPPORTED for another predicate type, method, hash or resource
   *     algorithm; MALFORMED for a predicate that does not have the format's shape (a shard name
   *     that is not {@code path:start:end} with {@code start < end} and at most {@code shard_size}
   *     bytes, a shard listed twice)
   */
  public static ShardManifest fromStatement(Statement statement) throws VerificationException {
    if (!ModelManifest.PREDICATE_TYPE.equals(statement.predicateType())) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "model signature: expected predicate type "
              + ModelManifest.PREDICATE_TYPE
              + ", found "
              + statement.predicateType());
    }
    if (statement.subjects().size() != 1) {
      throw malformed("expected one subject, found " + statement.subjects().size());
    }
    JsonNode p = statement.predicate();
    JsonNode ser = p.path("serialization");
    String method = ser.path("method").asText("");
    if (!METHOD.equals(method)) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "model signature: expected serialization method 'shards', found '" + method + "'");
    }
    String hashType = ser.path("hash_type").asText("");
    if (!"sha256".equals(hashType)) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "model signature: expected hash_type sha256, found '" + hashType + "'");
    }
    JsonNode size = ser.path("shard_size");
    if (!size.isIntegralNumber() || !size.canConvertToLong() || size.asLong() <= 0) {
      throw malformed("expected a positive integer serialization.shard_size, found " + size);
    }
    long shardSize = size.asLong();
    if (!ser.path("allow_symlinks").isBoolean()) {
      throw malformed("expected a boolean serialization.allow_symlinks");
    }
    List<String> ignores = new ArrayList<>();
    JsonNode ignoreNode = ser.path("ignore_paths");
    if (!ignoreNode.isMissingNode() && !ignoreNode.isArray()) {
      throw malformed("expected serialization.ignore_paths to be an array");
    }
    for (JsonNode i : ignoreNode) {
      if (!i.isTextual()) {
        throw malformed("ignore_paths holds a non-string");
      }
      ignores.add(i.asText());
    }
    JsonNode res = p.path("resources");
    if (!res.isArray()) {
      throw malformed("expected a 'resources' array");
    }
    String algorithm = "sha256-sharded-" + shardSize;
    Map<String, Shard> byName = new LinkedHashMap<>();
    for (JsonNode r : res) {
      String name = r.path("name").asText(null);
      String digest = r.path("digest").asText(null);
      if (name == null || digest == null) {
        throw malformed("a resource lacks a name or digest");
      }
      String alg = r.path("algorithm").asText("");
      if (!algorithm.equals(alg)) {
        throw new VerificationException(
            Reason.UNSUPPORTED,
            "model signature: resource "
                + ModelManifest.shown(name)
                + " uses algorithm '"
                + Printable.line(alg, ModelManifest.MAX_NAME)
                + "', expected '"
                + algorithm
                + "'");
      }
      Shard shard = parseShard(name, digest, shardSize);
      if (byName.put(name, shard) != null) {
        throw malformed("resource " + ModelManifest.shown(name) + " is listed twice");
      }
    }
    return new ShardManifest(
        statement.subjects().get(0).name(),
        shardSize,
        new ArrayList<>(byName.values()),
        ignores,
        ser.path("allow_symlinks").asBoolean(),
        !ignoreNode.isMissingNode(),
        List.of());
  }

  private static Shard parseShard(String name, String digest, long shardSize)
      throws VerificationException {
    String[] parts = name.split(":", -1);
    if (parts.length != 3
        || !OFFSET.matcher(parts[1]).matches()
        || !OFFSET.matcher(parts[2]).matches()) {
      throw malformed(
          "expected a shard resource named path:start:end, found " + ModelManifest.shown(name));
    }
    long start;
    long end;
    try {
      start = Long.parseLong(parts[1]);
      end = Long.parseLong(parts[2]);
    } catch (NumberFormatException e) {
      throw malformed("shard offsets out of range in " + ModelManifest.shown(name));
    }
    if (end <= start || end - start > shardSize) {
      throw malformed(
          "shard "
              + ModelManifest.shown(name)
              + ": expected start < end and at most "
              + shardSize
              + " bytes");
    }
    try {
      return new Shard(parts[0], start, end, new Sha256(digest));
    } catch (IllegalArgumentException e) {
      throw malformed("resource " + ModelManifest.shown(name) + ": " + e.getMessage());
    }
  }

  /**
   * How the files on disk are cut differently from this (signed) manifest, by name and size only
   * (nothing is read): one line per file, {@code missing}, {@code extra} (a non-empty file no shard
   * names), or {@code size changed} naming the first shard that differs. Empty when the planned
   * shards are exactly the signed ones.
   *
   * <p>Bounds: time and memory linear in the number of signed and planned shards.
   */
  List<String> layoutDifferences(List<Planned> planned) {
    Map<String, Set<String>> signedByPath = new LinkedHashMap<>();
    Map<String, Long> signedSize = new HashMap<>();
    for (Shard s : shards) {
      signedByPath.computeIfAbsent(s.path(), x -> new TreeSet<>()).add(s.name());
      signedSize.merge(s.path(), s.end(), Math::max);
    }
    Map<String, Set<String>> foundByPath = new LinkedHashMap<>();
    Map<String, Long> foundSize = new HashMap<>();
    for (Planned p : planned) {
      foundByPath.computeIfAbsent(p.path(), x -> new TreeSet<>()).add(p.name());
      foundSize.merge(p.path(), p.range().end(), Math::max);
    }
    List<String> out = new ArrayList<>();
    for (var e : signedByPath.entrySet()) {
      Set<String> found = foundByPath.get(e.getKey());
      if (found == null) {
        out.add(
            "missing or empty: "
                + ModelManifest.shown(e.getKey())
                + " (signed "
                + signedSize.get(e.getKey())
                + " bytes)");
      } else if (!found.equals(e.getValue())) {
        String first =
            e.getValue().stream().filter(n -> !found.contains(n)).findFirst().orElseGet(() -> "");
        out.add(
            "size changed: "
                + ModelManifest.shown(e.getKey())
                + " (signed "
                + signedSize.get(e.getKey())
                + " bytes, found "
                + foundSize.get(e.getKey())
                + (first.isEmpty() ? ")" : "; shard " + ModelManifest.shown(first) + " differs)"));
      }
    }
    for (var e : foundByPath.entrySet()) {
      if (!signedByPath.containsKey(e.getKey())) {
        out.add(
            "extra: "
                + ModelManifest.shown(e.getKey())
                + " ("
                + foundSize.get(e.getKey())
                + " bytes)");
      }
    }
    return out;
  }

  /**
   * Which shards hash differently from the signed ones: one line per shard, {@code changed:
   * path:start:end (signed ..., found ...)}. Expects the same shard names (see {@link
   * #layoutDifferences}).
   */
  List<String> digestDifferences(List<Shard> actual) {
    Map<String, Sha256> signed = new HashMap<>();
    shards.forEach(s -> signed.put(s.name(), s.digest()));
    List<String> out = new ArrayList<>();
    for (Shard a : actual) {
      Sha256 s = signed.get(a.name());
      if (s == null) {
        out.add("extra: " + ModelManifest.shown(a.name()));
      } else if (!s.matches(a.digest())) {
        out.add(
            "changed: "
                + ModelManifest.shown(a.name())
                + " (signed "
                + s
                + ", found "
                + a.digest()
                + ")");
      }
    }
    return out;
  }

  /** This manifest with other {@link #ignoredFiles()}. */
  ShardManifest withIgnoredFiles(List<String> ignored) {
    return new ShardManifest(
        modelName, shardSize, shards, ignorePaths, allowSymlinks, ignorePathsRecorded, ignored);
  }

  private static VerificationException malformed(String what) {
    return new VerificationException(Reason.MALFORMED, "model signature: " + what);
  }
}
