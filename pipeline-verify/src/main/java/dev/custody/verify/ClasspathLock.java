package dev.custody.verify;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.custody.core.Digests;
import dev.custody.core.InputFiles;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import dev.custody.core.chain.ChainLimits;
import dev.custody.core.chain.Stage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The SHA-256 of every jar on a classpath, by file name: what a signed dependency lock records and
 * what a running process is checked against (seed 001: a tampered library). Directories on the
 * classpath cannot be locked by name and are refused.
 */
public final class ClasspathLock {
  /** Predicate type of a signed dependency lock. */
  public static final String PREDICATE_TYPE = "https://custody.dev/classpath-lock/v1";

  /** The most differences one message names. */
  static final int LISTED = 20;

  private final Map<String, Sha256> jars;

  private ClasspathLock(Map<String, Sha256> jars) {
    this.jars = Map.copyOf(jars);
  }

  /**
   * The jars of this JVM's classpath, following the {@code Class-Path} of each jar's manifest (a
   * {@code java -jar} launch names only its own jar on {@code java.class.path}).
   *
   * @throws VerificationException {@link Reason#DEPENDENCY_MISMATCH} if the classpath holds a
   *     directory or two jars with the same file name, which a lock cannot pin
   */
  public static ClasspathLock ofRunningClasspath() throws IOException, VerificationException {
    List<Path> entries = new ArrayList<>();
    for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator, -1)) {
      if (!e.isEmpty()) {
        entries.add(Path.of(e));
      }
    }
    return of(expandManifestClassPath(entries));
  }

  /**
   * Every entry of this JVM's classpath, jars and directories alike, absolute and normalized, with
   * the {@code Class-Path} of each jar's manifest followed, in classpath order; entries that do not
   * exist are left out (they contribute no code). For callers that must account for directories (a
   * build's {@code target/classes}) themselves, where {@link #ofRunningClasspath()} refuses them.
   */
  public static List<Path> runningClasspathEntries() throws IOException {
    List<Path> entries = new ArrayList<>();
    for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator, -1)) {
      if (!e.isEmpty()) {
        entries.add(Path.of(e));
      }
    }
    List<Path> out = new ArrayList<>();
    for (Path p : expandManifestClassPath(entries)) {
      if (Files.exists(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /** The lock of exactly these jar files. */
  public static ClasspathLock of(List<Path> jarFiles) throws IOException, VerificationException {
    Map<String, Path> byName = new TreeMap<>();
    for (Path p : jarFiles) {
      if (Files.isDirectory(p)) {
        throw new VerificationException(
            Reason.DEPENDENCY_MISMATCH,
            "classpath entry "
                + p
                + " is a directory; only jars can be pinned by a dependency lock");
      }
      Path prev = byName.put(p.getFileName().toString(), p);
      if (prev != null
          && !prev.toAbsolutePath().normalize().equals(p.toAbsolutePath().normalize())) {
        throw new VerificationException(
            Reason.DEPENDENCY_MISMATCH,
            "two classpath jars share the name " + p.getFileName() + ": " + prev + " and " + p);
      }
    }
    Map<Path, Sha256> digests = Digests.sha256All(new ArrayList<>(byName.values()));
    Map<String, Sha256> jars = new TreeMap<>();
    byName.forEach((name, path) -> jars.put(name, digests.get(path)));
    return new ClasspathLock(jars);
  }

  /** A lock of jars recorded elsewhere (a training provenance's {@code jar:} entries). */
  static ClasspathLock ofDigests(Map<String, Sha256> jars) {
    return new ClasspathLock(jars);
  }

  /** Jar file name to SHA-256, sorted by name. */
  public Map<String, Sha256> jars() {
    return new TreeMap<>(jars);
  }

  /** The lock as an in-toto statement: one subject per jar. */
  public Statement toStatement() {
    List<Statement.Subject> subjects = new ArrayList<>();
    jars().forEach((n, d) -> subjects.add(Statement.Subject.of(n, d)));
    var predicate = JsonNodeFactory.instance.objectNode();
    predicate.put("jars", jars.size());
    predicate.put("javaVersion", Runtime.version().feature());
    return new Statement(subjects, PREDICATE_TYPE, predicate);
  }

  /** Reads a lock from a verified statement. */
  public static ClasspathLock fromStatement(Statement statement) throws VerificationException {
    if (!PREDICATE_TYPE.equals(statement.predicateType())) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "dependency lock: expected predicate type "
              + PREDICATE_TYPE
              + ", found "
              + statement.predicateType());
    }
    Map<String, Sha256> jars = new TreeMap<>();
    for (Statement.Subject s : statement.subjects()) {
      if (jars.put(s.name(), s.sha256()) != null) {
        throw new VerificationException(
            Reason.MALFORMED, "dependency lock: jar " + s.name() + " is listed twice");
      }
    }
    return new ClasspathLock(jars);
  }

  /**
   * Every difference between this (signed) lock and {@code running}: {@code added: x.jar}, {@code
   * removed: y.jar}, {@code changed: z.jar (locked sha256:…, found sha256:…)}.
   */
  public List<String> differencesFrom(ClasspathLock running) {
    List<String> out = new ArrayList<>();
    for (var e : jars().entrySet()) {
      Sha256 found = running.jars.get(e.getKey());
      if (found == null) {
        out.add("removed: " + e.getKey());
      } else if (!found.matches(e.getValue())) {
        out.add("changed: " + e.getKey() + " (locked " + e.getValue() + ", found " + found + ")");
      }
    }
    running.jars().keySet().stream()
        .filter(n -> !jars.containsKey(n))
        .forEach(n -> out.add("added: " + n));
    return out;
  }

  /**
   * Requires the running classpath to hold exactly the locked jars.
   *
   * @throws VerificationException DEPENDENCY_MISMATCH naming every added, removed or changed jar
   */
  public void requireMatch(ClasspathLock running) throws VerificationException {
    List<String> diff = differencesFrom(running);
    if (!diff.isEmpty()) {
      throw new VerificationException(
          Reason.DEPENDENCY_MISMATCH,
          "classpath does not match the dependency lock ("
              + diff.size()
              + " differences): "
              + listed(diff));
    }
  }

  /**
   * At most {@link #LISTED} entries: a wrong lock can differ in every jar, and a line stays short.
   */
  static String listed(List<String> entries) {
    if (entries.size() <= LISTED) {
      return String.join("; ", entries);
    }
    return String.join("; ", entries.subList(0, LISTED))
        + "; and "
        + (entries.size() - LISTED)
        + " more (custody deps verify lists every jar)";
  }

  /**
   * Checks this JVM's own classpath against the dependency rule of {@code policy}, for a process
   * about to load a model (the server, seed 001: a tampered library in the serving process): the
   * policy's signed lock (verified under the TRAIN signers) must name exactly the running jars, and
   * every running jar must be in the policy's allow-list of digests, when the policy has one. A
   * policy without a dependency rule passes.
   *
   * @throws PipelineException {@link Reason#DEPENDENCY_MISMATCH} naming every jar that differs (or
   *     a classpath directory, which no rule can pin); the lock's own verification failure ({@link
   *     Reason#UNTRUSTED_SIGNER}, {@link Reason#SIGNATURE_INVALID}, {@link Reason#MALFORMED})
   * @throws IOException if the lock or a jar cannot be read
   */
  public static void requireRunningClasspathAllowed(TrustPolicy policy)
      throws IOException, PipelineException {
    if (policy.dependencyLock().isEmpty() && policy.allowedJarDigests().isEmpty()) {
      return;
    }
    requireAllowed(policy, ofRunningClasspath());
  }

  /** {@link #requireRunningClasspathAllowed} on the jars of {@code running}. */
  static void requireAllowed(TrustPolicy policy, ClasspathLock running)
      throws IOException, PipelineException {
    if (policy.dependencyLock().isPresent()) {
      Path lockFile = policy.dependencyLock().get();
      byte[] bytes =
          InputFiles.read(
              lockFile,
              "a signed dependency lock",
              ChainLimits.defaults().maxAttestationBytes(),
              Reason.MALFORMED,
              InputFiles.Links.FOLLOW);
      fromStatement(policy.verifyStatement(Stage.TRAIN, bytes).statement()).requireMatch(running);
    }
    if (!policy.allowedJarDigests().isEmpty()) {
      List<String> outside = new ArrayList<>();
      running.jars.forEach(
          (name, digest) -> {
            if (policy.allowedJarDigests().stream().noneMatch(a -> a.matches(digest))) {
              outside.add(name + " (" + digest + ")");
            }
          });
      if (!outside.isEmpty()) {
        outside.sort(null);
        throw new VerificationException(
            Reason.DEPENDENCY_MISMATCH,
            "the running classpath holds "
                + outside.size()
                + " jar(s) outside the policy's allow-list: "
                + listed(outside));
      }
    }
  }

  static List<Path> expandManifestClassPath(List<Path> entries) throws IOException {
    Set<Path> seen = new LinkedHashSet<>();
    List<Path> queue = new ArrayList<>(entries);
    while (!queue.isEmpty()) {
      Path p = queue.remove(0).toAbsolutePath().normalize();
      if (!seen.add(p) || !Files.isRegularFile(p)) {
        continue;
      }
      try (JarFile jar = new JarFile(p.toFile())) {
        Manifest m = jar.getManifest();
        String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
        if (cp != null) {
          for (String rel : cp.trim().split("\\s+", -1)) {
            if (!rel.isEmpty()) {
              queue.add(p.resolveSibling(rel));
            }
          }
        }
      }
    }
    return new ArrayList<>(seen);
  }
}
