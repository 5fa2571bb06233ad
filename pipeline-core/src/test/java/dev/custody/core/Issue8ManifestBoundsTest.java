package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, W4 and W9, as resource bounds: each worst case runs in a fresh JVM under {@code
 * -Xmx256m} ({@link ForkedJvm}) and must be refused for the right reason, with a bounded message,
 * without running out of memory. The kill limit is a hang guard, not a timing assertion: before the
 * fix, W4's 20,000 × 20,000 comparison ran past 120 s and 1 GB, and W9's 50 GB extra file was
 * hashed in full (98 s) and 100,000 extra files gave a 1.6 MB message.
 */
class Issue8ManifestBoundsTest {
  static final Duration HANG_GUARD = Duration.ofSeconds(60);

  /** Far above what {@link ModelManifest#MAX_LISTED} names of short names take. */
  static final int MAX_MESSAGE = 8 * 1024;

  @TempDir Path dir;

  @Test
  void verify_20000FakeResourcesAnd20000ExtraFiles_refusedByNameWithBoundedMessage()
      throws Exception {
    Path model = Files.createDirectories(dir.resolve("m"));
    createFiles(model, "extra-", 20_000);
    List<ModelManifest.Resource> fakes = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      fakes.add(
          new ModelManifest.Resource(
              String.format(Locale.ROOT, "fake-%05d", i), digest("fake" + i)));
    }
    SigningKey key = SigningKey.generate();
    Path sig = model.resolve(ModelSigning.DEFAULT_SIGNATURE);
    Files.write(
        sig,
        BundleSigner.create(key)
            .signStatement(
                ModelManifest.of("m", fakes, List.of(ModelSigning.DEFAULT_SIGNATURE), false)
                    .toStatement()));
    Path pub = Files.writeString(dir.resolve("key.pub"), key.publicKey().toPem());

    ForkedJvm.Result r =
        ForkedJvm.run(Child.class, HANG_GUARD, "verify", model + "", sig + "", pub + "");

    assertRefused(r, Reason.MANIFEST_MISMATCH, "40000 differences");
    assertThat(r.stdout()).contains("missing: fake-00000").contains("and 39980 more");
  }

  @Test
  void differencesFrom_20000MissingAnd20000Extra_linearWithinSmallHeap() throws Exception {
    ForkedJvm.Result r = ForkedJvm.run(Child.class, HANG_GUARD, "differences", "20000");

    assertThat(r.outOfMemory()).as(r.stderr()).isFalse();
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("differences 40000");
  }

  @Test
  void verify_100000ExtraFiles_refusedWithBoundedMessage() throws Exception {
    Path model = signedModel();
    createFiles(model, "extra-", 100_000);

    ForkedJvm.Result r = verifyForked(model);

    assertRefused(r, Reason.MANIFEST_MISMATCH, "100000 differences");
    assertThat(r.stdout()).contains("extra: ").contains("and 99980 more");
  }

  @Test
  void verify_50GbSparseExtraFile_refusedWithoutHashingIt() throws Exception {
    Path model = signedModel();
    try (RandomAccessFile f = new RandomAccessFile(model.resolve("extra").toFile(), "rw")) {
      f.setLength(50L << 30);
    }

    ForkedJvm.Result r = verifyForked(model);

    assertRefused(r, Reason.MANIFEST_MISMATCH, "1 difference: extra: extra");
  }

  private SigningKey key;

  private Path signedModel() throws Exception {
    Path model = Files.createDirectories(dir.resolve("m"));
    Files.writeString(model.resolve("weights.bin"), "w");
    key = SigningKey.generate();
    ModelSigning.sign(
        model, model.resolve(ModelSigning.DEFAULT_SIGNATURE), BundleSigner.create(key), List.of());
    return model;
  }

  private ForkedJvm.Result verifyForked(Path model) throws Exception {
    Path pub = Files.writeString(dir.resolve("key.pub"), key.publicKey().toPem());
    return ForkedJvm.run(
        Child.class,
        HANG_GUARD,
        "verify",
        model.toString(),
        model.resolve(ModelSigning.DEFAULT_SIGNATURE).toString(),
        pub.toString());
  }

  private static void assertRefused(ForkedJvm.Result r, Reason reason, String message) {
    assertThat(r.outOfMemory()).as(r.stderr()).isFalse();
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).startsWith("refused " + reason + " ").contains(message);
    int length = Integer.parseInt(r.stdout().split(" ", 3)[2].split("\n", 2)[0]);
    assertThat(length).isLessThan(MAX_MESSAGE);
  }

  static void createFiles(Path dir, String prefix, int n) throws IOException {
    for (int i = 0; i < n; i++) {
      Files.createFile(dir.resolve(prefix + String.format(Locale.ROOT, "%06d", i)));
    }
  }

  static Sha256 digest(String s) {
    return Sha256.of(s.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The child process. {@code verify MODEL SIGNATURE PUBLIC_KEY} prints {@code refused REASON
   * LENGTH} and the message on the next line, or {@code verified}; {@code differences N} compares N
   * signed files with N other files of other content and prints the number of lines.
   */
  static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      if (args[0].equals("differences")) {
        int n = Integer.parseInt(args[1]);
        List<ModelManifest.Resource> signed = new ArrayList<>();
        List<ModelManifest.Resource> found = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          signed.add(new ModelManifest.Resource("signed-" + i, digest("s" + i)));
          found.add(new ModelManifest.Resource("found-" + i, digest("f" + i)));
        }
        List<String> diff =
            ModelManifest.of("m", signed, List.of(), false)
                .differencesFrom(ModelManifest.of("m", found, List.of(), false));
        System.out.println("differences " + diff.size());
        return;
      }
      KeyBundleVerifier verifier =
          KeyBundleVerifier.builder().trust(VerificationKey.fromPem(Path.of(args[3]))).build();
      try {
        ModelSigning.verify(Path.of(args[1]), Path.of(args[2]), verifier, List.of());
        System.out.println("verified");
      } catch (VerificationException e) {
        System.out.println("refused " + e.reason() + " " + e.getMessage().length());
        System.out.println(e.getMessage());
      }
    }
  }
}
