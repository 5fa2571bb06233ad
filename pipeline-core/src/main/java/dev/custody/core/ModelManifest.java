package dev.custody.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The file manifest of a model in the OpenSSF Model Signing v1.0 format ({@code method: files}):
 * the SHA-256 of every file, named by its relative POSIX path, and a root digest over them.
 * Byte-compatible with {@code model_signing}: resources are ordered as Python orders {@code
 * PurePosixPath}s (component by component), and the root digest is the SHA-256 of the concatenated
 * raw file digests in that order.
 */
public final class ModelManifest {
  /** The predicate type of a model signature. */
  public static final String PREDICATE_TYPE = "https://model_signing/signature/v1.0";

  /**
   * The predicate type model_signing v0.2 signed: one in-toto subject per file, no root digest, no
   * serialization record. Read for verification only (as model_signing reads it), never written.
   */
  public static final String LEGACY_PREDICATE_TYPE = "https://model_signing/Digests/v0.1";

  /** Paths model_signing ignores by default, besides the signature itself. */
  public static final List<String> DEFAULT_IGNORES =
      List.of(".git", ".gitattributes", ".github", ".gitignore");

  /** How many differences an error message names before it says how many more there are. */
  public static final int MAX_LISTED = 20;

  /** How many characters of one file name an error message shows. */
  static final int MAX_NAME = 200;

  /**
   * How this JVM turns file names from disk into strings: {@code sun.jnu.encoding}, fixed from the
   * locale (LC_ALL, LC_CTYPE, LANG) at startup; Java 17 ignores {@code -Dsun.jnu.encoding}. Windows
   * names are UTF-16 and read as such.
   */
  static final Charset FILE_NAME_CHARSET = fileNameCharset();

