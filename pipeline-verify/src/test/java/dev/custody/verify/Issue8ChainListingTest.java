package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.custody.core.ForkedJvm;
import dev.custody.core.Reason;
import dev.custody.core.VerificationException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, W8 and W9 for {@code custody verify}: a Custody chain's exporter writes nothing unsigned
 * besides {@code model.sig} and {@code attestations/}, so any other unsigned file is refused, git
 * paths included, and links and special files are refused wherever they are. Extra files are
 * refused by name, before any byte of them is read; the resource bounds run in a fresh JVM under
 * {@code -Xmx256m} ({@link ForkedJvm}, whose kill limit is a hang guard, not a timing assertion).
 */
class Issue8ChainListingTest {
  static final Duration HANG_GUARD = Duration.ofSeconds(60);
  static final int MAX_MESSAGE = 8 * 1024;

  @TempDir Path tmp;
  Path chain;

  @BeforeEach
  void copyChain() throws IOException {
    chain = GoldenChains.copy(GoldenChains.chain(GoldenChains.A), tmp.resolve("chain"));
  }

  @Test
  void verify_regularFileInGitDirectory_throwsManifestMismatchNamingIt() throws Exception {
    Files.createDirectories(chain.resolve(".git"));
    Files.writeString(chain.resolve(".git/evil.py"), "import os");

    VerificationException e = refusal();

    assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH);
    assertThat(e.getMessage()).contains("extra: .git/evil.py");
  }

  @Test
  void verify_gitignoreSymlinkToShadow_throwsManifestMismatch() throws Exception {
    Files.createSymbolicLink(chain.resolve(".gitignore"), Path.of("/etc/shadow"));

    VerificationException e = refusal();

    assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH);
    assertThat(e.getMessage()).contains("refused: .gitignore is a symbolic link");
  }

  @Test
  void verify_githubSymlinkToRoot_throwsManifestMismatch() throws Exception {
    Files.createSymbolicLink(chain.resolve(".github"), Path.of("/"));

    VerificationException e = refusal();

    assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH);
    assertThat(e.getMessage()).contains("refused: .github is a symbolic link");
  }

  @Test
  @Timeout(30)
  void verify_gitattributesFifo_throwsManifestMismatchWithoutOpeningIt() throws Exception {
    mkfifo(chain.resolve(".gitattributes"));

    VerificationException e = refusal();

    assertThat(e.reason()).isEqualTo(Reason.MANIFEST_MISMATCH);
    assertThat(e.getMessage()).contains("refused: .gitattributes is not a regular file");
  }

  @Test
  void verify_100000ExtraFiles_refusedWithBoundedMessage() throws Exception {
    for (int i = 0; i < 100_000; i++) {
      Files.createFile(chain.resolve(String.format(Locale.ROOT, "extra-%06d", i)));
    }

    ForkedJvm.Result r = verifyForked();

    assertRefused(r, "100000 differences");
    assertThat(r.stdout()).contains("extra: extra-").contains("and 99980 more");
  }

  @Test
  void verify_50GbSparseExtraFile_refusedWithoutReadingIt() throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(chain.resolve("extra").toFile(), "rw")) {
      f.setLength(50L << 30);
    }

    ForkedJvm.Result r = verifyForked();

    assertRefused(r, "1 difference: extra: extra");
  }

  @Test
  void verify_1000UnexpectedAttestationEntries_throwsMalformedWithBoundedMessage()
      throws Exception {
    for (int i = 0; i < 1000; i++) {
      Files.createFile(chain.resolve("attestations").resolve("x-" + i));
    }

    VerificationException e = refusal();

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).contains("1000 differences").contains("and 980 more");
    assertThat(e.getMessage().length()).isLessThan(MAX_MESSAGE);
  }

  private VerificationException refusal() {
    return assertThrows(VerificationException.class, () -> GoldenChains.verifier().verify(chain));
  }

  private ForkedJvm.Result verifyForked() throws Exception {
    return ForkedJvm.run(
        Child.class, HANG_GUARD, GoldenChains.policy().toString(), chain.toString());
  }

  private static void assertRefused(ForkedJvm.Result r, String message) {
    assertThat(r.outOfMemory()).as(r.stderr()).isFalse();
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout())
        .startsWith("refused " + Reason.MANIFEST_MISMATCH + " ")
        .contains(message);
    int length = Integer.parseInt(r.stdout().split(" ", 3)[2].split("\n", 2)[0]);
    assertThat(length).isLessThan(MAX_MESSAGE);
  }

  static void mkfifo(Path fifo) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    } catch (IOException e) {
      assumeTrue(false, "no mkfifo: " + e.getMessage());
      return;
    }
    assumeTrue(p.waitFor() == 0 && Files.exists(fifo), "mkfifo failed");
  }

  /**
   * The child process: {@code POLICY CHAIN}; prints {@code refused REASON LENGTH} and the message
   * on the next line, or {@code verified}.
   */
  static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      ChainVerifier verifier = ChainVerifier.builder(TrustPolicy.load(Path.of(args[0]))).build();
      try {
        verifier.verify(Path.of(args[1]));
        System.out.println("verified");
      } catch (VerificationException e) {
        System.out.println("refused " + e.reason() + " " + e.getMessage().length());
        System.out.println(e.getMessage());
      }
    }
  }
}
