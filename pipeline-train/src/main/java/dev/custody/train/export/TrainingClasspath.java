package dev.custody.train.export;

import dev.custody.core.ModelManifest;
import dev.custody.core.PipelineException;
import dev.custody.core.Sha256;
import dev.custody.core.VerificationException;
import dev.custody.verify.ClasspathLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The code a training ran on: the SHA-256 of every jar on the classpath, by file name (as {@link
 * ClasspathLock} pins them), and of every <em>directory</em> on it.
 *
 * <p>A packaged {@code custody} runs from jars only. A development run (tests, an IDE) also has
 * directories such as {@code target/classes}, which a jar lock cannot pin by name. Leaving them out
 * would record less code than actually ran; instead each is recorded as {@code dir:NAME} with the
 * OpenSSF Model Signing root digest of its files (the SHA-256 over the SHA-256 of every file below
 * it, in path order, no file left out). {@code NAME} is the shortest path suffix that tells the
 * directories apart ({@code classes}, {@code test-classes}). A verifier that requires a dependency
 * lock should refuse a provenance with {@code dir:} entries: that code was not built into a pinned
 * jar.
 *
 * @param jars jar file name → SHA-256, sorted by name
 * @param directories directory name → root digest of its files, sorted by name
 */
public record TrainingClasspath(Map<String, Sha256> jars, Map<String, Sha256> directories) {
  public TrainingClasspath {
    jars = Collections.unmodifiableSortedMap(new TreeMap<>(jars));
    directories = Collections.unmodifiableSortedMap(new TreeMap<>(directories));
  }

  /**
   * The running JVM's classpath.
   *
   * @throws VerificationException {@code DEPENDENCY_MISMATCH} when two jars share a file name
   * @throws PipelineException when a classpath directory holds a symbolic link or special file
   */
  public static TrainingClasspath ofRunningJvm() throws IOException, PipelineException {
    List<Path> jarFiles = new ArrayList<>();
    List<Path> dirs = new ArrayList<>();
    for (Path p : ClasspathLock.runningClasspathEntries()) {
      (Files.isDirectory(p) ? dirs : jarFiles).add(p);
    }
    Map<String, Sha256> directories = new TreeMap<>();
    List<String> names = distinctNames(dirs);
    for (int i = 0; i < dirs.size(); i++) {
      directories.put(names.get(i), ModelManifest.hash(dirs.get(i), List.of(), false).rootDigest());
    }
    return new TrainingClasspath(ClasspathLock.of(jarFiles).jars(), directories);
  }

  /** For each path, the shortest suffix of its components that no other path ends with. */
  static List<String> distinctNames(List<Path> paths) {
    List<String> out = new ArrayList<>();
    for (Path p : paths) {
      int n = 1;
      while (n < p.getNameCount() && ambiguous(p, n, paths)) {
        n++;
      }
      Path suffix = p.subpath(p.getNameCount() - Math.min(n, p.getNameCount()), p.getNameCount());
      List<String> parts = new ArrayList<>();
      suffix.forEach(x -> parts.add(x.toString()));
      out.add(String.join("/", parts));
    }
    return out;
  }

  private static boolean ambiguous(Path p, int n, List<Path> all) {
    Path suffix = p.subpath(p.getNameCount() - n, p.getNameCount());
    for (Path other : all) {
      if (!other.equals(p) && other.getNameCount() >= n && other.endsWith(suffix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every difference from {@code other} (the classpath of a re-run), one line each: {@code added:
   * jar:x.jar}, {@code removed: dir:classes}, {@code changed: jar:y.jar (signed …, found …)}.
   */
  public List<String> differencesFrom(TrainingClasspath other) {
    List<String> out = new ArrayList<>();
    diff("jar:", jars, other.jars, out);
    diff("dir:", directories, other.directories, out);
    return out;
  }

  private static void diff(
      String prefix, Map<String, Sha256> signed, Map<String, Sha256> found, List<String> out) {
    for (var e : new TreeMap<>(signed).entrySet()) {
      Sha256 f = found.get(e.getKey());
      if (f == null) {
        out.add("removed: " + prefix + e.getKey());
      } else if (!f.matches(e.getValue())) {
        out.add(
            "changed: " + prefix + e.getKey() + " (signed " + e.getValue() + ", found " + f + ")");
      }
    }
    for (String name : new TreeMap<>(found).keySet()) {
      if (!signed.containsKey(name)) {
        out.add("added: " + prefix + name);
      }
    }
  }
}
