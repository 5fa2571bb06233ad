package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hashing started before the command line is parsed: taken only for exactly the file and ranges
 * asked for, of a file unchanged since, and otherwise stopped and hashed again.
 */
class EarlyHashingTest {
  @TempDir Path tmp;

  @AfterEach
  void nothingLeftPending() {
    assertThat(EarlyHashing.pending()).isFalse();
  }

  private Path file(String name, int size, long seed) throws Exception {
    byte[] content = new byte[size];
    new Random(seed).nextBytes(content);
    return Files.write(tmp.resolve(name), content);
  }

  private static List<ShardHasher.Range> ranges(Path f, long... bounds) {
    ShardHasher.Range[] out = new ShardHasher.Range[bounds.length - 1];
    for (int i = 0; i + 1 < bounds.length; i++) {
      out[i] = new ShardHasher.Range(f.toAbsolutePath().normalize(), bounds[i], bounds[i + 1]);
    }
    return Arrays.asList(out);
  }

  private static Sha256 digestOf(Path f, long start, long end) throws Exception {
    byte[] all = Files.readAllBytes(f);
    return Sha256.of(Arrays.copyOfRange(all, (int) start, (int) end));
  }

  @Test
  void shards_sameFileAndRanges_areTakenAndEqualTheDigestsOfTheBytes() throws Exception {
    Path f = file("model.bin", 2_500_000, 1);
    EarlyHashing.start(tmp.resolve(".").resolve("model.bin"), 1_000_000, 0);
    assertThat(EarlyHashing.pending()).isTrue();

    List<Sha256> early = EarlyHashing.claimRanges(ranges(f, 0, 1_000_000, 2_000_000, 2_500_000));

    assertThat(early)
        .containsExactly(
            digestOf(f, 0, 1_000_000),
            digestOf(f, 1_000_000, 2_000_000),
            digestOf(f, 2_000_000, 2_500_000));
  }

  @Test
  void shards_otherRangesOfTheFile_stopTheEarlyHashingAndAreHashedAsUsual() throws Exception {
    Path f = file("model.bin", 2_500_000, 2);
    EarlyHashing.start(f, 1_000_000, 0);

    List<ShardHasher.Range> other = ranges(f, 0, 2_000_000, 2_500_000);
    assertThat(ShardHasher.hash(other))
        .containsExactly(digestOf(f, 0, 2_000_000), digestOf(f, 2_000_000, 2_500_000));
    assertThat(EarlyHashing.claimRanges(ranges(f, 0, 1_000_000, 2_000_000, 2_500_000))).isNull();
  }

  @Test
  void wholeFile_rewrittenAfterTheEarlyHashing_isHashedAgain() throws Exception {
    Path f = file("model.bin", 3_000_000, 3);
    EarlyHashing.start(f, 0, 0);
    byte[] changed = Files.readAllBytes(f);
    changed[1_234_567] ^= 1;
    // The same size: the modification time tells the files apart.
    Files.write(f, changed);
    Files.setLastModifiedTime(
        f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 5000));

    assertThat(Digests.sha256(f)).isEqualTo(Sha256.of(changed));
  }

  @Test
  void wholeFile_anotherFileHashedFirst_leavesItPendingForItsOwnClaim() throws Exception {
    Path f = file("model.bin", 3_000_000, 4);
    Path g = file("other.bin", 2_000_000, 5);
    EarlyHashing.start(f, 0, 0);

    assertThat(Digests.sha256(g)).isEqualTo(Sha256.of(Files.readAllBytes(g)));
    assertThat(EarlyHashing.pending()).isTrue();
    assertThat(EarlyHashing.claimFile(f)).isEqualTo(Sha256.of(Files.readAllBytes(f)));
  }

  @Test
  void start_smallFilesDirectoriesLinksAndMissingFiles_startNothing() throws Exception {
    Path f = file("small.bin", 1000, 6);
    Path link = Files.createSymbolicLink(tmp.resolve("link.bin"), f);

    EarlyHashing.startFile(f);
    EarlyHashing.start(tmp, 0, 0);
    EarlyHashing.start(link, 0, 0);
    EarlyHashing.start(tmp.resolve("missing.bin"), 1000, 0);
    EarlyHashing.startShards(f, 0);

    assertThat(EarlyHashing.pending()).isFalse();
  }
}
