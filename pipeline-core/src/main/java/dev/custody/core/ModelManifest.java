package dev.custody.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
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

  /** Paths model_signing ignores by default, besides the signature itself. */
  public static final List<String> DEFAULT_IGNORES =
      List.of(".git", ".gitattributes", ".github", ".gitignore");

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

  private ModelManifest(
      String modelName, List<Resource> resources, List<String> ignorePaths, boolean allowSymlinks) {
    this.modelName = modelName;
    List<Resource> sorted = new ArrayList<>(resources);
    sorted.sort(Comparator.comparing(Resource::name, PATH_ORDER));
    this.resources = List.copyOf(sorted);
    this.ignorePaths = List.copyOf(new TreeSet<>(ignorePaths));
    this.allowSymlinks = allowSymlinks;
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
   * @param ignorePaths paths relative to the model (a directory ignores everything below it)
   * @param allowSymlinks whether symbolic links are followed; if not, a link is refused
   * @throws PipelineException {@link Reason#UNSUPPORTED} for a refused link or special file
   */
  public static ModelManifest hash(Path model, List<String> ignorePaths, boolean allowSymlinks)
      throws IOException, PipelineException {
    Path root = model.toAbsolutePath().normalize();
    String name = root.getFileName() == null ? "/" : root.getFileName().toString();
    if (Files.isRegularFile(root, LinkOption.NOFOLLOW_LINKS)) {
      return new ModelManifest(
          name, List.of(new Resource(".", Digests.sha256(root))), ignorePaths, allowSymlinks);
    }
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      throw new PipelineException(
          Reason.UNSUPPORTED, model + ": expected a model directory or regular file");
    }
    Set<String> ignores = new TreeSet<>();
    for (String p : ignorePaths) {
      ignores.add(normalizeIgnore(p));
    }
    List<Path> files = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return !dir.equals(root) && ignored(relative(root, dir), ignores)
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            String rel = relative(root, file);
            if (ignored(rel, ignores)) {
              return FileVisitResult.CONTINUE;
            }
            if (attrs.isSymbolicLink()) {
              if (!allowSymlinks) {
                refused.add(rel + " is a symbolic link (allow_symlinks is false)");
              } else if (Files.isRegularFile(file)) {
                files.add(file);
              } else {
                refused.add(rel + " is a symbolic link to something other than a regular file");
              }
            } else if (attrs.isRegularFile()) {
              files.add(file);
            } else {
              refused.add(rel + " is not a regular file");
            }
            return FileVisitResult.CONTINUE;
          }
        });
    if (!refused.isEmpty()) {
      throw new PipelineException(Reason.UNSUPPORTED, model + ": " + String.join("; ", refused));
    }
    Map<Path, Sha256> digests = Digests.sha256All(files);
    List<Resource> resources = new ArrayList<>();
    for (Path f : files) {
      resources.add(new Resource(relative(root, f), digests.get(f)));
    }
    return new ModelManifest(name, resources, new ArrayList<>(ignores), allowSymlinks);
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
    ArrayNode ign = ser.putArray("ignore_paths");
    ignorePaths.forEach(ign::add);
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
          "model signature: expected serialization method 'files', found '" + method + "'");
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
        ser.path("allow_symlinks").asBoolean());
  }

  /**
   * What differs between this (signed) manifest and an {@code actual} one, one line per file:
   * missing, extra, changed, or renamed (same content under another name). Empty when the file sets
   * and every digest are equal.
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
        out.add("changed: " + e.getKey() + " (signed " + e.getValue() + ", found " + a + ")");
      }
    }
    List<String> extra = new ArrayList<>();
    for (String name : found.keySet()) {
      if (!signed.containsKey(name)) {
        extra.add(name);
      }
    }
    for (String m : missing) {
      String renamedTo =
          extra.stream().filter(x -> found.get(x).matches(signed.get(m))).findFirst().orElse(null);
      if (renamedTo != null) {
        extra.remove(renamedTo);
        out.add("renamed: " + m + " -> " + renamedTo);
      } else {
        out.add("missing: " + m);
      }
    }
    extra.forEach(x -> out.add("extra: " + x));
    return out;
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

  private static String relative(Path root, Path p) {
    List<String> parts = new ArrayList<>();
    root.relativize(p).forEach(x -> parts.add(x.toString()));
    return String.join("/", parts);
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
