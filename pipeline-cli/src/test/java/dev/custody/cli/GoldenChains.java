package dev.custody.cli;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The golden chains of pipeline-verify's test-jar, copied to a directory the test owns. */
final class GoldenChains {
  private GoldenChains() {}

  /** Copies {@code dev/custody/verify/chains} (from the test-jar or the classes directory). */
  static Path copyTo(Path dir) throws Exception {
    URI readme =
        GoldenChains.class
            .getClassLoader()
            .getResource("dev/custody/verify/chains/README.md")
            .toURI();
    if (readme.getScheme().equals("jar")) {
      try (FileSystem fs = FileSystems.newFileSystem(readme, Map.of())) {
        copyTree(fs.getPath("dev/custody/verify/chains"), dir);
      }
    } else {
      copyTree(Path.of(readme).getParent(), dir);
    }
    return dir;
  }

  /**
   * The chains' policy without its dependency rule: its lock names made-up jars, which the running
   * classpath never matches.
   */
  static Path policyWithoutDependencies(Path chains) throws Exception {
    return Files.writeString(
        chains.resolve("policy-no-deps.yaml"),
        Files.readString(chains.resolve("policy.yaml")).replaceAll("(?m)^dependencies:.*\\n", ""));
  }

  /** Copies the tree at {@code from} to {@code to}. */
  static void copyTree(Path from, Path to) throws Exception {
    try (var walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }
}
