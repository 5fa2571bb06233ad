package dev.custody.serve;

import dev.custody.core.chain.ChainLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Tampered copies of the golden chains. */
final class ServerLifecycleTestSupport {
  private ServerLifecycleTestSupport() {}

  /** A copy of chain {@code from} at {@code to} with one bit of {@code model.tribuo} flipped. */
  static Path tamperedCopy(Path from, Path to) throws IOException {
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
    Path model = to.resolve(ChainLayout.MODEL_FILE);
    byte[] b = Files.readAllBytes(model);
    b[b.length / 2] ^= 1;
    Files.write(model, b);
    return to;
  }
}
