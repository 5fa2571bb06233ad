package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.BundleSigner;
import dev.custody.core.ModelManifest;
import dev.custody.core.Reason;
import dev.custody.core.SigningKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DepsCommandTest {
  @TempDir Path dir;

  @Test
  void verify_lockOfThisTestClasspath_refusesDirectoriesOnTheClasspath() {
    // Under Maven the test classpath holds target/classes directories: a lock cannot pin those.
    Path key = dir.resolve("k.key");
    assertThat(Cli.run("keygen", "-o", key.toString()).exit()).isZero();
    Cli r = Cli.run("deps", "lock", "--key", key.toString(), "-o", dir.resolve("lock").toString());
    assertThat(r.exit()).isEqualTo(Reason.DEPENDENCY_MISMATCH.exitCode());
    assertThat(r.err())
        .startsWith("custody deps lock: DEPENDENCY_MISMATCH")
        .contains("is a directory");
  }

  @Test
  void verify_lockOfAnotherPredicate_isRefusedAsUnsupported() throws Exception {
    SigningKey k = SigningKey.generate();
    Path pub = dir.resolve("k.pub");
    Files.writeString(pub, k.publicKey().toPem());
    Path model = dir.resolve("m");
    Files.createDirectories(model);
    Files.writeString(model.resolve("f"), "x");
    Path lock = dir.resolve("lock");
    Files.write(
        lock,
        BundleSigner.create(k)
            .signStatement(ModelManifest.hash(model, List.of(), false).toStatement()));
    Cli r = Cli.run("deps", "verify", lock.toString(), "--key", pub.toString());
    assertThat(r.exit()).isEqualTo(Reason.UNSUPPORTED.exitCode());
    assertThat(r.err()).contains("expected predicate type https://custody.dev/classpath-lock/v1");
  }
}
