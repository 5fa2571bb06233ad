package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.core.Reason;
import dev.custody.core.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * Issue 13 through the {@code custody} command: {@code verify-model} reads model_signing's {@code
 * shards} signatures, {@code sign-model --shard-size} and {@code hash --shard-size} write and print
 * them, and each new option path keeps the {@code --json} contract of {@link JsonEveryVerbTest}.
 */
class Issue13ShardsCommandsTest {
  private static final String FIXTURE = "fixtures/model-signing-generated/shards-sha256";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void verifyModel_modelSigningShardsFixture_verifies() {
    Path dir = Shared.require(FIXTURE);
    Cli r = Cli.run("verify-model", dir.toString(), "--key", fixtureKey());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "verified shards-sha256"
                + " sha256:aa41035615448dee25a096d0aa08ddc43f01d96e6dd691efeb51944f81161e4c"
                + " (3 files, 6 shards) signed by key ");
  }

  static Stream<Arguments> oneByteChanges() {
    return Stream.of(
        arguments("a.bin", 1200, "a.bin:0:2500"),
        arguments("d/b.txt", 0, "d/b.txt:0:6"),
        arguments("d/weights.bin", 17, "d/weights.bin:0:1000000"),
        arguments("d/weights.bin", 1_999_999, "d/weights.bin:1000000:2000000"),
        arguments("d/weights.bin", 2_000_000, "d/weights.bin:2000000:3000000"),
        arguments("d/weights.bin", 3_050_000, "d/weights.bin:3000000:3100000"));
  }

  @ParameterizedTest(name = "{0} byte {1}")
  @MethodSource("oneByteChanges")
  void verifyModel_fixtureWithOneByteChanged_exitsManifestMismatchNamingTheShard(
      String file, int at, String shard) throws Exception {
    Path copy = copyOfFixture();
    byte[] b = Files.readAllBytes(copy.resolve(file));
    b[at] ^= 0x01;
    Files.write(copy.resolve(file), b);

    Cli r = Cli.run("verify-model", copy.toString(), "--key", fixtureKey(), "--json");

    assertThat(r.exit()).isEqualTo(Reason.MANIFEST_MISMATCH.exitCode());
    JsonNode doc = MAPPER.readTree(r.out());
    assertThat(doc.path("ok").asBoolean(true)).isFalse();
    assertThat(doc.path("reason").asText()).isEqualTo("MANIFEST_MISMATCH");
    assertThat(doc.path("message").asText()).contains("changed: " + shard);
  }

  @Test
  void signModel_shardSize_roundTripsThroughVerifyModel() throws Exception {
    Path model = model();
    Path key = keygen();

    Cli signed =
        Cli.run("sign-model", model.toString(), "--key", key.toString(), "--shard-size", "1KiB");
    assertThat(signed.exit()).as(signed.err()).isZero();
    assertThat(signed.out()).contains("signed m: 5 shards of at most 1024 bytes in 3 files");

    Cli verified = Cli.run("verify-model", model.toString(), "--key", key + ".pub", "--json");
    assertThat(verified.exit()).as(verified.err()).isZero();
    JsonNode doc = MAPPER.readTree(verified.out());
    assertThat(doc.path("method").asText()).isEqualTo("shards");
    assertThat(doc.path("shardSize").asLong()).isEqualTo(1024);
    assertThat(doc.path("shards").asInt()).isEqualTo(5);
    assertThat(doc.path("files").asInt()).isEqualTo(3);

    Files.write(model.resolve("big.bin"), new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
    Cli tampered = Cli.run("verify-model", model.toString(), "--key", key + ".pub");
    assertThat(tampered.exit()).isEqualTo(Reason.MANIFEST_MISMATCH.exitCode());
    assertThat(tampered.err()).contains("size changed: big.bin (signed 2500 bytes, found 2501");
  }

  @Test
  void hash_shardSize_printsEveryShardAndTheRootDigestSignModelRecords() throws Exception {
    Path model = model();
    Path key = keygen();
    Cli hashed = Cli.run("hash", model.toString(), "--shard-size", "1KiB", "--json");
    assertThat(hashed.exit()).as(hashed.err()).isZero();
    JsonNode h = MAPPER.readTree(hashed.out());
    assertThat(h.path("shards").size()).isEqualTo(5);
    assertThat(h.path("shards").path("big.bin:2048:2500").asText()).startsWith("sha256:");

    Cli signed =
        Cli.run(
            "sign-model",
            model.toString(),
            "--key",
            key.toString(),
            "--shard-size",
            "1024",
            "--signature",
            tmp.resolve("m.sig").toString(),
            "--json");
    JsonNode s = MAPPER.readTree(signed.out());
    assertThat(s.path("rootDigest").asText()).isEqualTo(h.path("rootDigest").asText());

    Cli text = Cli.run("hash", model.toString(), "--shard-size", "1024");
    assertThat(text.out())
        .contains("  big.bin:0:1024\n")
        .contains("(root digest of 5 shards of at most 1024 bytes)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "1 GB x", "12XB", "99999999999999999999", "20000000TiB"})
  void signModel_badShardSize_isAUsageErrorInJson(String size) throws Exception {
    Cli r =
        Cli.run(
            "sign-model",
            model().toString(),
            "--key",
            keygen().toString(),
            "--shard-size",
            size,
            "--json");
    assertJsonFailure(r, "custody sign-model", Errors.USAGE);
    assertThat(MAPPER.readTree(r.out()).path("message").asText()).contains("shard");
  }

  @Test
  void hash_missingModelWithShardSize_failsInJson() throws Exception {
    Cli r = Cli.run("hash", tmp.resolve("missing").toString(), "--shard-size", "1GB", "--json");
    assertThat(r.exit()).isNotZero();
    assertJsonFailure(r, "custody hash", r.exit());
  }

  @Test
  void signModel_fileNameWithColonAndShards_failsUnsupportedInJson() throws Exception {
    Path model = model();
    Files.writeString(model.resolve("a:b"), "x");
    Cli r =
        Cli.run(
            "sign-model",
            model.toString(),
            "--key",
            keygen().toString(),
            "--shard-size",
            "1GB",
            "--json");
    assertJsonFailure(r, "custody sign-model", Reason.UNSUPPORTED.exitCode());
    assertThat(model.resolve("model.sig")).doesNotExist();
  }

  @Test
  void shardSize_units_areDecimalAndBinary() {
    ShardSize c = new ShardSize();
    assertThat(c.convert("1000000")).isEqualTo(1_000_000L);
    assertThat(c.convert("1GB")).isEqualTo(1_000_000_000L);
    assertThat(c.convert("1gb")).isEqualTo(1_000_000_000L);
    assertThat(c.convert("1GiB")).isEqualTo(1L << 30);
    assertThat(c.convert("512 MiB")).isEqualTo(512L << 20);
    assertThat(c.convert("3KB")).isEqualTo(3_000L);
    assertThat(c.convert("7B")).isEqualTo(7L);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.convert("1.5GB"))
        .isInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessageContaining("expected a positive number of bytes");
  }

  private static void assertJsonFailure(Cli r, String command, int exit) throws IOException {
    assertThat(r.exit()).as(r.err()).isEqualTo(exit);
    List<JsonNode> docs = new ArrayList<>();
    MAPPER
        .readerFor(JsonNode.class)
        .readValues(r.out())
        .forEachRemaining(d -> docs.add((JsonNode) d));
    assertThat(docs).as(r.out()).hasSize(1);
    JsonNode doc = docs.get(0);
    assertThat(doc.path("ok").isBoolean()).isTrue();
    assertThat(doc.path("ok").asBoolean()).isFalse();
    assertThat(doc.path("command").asText()).isEqualTo(command);
    assertThat(doc.path("message").asText()).isNotBlank();
    assertThat(doc.path("exit").asInt()).isEqualTo(exit);
    assertThat(doc.path("reason").asText()).isNotBlank();
  }

  private Path model() throws IOException {
    Path model = tmp.resolve("m");
    if (!Files.exists(model)) {
      Files.createDirectories(model.resolve("sub"));
      Random random = new Random(13);
      byte[] big = new byte[2500];
      random.nextBytes(big);
      Files.write(model.resolve("big.bin"), big); // 3 shards of 1 KiB
      Files.writeString(model.resolve("card.json"), "{}");
      Files.writeString(model.resolve("sub/x.txt"), "xyz");
      Files.write(model.resolve("empty"), new byte[0]);
    }
    return model;
  }

  private Path keygen() {
    Path key = tmp.resolve("k-" + System.nanoTime());
    assertThat(Cli.run("keygen", "-o", key.toString()).exit()).isZero();
    return key;
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

  private static String fixtureKey() {
    return Shared.require("fixtures/model-signing/keys/certificate/signing-key-pub.pem").toString();
  }
}