  /** Orders relative POSIX paths as Python's {@code PurePosixPath} does: by component. */
  static final Comparator<String> PATH_ORDER =
      (a, b) -> {
        String[] x = a.split("/", -1);
        String[] y = b.split("/", -1);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
          int c = compareCodePoints(x[i], y[i]);
          if (c != 0) {
            return c;
          }
        }
        return Integer.compare(x.length, y.length);
      };

  /**
   * One hashed file.
   *
   * @param name relative POSIX path inside the model ({@code .} for a single-file model)
   * @param digest SHA-256 of the file's bytes
   */
  public record Resource(String name, Sha256 digest) {}

  private final String modelName;
  private final List<Resource> resources;
  private final List<String> ignorePaths;
  private final boolean allowSymlinks;
  private final List<String> ignoredFiles;
  private final boolean ignorePathsRecorded;
  private final boolean legacy;

  private ModelManifest(
      String modelName, List<Resource> resources, List<String> ignorePaths, boolean allowSymlinks) {
    this(modelName, resources, ignorePaths, allowSymlinks, List.of(), true, false);
  }

  private ModelManifest(
      String modelName,
      List<Resource> resources,
      List<String> ignorePaths,
      boolean allowSymlinks,
      List<String> ignoredFiles,
      boolean ignorePathsRecorded,
      boolean legacy) {
    this.ignorePathsRecorded = ignorePathsRecorded;
    this.legacy = legacy;
    this.modelName = modelName;
    List<Resource> sorted = new ArrayList<>(resources);
    sorted.sort(Comparator.comparing(Resource::name, PATH_ORDER));
    this.resources = List.copyOf(sorted);
    this.ignorePaths = List.copyOf(new TreeSet<>(ignorePaths));
    this.allowSymlinks = allowSymlinks;
    this.ignoredFiles = List.copyOf(ignoredFiles);
  }

  /**
   * A manifest of files already hashed by the caller (for example, files read once into memory and
   * verified from those bytes).
   *
   * @param modelName the model's name (informative only)
   * @param resources each file's relative POSIX path and digest, in any order
   * @param ignorePaths the paths that were left out
   * @param allowSymlinks whether symbolic links were followed
   * @throws IllegalArgumentException if a path is listed twice
   */
  public static ModelManifest of(
      String modelName, List<Resource> resources, List<String> ignorePaths, boolean allowSymlinks) {
    Set<String> names = new TreeSet<>();
    for (Resource r : resources) {
      if (!names.add(r.name())) {
        throw new IllegalArgumentException("resource " + r.name() + " is listed twice");
      }
    }
    List<String> ignores = new ArrayList<>();
    for (String p : ignorePaths) {
      ignores.add(normalizeIgnore(p));
    }
    return new ModelManifest(modelName, resources, ignores, allowSymlinks);
  }

  /** Whether {@code relativePath} lies under one of {@link #ignorePaths()} (or is one). */
  public boolean ignores(String relativePath) {
    Set<String> normalized = new TreeSet<>();
    ignorePaths.forEach(p -> normalized.add(normalizeIgnore(p)));
    return ignored(relativePath, normalized);
  }

  /**
   * Hashes a model: a directory (every regular file below it) or a single file.
   *
   * <p>Symbolic links and special files are refused wherever they are, under ignored paths too: an
   * ignored path leaves regular files out of the manifest (they are listed in {@link
   * #ignoredFiles()}), never a link or a device. With {@code allowSymlinks}, a link outside the
   * ignored paths to a regular file inside the model is hashed as that file. A link whose target,
   * fully resolved ({@code ..} and chains of links included), lies outside the model, or does not
   * exist, is refused whatever {@code allowSymlinks} says.
   *
   * <p>Bounds: the directory is walked once (time and memory linear in the number of entries and
   * the length of their names), then every listed file is read once in 64 KiB chunks.
   *
   * @param ignorePaths paths relative to the model (a directory ignores everything below it)
   * @param allowSymlinks whether symbolic links are followed; if not, a link is refused
   * @throws PipelineException {@link Reason#UNSUPPORTED} for a refused link or special file
   */
  public static ModelManifest hash(Path model, List<String> ignorePaths, boolean allowSymlinks)
      throws IOException, PipelineException {
    Listing listing = list(model, ignorePaths, allowSymlinks);
    if (!listing.refused().isEmpty()) {
      throw new PipelineException(Reason.UNSUPPORTED, model + ": " + describe(listing.refused()));
    }
    return hash(listing);
  }

  /**
   * What a model holds, listed without reading any file's content.
   *
   * @param root the model's absolute, normalized path (a directory or a regular file)
   * @param single whether the model is a single regular file (listed as {@code .})
   * @param ignores the normalized ignore paths that were applied
   * @param allowSymlinks whether links to regular files were listed as files
   * @param files relative POSIX paths of the files to hash (not ignored), in walk order
   * @param ignored relative POSIX paths of regular files left out by an ignore path
   * @param refused one line per symbolic link or special file that was refused (names shown
   *     printable)
   */
  record Listing(
      Path root,
      boolean single,
      List<String> ignores,
      boolean allowSymlinks,
      List<String> files,
      List<String> ignored,
      List<String> refused) {}

  /**
   * Lists a model: every entry is visited once and classified by its type (no file is opened).
   *
   * <p>Every name to hash (and the model's own name) must reach the manifest exactly as its UTF-8
   * bytes on disk say: under a locale whose charset is not UTF-8 the JVM decodes file names as that
   * charset (ASCII under {@code LC_ALL=C}), and a name that is not UTF-8 decodes to U+FFFD; such
   * names are refused, never recorded altered.
   *
   * @throws PipelineException {@link Reason#UNSUPPORTED} if the model is neither a directory nor a
   *     regular file, or ({@link FileNameException}) if a name cannot be read faithfully
   */
  static Listing list(Path model, List<String> ignorePaths, boolean allowSymlinks)
      throws IOException, PipelineException {
    Path root = model.toAbsolutePath().normalize();
    Set<String> ignores = new TreeSet<>();
    for (String p : ignorePaths) {
      ignores.add(normalizeIgnore(p));
    }
    FileNameException.Names names = new FileNameException.Names(FILE_NAME_CHARSET);
    if (root.getFileName() != null) {
      names.check(root.getFileName(), "the model's name ");
    }
    if (Files.isRegularFile(root, LinkOption.NOFOLLOW_LINKS)) {
      names.throwIfAny(model);
      return new Listing(
          root, true, List.copyOf(ignores), allowSymlinks, List.of("."), List.of(), List.of());
    }
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      throw new PipelineException(
          Reason.UNSUPPORTED, model + ": expected a model directory or regular file");
    }
    List<String> files = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    Path realRoot = root.toRealPath();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            String rel = relative(root, file);
            boolean isIgnored = ignored(rel, ignores);
            String outside =
                attrs.isSymbolicLink() && !isIgnored ? linkOutside(realRoot, file, rel) : null;
            if (attrs.isRegularFile()) {
              if (!isIgnored) {
                names.check(root.relativize(file), "");
              }
              (isIgnored ? ignored : files).add(rel);
            } else if (!attrs.isSymbolicLink()) {
              refused.add(shown(rel) + " is not a regular file");
            } else if (isIgnored) {
              refused.add(shown(rel) + " is a symbolic link (under an ignored path)");
            } else if (outside != null) {
              refused.add(outside);
            } else if (!allowSymlinks) {
              refused.add(shown(rel) + " is a symbolic link (allow_symlinks is false)");
            } else if (Files.isRegularFile(file)) {
              names.check(root.relativize(file), "");
              files.add(rel);
            } else {
              refused.add(
                  shown(rel) + " is a symbolic link to something other than a regular file");
            }
            return FileVisitResult.CONTINUE;
          }
        });
    names.throwIfAny(model);
    return new Listing(root, false, List.copyOf(ignores), allowSymlinks, files, ignored, refused);
  }

  /**
   * Why a symbolic link may not be followed whatever the signer allows: its target, resolved
   * through every link and {@code ..}, is missing or lies outside the model; {@code null} if it
   * stays inside. The line names the link, what it says and where that leads.
   */
  private static String linkOutside(Path realRoot, Path link, String rel) {
    String said;
    try {
      said = shown(Files.readSymbolicLink(link).toString());
    } catch (IOException e) {
      said = "?";
    }
    String name = shown(rel);
    try {
      Path target = link.toRealPath();
      if (!target.startsWith(realRoot)) {
        return name
            + " is a symbolic link to "
            + said
            + ", which resolves to "
            + shown(target.toString())
            + ", outside the model directory (refused whatever allow_symlinks says)";
      }
      return null;
    } catch (IOException e) {
      return name
          + " is a dangling symbolic link: its target "
          + said
          + " does not exist (or cannot be resolved)";
    }
  }

  /** Hashes the files of a listing: each file is read once. */
  static ModelManifest hash(Listing listing) throws IOException {
    List<String> names = listing.files();
    String name =
        listing.root().getFileName() == null ? "/" : listing.root().getFileName().toString();
    List<Path> paths = new ArrayList<>();
    for (String rel : names) {
      paths.add(listing.single() ? listing.root() : listing.root().resolve(rel));
    }
    Map<Path, Sha256> digests = Digests.sha256All(paths);
    List<Resource> resources = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      resources.add(new Resource(names.get(i), digests.get(paths.get(i))));
    }
    List<String> ignored = new ArrayList<>(listing.ignored());
    ignored.sort(PATH_ORDER);
    return new ModelManifest(
        name, resources, listing.ignores(), listing.allowSymlinks(), ignored, true, false);
  }

  /** The model's name: the last component of its path (informative only). */
  public String modelName() {
    return modelName;
  }

  /** The hashed files in canonical order. */
  public List<Resource> resources() {
    return resources;
  }

  /** The paths that were left out of hashing, sorted. */
  public List<String> ignorePaths() {
    return ignorePaths;
  }

  /** SHA-256 over the concatenated raw digests of {@link #resources()}, in order. */
  public Sha256 rootDigest() {
    MessageDigest md = org.apache.commons.codec.digest.DigestUtils.getSha256Digest();
    for (Resource r : resources) {
      md.update(r.digest().bytes());
    }
    return Sha256.ofRaw(md.digest());
  }

  /** The in-toto statement model_signing signs for this manifest. */
  public Statement toStatement() {
    ObjectNode predicate = JsonNodeFactory.instance.objectNode();
    ObjectNode ser = predicate.putObject("serialization");
    ser.put("method", "files");
    ser.put("hash_type", "sha256");
    ser.put("allow_symlinks", allowSymlinks);
    // model_signing leaves the key out when nothing was ignored.
    if (!ignorePaths.isEmpty()) {
      ArrayNode ign = ser.putArray("ignore_paths");
      ignorePaths.forEach(ign::add);
    }
    ArrayNode res = predicate.putArray("resources");
    for (Resource r : resources) {
      ObjectNode n = res.addObject();
      n.put("name", r.name());
      n.put("algorithm", "sha256");
      n.put("digest", r.digest().hex());
    }
    return new Statement(
        List.of(Statement.Subject.of(modelName, rootDigest())), PREDICATE_TYPE, predicate);
  }

  /**
   * Reads the manifest a verified model signature carries.
   *
   * @throws VerificationException UNSUPPORTED for another predicate type, serialization method or
   *     hash; MALFORMED for a predicate that does not have the format's shape
   */
  public static ModelManifest fromStatement(Statement statement) throws VerificationException {
    if (LEGACY_PREDICATE_TYPE.equals(statement.predicateType())) {
      return fromLegacyStatement(statement);
    }
    if (!PREDICATE_TYPE.equals(statement.predicateType())) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "model signature: expected predicate type "
              + PREDICATE_TYPE
              + ", found "
              + statement.predicateType());
    }
    if (statement.subjects().size() != 1) {
      throw malformed("expected one subject, found " + statement.subjects().size());
    }
    JsonNode p = statement.predicate();
    JsonNode ser = p.path("serialization");
    String method = ser.path("method").asText("");
    if (!"files".equals(method)) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "model signature: expected serialization method 'files' or 'shards', found '"
              + method
              + "'");
    }
    String hashType = ser.path("hash_type").asText("");
    if (!"sha256".equals(hashType)) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "model signature: expected hash_type sha256, found '" + hashType + "'");
    }
    if (!ser.path("allow_symlinks").isBoolean()) {
      throw malformed("expected a boolean serialization.allow_symlinks");
    }
    List<String> ignores = new ArrayList<>();
    if (ser.has("ignore_paths") && !ser.get("ignore_paths").isArray()) {
      throw malformed("expected an array serialization.ignore_paths");
    }
    for (JsonNode i : ser.path("ignore_paths")) {
      if (!i.isTextual()) {
        throw malformed("ignore_paths holds a non-string");
      }
      ignores.add(i.asText());
    }
    JsonNode res = p.path("resources");
    if (!res.isArray()) {
      throw malformed("expected a 'resources' array");
    }
    Map<String, Resource> byName = new LinkedHashMap<>();
    for (JsonNode r : res) {
      String name = r.path("name").asText(null);
      String alg = r.path("algorithm").asText("");
      String digest = r.path("digest").asText(null);
      if (name == null || digest == null) {
        throw malformed("a resource lacks a name or digest");
      }
      if (!"sha256".equals(alg)) {
        throw new VerificationException(
            Reason.UNSUPPORTED,
            "model signature: resource " + name + " uses algorithm '" + alg + "'");
      }
      try {
        if (byName.put(name, new Resource(name, new Sha256(digest))) != null) {
          throw malformed("resource " + name + " is listed twice");
        }
      } catch (IllegalArgumentException e) {
        throw malformed("resource " + name + ": " + e.getMessage());
      }
    }
    return new ModelManifest(
        statement.subjects().get(0).name(),
        new ArrayList<>(byName.values()),
        ignores,
        ser.path("allow_symlinks").asBoolean(),
        List.of(),
        ser.has("ignore_paths"),
        false);
  }

  /**
   * model_signing v0.2's manifest: each subject is a file (name and SHA-256), hashed as {@code
   * method: files} without symbolic links; nothing is ignored but what the verifier ignores. There
   * is no model name (model_signing uses a placeholder; here it is empty) and no root digest to
   * check: the file set and every digest are compared with the model as for v1.0.
   */
  private static ModelManifest fromLegacyStatement(Statement statement)
      throws VerificationException {
    Map<String, Resource> byName = new LinkedHashMap<>();
    for (Statement.Subject s : statement.subjects()) {
      Sha256 digest = s.sha256();
      if (byName.put(s.name(), new Resource(s.name(), digest)) != null) {
        throw malformed("subject " + shown(s.name()) + " is listed twice");
      }
    }
    return new ModelManifest(
        "", new ArrayList<>(byName.values()), List.of(), false, List.of(), false, true);
  }

  /** Whether this manifest was read from a v0.2 signature ({@link #LEGACY_PREDICATE_TYPE}). */
  boolean legacy() {
    return legacy;
  }

  /** This manifest named after the model it was compared with (a v0.2 signature names none). */
  ModelManifest withModelName(String name) {
    return new ModelManifest(
        name, resources, ignorePaths, allowSymlinks, ignoredFiles, ignorePathsRecorded, legacy);
  }

  /**
   * What differs between this (signed) manifest and an {@code actual} one, one line per file:
   * changed, missing, extra, or renamed (same content under another name), with names shown
   * printable. Empty when the file sets and every digest are equal.
   *
   * <p>Bounds: time and memory linear in the number of resources of both manifests (names and
   * digests are looked up in hash maps).
   */
  public List<String> differencesFrom(ModelManifest actual) {
    Map<String, Sha256> signed = toMap(resources);
    Map<String, Sha256> found = toMap(actual.resources);
    List<String> missing = new ArrayList<>();
    List<String> out = new ArrayList<>();
    for (var e : signed.entrySet()) {
      Sha256 a = found.get(e.getKey());
      if (a == null) {
        missing.add(e.getKey());
      } else if (!a.matches(e.getValue())) {
        out.add(
            "changed: " + shown(e.getKey()) + " (signed " + e.getValue() + ", found " + a + ")");
      }
    }
    Map<Sha256, Deque<String>> extraByDigest = new HashMap<>();
    Set<String> extra = new LinkedHashSet<>();
    for (var e : found.entrySet()) {
      if (!signed.containsKey(e.getKey())) {
        extra.add(e.getKey());
        extraByDigest.computeIfAbsent(e.getValue(), d -> new ArrayDeque<>()).add(e.getKey());
      }
    }
    for (String m : missing) {
      Deque<String> sameContent = extraByDigest.get(signed.get(m));
      String renamedTo = sameContent == null ? null : sameContent.poll();
      if (renamedTo != null) {
        extra.remove(renamedTo);
        out.add("renamed: " + shown(m) + " -> " + shown(renamedTo));
      } else {
        out.add("missing: " + shown(m));
      }
    }
    extra.forEach(x -> out.add("extra: " + shown(x)));
    return out;
  }

  /**
   * Which signed files are missing from {@code found} and which of {@code found} are not signed, by
   * name only: nothing is read, so an unsigned file is refused before any of its bytes are hashed.
   * One line per file ({@code missing: NAME}, {@code extra: NAME}, names shown printable), in
   * signed order and then in the order found; empty when the names are the same set.
   *
   * <p>Bounds: time and memory linear in the number of signed and found names.
   *
   * @param found relative POSIX paths of the files on disk that are not ignored
   */
  public List<String> fileSetDifferences(List<String> found) {
    Set<String> signed = new HashSet<>();
    resources.forEach(r -> signed.add(r.name()));
    Set<String> present = new HashSet<>(found);
    List<String> out = new ArrayList<>();
    for (Resource r : resources) {
      if (!present.contains(r.name())) {
        out.add("missing: " + shown(r.name()));
      }
    }
    for (String f : found) {
      if (!signed.contains(f)) {
        out.add("extra: " + shown(f));
      }
    }
    return out;
  }

  /**
   * One bounded line for a list of differences: how many there are, the first {@link #MAX_LISTED}
   * joined with {@code "; "}, and {@code "and N more"} for the rest. Each line is expected to show
   * its file names printable already (as every list this class returns does).
   */
  public static String describe(List<String> differences) {
    StringBuilder out = new StringBuilder();
    out.append(differences.size())
        .append(differences.size() == 1 ? " difference: " : " differences: ");
    int shownCount = Math.min(differences.size(), MAX_LISTED);
    out.append(String.join("; ", differences.subList(0, shownCount)));
    if (differences.size() > shownCount) {
      out.append("; and ").append(differences.size() - shownCount).append(" more");
    }
    return out.toString();
  }

  /**
   * Regular files that lay under an ignore path when this manifest was hashed from disk, sorted:
   * present, left out of the manifest and not covered by any signature. Empty for a manifest read
   * from a statement or made with {@link #of}.
   */
  public List<String> ignoredFiles() {
    return ignoredFiles;
  }

  /** This manifest with other {@link #ignoredFiles()}. */
  ModelManifest withIgnoredFiles(List<String> ignored) {
    return new ModelManifest(
        modelName, resources, ignorePaths, allowSymlinks, ignored, ignorePathsRecorded, legacy);
  }

  /**
   * Whether the signature records its ignore paths ({@code serialization.ignore_paths}).
   * model_signing before v1.1 never wrote them though it ignored the git paths, and v1.1 leaves the
   * key out when nothing was ignored; a manifest made here or read with the key says {@code true}.
   */
  public boolean ignorePathsRecorded() {
    return ignorePathsRecorded;
  }

  /** Whether {@code allow_symlinks} was set when the manifest was made. */
  public boolean allowSymlinks() {
    return allowSymlinks;
  }

  private static Map<String, Sha256> toMap(List<Resource> rs) {
    Map<String, Sha256> m = new LinkedHashMap<>();
    rs.forEach(r -> m.put(r.name(), r.digest()));
    return m;
  }

  /** A file name from disk or from a signature, as one printable, bounded token. */
  static String shown(String name) {
    return Printable.line(name, MAX_NAME);
  }

  private static String relative(Path root, Path p) {
    List<String> parts = new ArrayList<>();
    root.relativize(p).forEach(x -> parts.add(x.toString()));
    return String.join("/", parts);
  }

  private static Charset fileNameCharset() {
    if (File.separatorChar == '\\') {
      return StandardCharsets.UTF_8;
    }
    try {
      return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    } catch (IllegalArgumentException e) {
      return StandardCharsets.US_ASCII; // an unknown charset: trust only ASCII names
    }
  }

  private static String normalizeIgnore(String p) {
    String s = p.replace('\\', '/');
    while (s.startsWith("./")) {
      s = s.substring(2);
    }
    while (s.endsWith("/") && s.length() > 1) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  private static boolean ignored(String rel, Set<String> ignores) {
    for (String i : ignores) {
      if (rel.equals(i) || rel.startsWith(i + "/")) {
        return true;
      }
    }
    return false;
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static VerificationException malformed(String what) {
    return new VerificationException(Reason.MALFORMED, "model signature: " + what);
  }
}
