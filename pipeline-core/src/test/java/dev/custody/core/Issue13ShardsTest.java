package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13: model_signing's {@code shards} serialization, signed and verified byte-compatibly. The
 * fixture {@code model-signing-generated/shards-sha256} was made by model_signing v1.1.1's own code
 * (ORIGIN.md); it is read in place and copied to a temporary folder before any change.
 */
class Issue13ShardsTest {
  private static final String FIXTURE = "fixtures/model-signing-generated/shards-sha256";

  @TempDir Path tmp;

  @Test
  void verify_modelSigningShardsFixture_verifies() throws Exception {
    Path dir = Shared.require(FIXTURE);
    VerifiedManifest v =
        ModelSigning.verify(dir, dir.resolve("model.sig"), fixtureVerifier(), List.of());
    assertThat(v.method()).isEqualTo("shards");
    assertThat(v.fileCount()).isEqualTo(3);
    assertThat(v.rootDigest().hex())
        .isEqualTo("aa41035615448dee25a096d0aa08ddc43f01d96e6dd691efeb51944f81161e4c");
    assertThat(v.shardManifest().orElseThrow().shardSize()).isEqualTo(1_000_000L);
    assertThatThrownBy(v::manifest).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void hash_fixtureFolder_recordsWhatModelSigningRecorded() throws Exception {
    Path dir = Shared.require(FIXTURE);
    Statement signed = signedStatement(dir.resolve("model.sig"));
    List<String> ignores = new ArrayList<>(ModelManifest.DEFAULT_IGNORES);
    ignores.add("model.sig");

    Statement ours = ShardManifest.hash(dir, ignores, false, 1_000_000).toStatement();

    JsonNode a = ours.predicate();
    JsonNode b = signed.predicate();
    assertThat(a.path("resources")).isEqualTo(b.path("resources"));
    assertThat(names(a.path("serialization").path("ignore_paths")))
        .isEqualTo(names(b.path("serialization").path("ignore_paths")));
    ObjectNode sa = a.path("serialization").deepCopy();
    ObjectNode sb = b.path("serialization").deepCopy();
    sa.remove("ignore_paths");
    sb.remove("ignore_paths");
    assertThat(sa.toString()).isEqualTo(sb.toString());
    assertThat(ours.subjects().get(0).sha256()).isEqualTo(signed.subjects().get(0).sha256());
  }

  /** Offsets of one byte in each shard of the fixture: first, middle and last bytes. */
  static Stream<Arguments> oneByteChanges() {
    return Stream.of(
        arguments("a.bin", 0L, "a.bin:0:2500"),
        arguments("a.bin", 2499L, "a.bin:0:2500"),
        arguments("d/b.txt", 3L, "d/b.txt:0:6"),
        arguments("d/weights.bin", 0L, "d/weights.bin:0:1000000"),
        arguments("d/weights.bin", 999_999L, "d/weights.bin:0:1000000"),
        arguments("d/weights.bin", 1_000_000L, "d/weights.bin:1000000:2000000"),
        arguments("d/weights.bin", 2_500_000L, "d/weights.bin:2000000:3000000"),
        arguments("d/weights.bin", 3_099_999L, "d/weights.bin:3000000:3100000"));
  }

  @ParameterizedTest(name = "{0} byte {1}")
  @MethodSource("oneByteChanges")
  void verify_fixtureWithOneByteChanged_failsNamingTheShard(String file, long at, String shard)
      throws Exception {
    Path copy = copyOfFixture();
    flipByte(copy.resolve(file), at);
    assertMismatch(copy, fixtureVerifier(), "changed: " + shard + " (signed sha256:");
  }

  @Test
  void verify_fixtureWithFileTruncated_failsNamingTheLastShard() throws Exception {
    Path copy = copyOfFixture();
    Path w = copy.resolve("d/weights.bin");
    byte[] b = Files.readAllBytes(w);
    Files.write(w, Arrays.copyOf(b, b.length - 1));
    assertMismatch(
        copy,
        fixtureVerifier(),
        "size changed: d/weights.bin (signed 3100000 bytes, found 3099999;"
            + " shard d/weights.bin:3000000:3100000 differs)");
  }

  @Test
  void verify_fixtureWithFileExtended_fails() throws Exception {
    Path copy = copyOfFixture();
    Files.write(copy.resolve("a.bin"), new byte[] {0}, StandardOpenOption.APPEND);
    assertMismatch(copy, fixtureVerifier(), "size changed: a.bin (signed 2500 bytes, found 2501");
  }

  @Test
  void verify_fixtureWithSignedFileEmptied_fails() throws Exception {
    Path copy = copyOfFixture();
    Files.write(copy.resolve("d/b.txt"), new byte[0]);
    assertMismatch(copy, fixtureVerifier(), "missing or empty: d/b.txt (signed 6 bytes)");
  }

  @Test
  void verify_fixtureWithTheEmptyFileWritten_failsAsExtra() throws Exception {
    Path copy = copyOfFixture();
    Files.writeString(copy.resolve("empty"), "x");
    assertMismatch(copy, fixtureVerifier(), "extra: empty (1 bytes)");
  }

  @Test
  void verify_fixtureWithNonEmptyFileAdded_failsAsExtra() throws Exception {
    Path copy = copyOfFixture();
    Files.writeString(copy.resolve("d/added.bin"), "payload");
    assertMismatch(copy, fixtureVerifier(), "extra: d/added.bin");
  }

  @Test
  void verify_fixtureWithEmptyFileAddedOrRemoved_verifiesAsModelSigningDoes() throws Exception {
    // An empty file has no shard: model_signing's manifests are equal with or without one.
    Path copy = copyOfFixture();
    Files.delete(copy.resolve("empty"));
    Files.write(copy.resolve("d/also-empty"), new byte[0]);
    VerifiedManifest v =
        ModelSigning.verify(copy, copy.resolve("model.sig"), fixtureVerifier(), List.of());
    assertThat(v.method()).isEqualTo("shards");
  }

  @Test
  void signShards_thenVerify_roundTripsWithEveryShardLayout() throws Exception {
    Path model = tmp.resolve("m");
    Files.createDirectories(model.resolve("sub"));
    Files.write(model.resolve("exact.bin"), random(21, 1)); // three full shards of 7
    Files.write(model.resolve("ragged.bin"), random(23, 2)); // 7, 7, 7, 2
    Files.write(model.resolve("tiny"), random(1, 3));
    Files.write(model.resolve("empty"), new byte[0]);
    Files.write(model.resolve("sub/x.bin"), random(9, 4));
    Files.writeString(model.resolve(".gitignore"), "*.tmp\n");
    SigningKey key = SigningKey.generate();
    Path sig = model.resolve("model.sig");

    ShardManifest m = ModelSigning.signShards(model, sig, BundleSigner.create(key), opts(), 7);

    assertThat(m.shards())
        .extracting(ShardManifest.Shard::name)
        .containsExactly(
            "exact.bin:0:7",
            "exact.bin:7:14",
            "exact.bin:14:21",
            "ragged.bin:0:7",
            "ragged.bin:7:14",
            "ragged.bin:14:21",
            "ragged.bin:21:23",
            "sub/x.bin:0:7",
            "sub/x.bin:7:9",
            "tiny:0:1");
    assertThat(m.ignorePaths())
        .containsExactly(".git", ".gitattributes", ".github", ".gitignore", "model.sig");
    assertThat(m.ignoredFiles()).containsExactly(".gitignore");
    KeyBundleVerifier verifier = KeyBundleVerifier.builder().trust(key.publicKey()).build();
    VerifiedManifest v = ModelSigning.verify(model, sig, verifier, List.of());
    assertThat(v.rootDigest()).isEqualTo(m.rootDigest());
    assertThat(v.fileCount()).isEqualTo(4);
    assertThat(v.ignoredFiles()).containsExactly(".gitignore");

    flipByte(model.resolve("ragged.bin"), 22);
    assertMismatch(model, verifier, "changed: ragged.bin:21:23");
  }

  @Test
  void signShards_singleFile_namesShardsOfDot() throws Exception {
    Path file = tmp.resolve("weights.bin");
    byte[] content = random(10, 5);
    Files.write(file, content);
    SigningKey key = SigningKey.generate();
    Path sig = tmp.resolve("weights.bin.sig");

    ShardManifest m = ModelSigning.signShards(file, sig, BundleSigner.create(key), opts(), 4);

    assertThat(m.shards())
        .extracting(ShardManifest.Shard::name)
        .containsExactly(".:0:4", ".:4:8", ".:8:10");
    assertThat(m.shards().get(2).digest()).isEqualTo(Sha256.of(Arrays.copyOfRange(content, 8, 10)));
    KeyBundleVerifier verifier = KeyBundleVerifier.builder().trust(key.publicKey()).build();
    assertThat(ModelSigning.verify(file, sig, verifier, List.of()).rootDigest())
        .isEqualTo(m.rootDigest());
  }

  @Test
  void hash_manyShards_ordersStartsAsNumbersAndDigestsEachRange() throws Exception {
    Path model = tmp.resolve("many");
    Files.createDirectories(model.resolve("a"));
    byte[] content = random(12, 6);
    Files.write(model.resolve("a.b"), content);
    Files.write(model.resolve("a/b"), content);

    ShardManifest m = ShardManifest.hash(model, List.of(), false, 1);

    List<String> names = new ArrayList<>();
    m.shards().forEach(s -> names.add(s.name()));
    // PurePosixPath order puts "a/b" (component "a") before "a.b"; starts compare as integers.
    assertThat(names.subList(0, 12)).allMatch(n -> n.startsWith("a/b:"));
    assertThat(names.subList(10, 13)).containsExactly("a/b:10:11", "a/b:11:12", "a.b:0:1");
    for (ShardManifest.Shard s : m.shards()) {
      byte[] one = {content[(int) s.start()]};
      assertThat(s.digest()).isEqualTo(Sha256.of(one));
    }
    MessageDigest root = DigestUtils.getSha256Digest();
    m.shards().forEach(s -> root.update(s.digest().bytes()));
    assertThat(m.rootDigest()).isEqualTo(Sha256.ofRaw(root.digest()));
  }

  @Test
  void shardHasher_largeRanges_equalTheDigestOfTheBytes() throws Exception {
    Path f = tmp.resolve("big.bin");
    byte[] content = random(3 * Digests.CHUNK + 17, 7);
    Files.write(f, content);
    List<ShardHasher.Range> ranges =
        List.of(
            new ShardHasher.Range(f, 0, content.length),
            new ShardHasher.Range(f, 5, 2 * Digests.CHUNK + 3),
            new ShardHasher.Range(f, content.length - 1L, content.length));
    List<Sha256> digests = ShardHasher.hash(ranges);
    for (int i = 0; i < ranges.size(); i++) {
      ShardHasher.Range r = ranges.get(i);
      assertThat(digests.get(i))
          .isEqualTo(Sha256.of(Arrays.copyOfRange(content, (int) r.start(), (int) r.end())));
    }
  }

  @Test
  void shardHasher_rangesShortestFirstAndLongerThanOneRead_digestsComeBackInTheOrderGiven()
      throws Exception {
    Path f = tmp.resolve("bigger.bin");
    byte[] content = random(2 * ShardHasher.READ_CHUNK + 4099, 9);
    Files.write(f, content);
    List<ShardHasher.Range> ranges =
        List.of(
            new ShardHasher.Range(f, 7, 8),
            new ShardHasher.Range(f, 0, ShardHasher.READ_CHUNK),
            new ShardHasher.Range(f, 3, content.length),
            new ShardHasher.Range(f, ShardHasher.READ_CHUNK - 1L, 2L * ShardHasher.READ_CHUNK + 1),
            new ShardHasher.Range(f, content.length - 2L, content.length));
    List<Sha256> digests = ShardHasher.hash(ranges);
    assertThat(digests).hasSize(ranges.size());
    for (int i = 0; i < ranges.size(); i++) {
      ShardHasher.Range r = ranges.get(i);
      assertThat(digests.get(i))
          .as("range %d", i)
          .isEqualTo(Sha256.of(Arrays.copyOfRange(content, (int) r.start(), (int) r.end())));
    }
  }

  @Test
  void shardHasher_rangePastTheEnd_failsSayingTheFileChanged() throws Exception {
    Path f = tmp.resolve("short.bin");
    Files.write(f, random(10, 8));
    assertThatThrownBy(() -> ShardHasher.hash(new ShardHasher.Range(f, 0, 11)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("ended at byte 10, before the shard's end 11");
  }

  @Test
  void signShards_fileNameWithColon_isRefusedAsUnsupported() throws Exception {
    Path model = tmp.resolve("colon");
    Files.createDirectories(model);
    Files.writeString(model.resolve("a:b"), "x");
    SigningKey key = SigningKey.generate();
    assertThatThrownBy(
            () ->
                ModelSigning.signShards(
                    model, model.resolve("model.sig"), BundleSigner.create(key), opts(), 5))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("must not hold ':'")
        .extracting(e -> ((PipelineException) e).reason())
        .isEqualTo(Reason.UNSUPPORTED);
    assertThat(model.resolve("model.sig")).doesNotExist();
  }

  /** Signed statements that do not have the shards format's shape, and the reason each gets. */
  static Stream<Arguments> hostilePredicates() {
    return Stream.of(
        arguments("resources.0.name", "\"a.bin:0\"", Reason.MALFORMED, "path:start:end"),
        arguments("resources.0.name", "\"a.bin:-1:4\"", Reason.MALFORMED, "path:start:end"),
        arguments("resources.0.name", "\"a.bin:4:4\"", Reason.MALFORMED, "start < end"),
        arguments("resources.0.name", "\"a.bin:0:8\"", Reason.MALFORMED, "at most 7 bytes"),
        arguments("resources.1.name", "\"a.bin:0:7\"", Reason.MALFORMED, "listed twice"),
        arguments("resources.0.algorithm", "\"sha256\"", Reason.UNSUPPORTED, "sha256-sharded-7"),
        arguments("serialization.shard_size", "0", Reason.MALFORMED, "positive integer"),
        arguments("serialization.shard_size", "\"7\"", Reason.MALFORMED, "positive integer"),
        arguments("serialization.hash_type", "\"blake2\"", Reason.UNSUPPORTED, "hash_type"),
        arguments("serialization.method", "\"tensors\"", Reason.UNSUPPORTED, "'tensors'"));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("hostilePredicates")
  void verify_signedButMalformedShardPredicate_failsClosed(
      String field, String json, Reason reason, String message) throws Exception {
    Path model = tmp.resolve("h");
    Files.createDirectories(model);
    Files.write(model.resolve("a.bin"), random(14, 9));
    ShardManifest m = ShardManifest.hash(model, List.of("model.sig"), false, 7);
    Statement good = m.toStatement();
    ObjectNode predicate = good.predicate().deepCopy();
    String[] path = field.split("\\.", -1);
    JsonNode parent = predicate;
    for (int i = 0; i < path.length - 1; i++) {
      parent =
          path[i].matches("[0-9]+") ? parent.get(Integer.parseInt(path[i])) : parent.get(path[i]);
    }
    ((ObjectNode) parent)
        .set(
            path[path.length - 1], Json.parse(json.getBytes(StandardCharsets.UTF_8), "test value"));
    Statement edited = new Statement(good.subjects(), good.predicateType(), predicate);
    SigningKey key = SigningKey.generate();
    Path sig = model.resolve("model.sig");
    Files.write(sig, BundleSigner.create(key).signStatement(edited));
    KeyBundleVerifier verifier = KeyBundleVerifier.builder().trust(key.publicKey()).build();

    assertThatThrownBy(() -> ModelSigning.verify(model, sig, verifier, List.of()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining(message)
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(reason);
  }

  @Test
  void signShards_gitPathsIncluded_recordsNoIgnorePathsAndVerifies() throws Exception {
    Path model = tmp.resolve("hf");
    Files.createDirectories(model);
    Files.writeString(model.resolve(".gitattributes"), "*.bin filter=lfs\n");
    Files.write(model.resolve("w.bin"), random(9, 10));
    SigningKey key = SigningKey.generate();
    Path sig = tmp.resolve("hf.sig");

    ShardManifest m =
        ModelSigning.signShards(
            model,
            sig,
            BundleSigner.create(key),
            ModelSignOptions.builder().includeGitPaths().build(),
            4);

    assertThat(m.toStatement().predicate().path("serialization").has("ignore_paths")).isFalse();
    assertThat(m.shards()).extracting(ShardManifest.Shard::name).contains(".gitattributes:16:17");
    KeyBundleVerifier verifier = KeyBundleVerifier.builder().trust(key.publicKey()).build();
    assertThat(ModelSigning.verify(model, sig, verifier, List.of()).fileCount()).isEqualTo(2);
    flipByte(model.resolve(".gitattributes"), 0);
    assertThatThrownBy(() -> ModelSigning.verify(model, sig, verifier, List.of()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("changed: .gitattributes:0:4");
  }

  @Test
  void verify_shardsWithIgnoreUnsignedFiles_listsTheUnsignedFileWithoutFailing() throws Exception {
    Path copy = copyOfFixture();
    Files.writeString(copy.resolve("d/added.bin"), "payload");
    VerifiedManifest v =
        ModelSigning.verify(
            copy,
            copy.resolve("model.sig"),
            fixtureVerifier(),
            ModelVerifyOptions.builder().ignoreUnsignedFiles().build());
    assertThat(v.unsignedFiles()).containsExactly("d/added.bin");
    assertThat(v.method()).isEqualTo("shards");
  }

  private static ModelSignOptions opts() {
    return ModelSignOptions.builder().build();
  }

  private static void assertMismatch(Path model, KeyBundleVerifier verifier, String named) {
    assertThatThrownBy(
            () -> ModelSigning.verify(model, model.resolve("model.sig"), verifier, List.of()))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining(named)
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.MANIFEST_MISMATCH);
  }

  private Path copyOfFixture() throws IOException {
    Path src = Shared.require(FIXTURE);
    Path dst = tmp.resolve("shards-sha256");
    try (Stream<Path> all = Files.walk(src)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path to = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
        }
        to.toFile().setWritable(true);
      }
    }
    return dst;
  }

  private static void flipByte(Path file, long at) throws IOException {
    byte[] b = Files.readAllBytes(file);
    b[(int) at] ^= 0x01;
    Files.write(file, b);
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static Set<String> names(JsonNode array) {
    Set<String> out = new TreeSet<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Statement signedStatement(Path sig) throws Exception {
    return fixtureVerifier().verifyStatement(Files.readAllBytes(sig)).statement();
  }

  private static KeyBundleVerifier fixtureVerifier() throws Exception {
    return KeyBundleVerifier.builder()
        .trust(
            VerificationKey.fromPem(
                Shared.require("fixtures/model-signing/keys/certificate/signing-key-pub.pem")))
        .build();
  }
}
