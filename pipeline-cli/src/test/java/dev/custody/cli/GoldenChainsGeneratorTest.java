package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.cli.ChainFixture.Chain;
import dev.custody.cli.ChainFixture.Options;
import dev.custody.core.BundleSigner;
import dev.custody.core.Json;
import dev.custody.core.ModelSigning;
import dev.custody.core.SigningKey;
import dev.custody.core.Statement;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.Stage;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.FeatureEncoder;
import dev.custody.verify.Features;
import dev.custody.verify.TrustPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.impl.ArrayExample;

/**
 * The opt-in generator of the golden chains that {@code pipeline-verify}'s chain tests run against
 * (it lives here because building a chain needs {@code pipeline-train}). Skipped unless {@code
 * -Dcustody.regenerateFixtures=true}; then it replaces {@code
 * pipeline-verify/src/test/resources/dev/custody/verify/chains/} with freshly trained and signed
 * chains, new test-only keys, the policy, expected predictions and the attack fixtures (see the
 * README it writes there).
 */
class GoldenChainsGeneratorTest {
  static final String PROPERTY = "custody.regenerateFixtures";
  static final Path OUT =
      Path.of("..", "pipeline-verify", "src", "test", "resources", "dev", "custody", "verify")
          .resolve("chains");

  /** The data row (1-based) whose AGE {@code one-row-changed} raises by one year. */
  static final int CHANGED_ROW = 17;

  /** Data rows (1-based) of the credit data whose predictions are committed. */
  static final List<Integer> PREDICTED_ROWS = List.of(1, 2, 3, 4, 5, 17, 100, 1500);

  @TempDir Path work;

  @Test
  @EnabledIfSystemProperty(named = PROPERTY, matches = "true")
  void regenerate_requested_rewritesGoldenChainsInPipelineVerify() throws Exception {
    // Everything but the README is regenerated.
    try (var top = Files.list(OUT)) {
      for (Path p : top.toList()) {
        if (!p.getFileName().toString().equals("README.md")) {
          delete(p);
        }
      }
    }
    Files.createDirectories(OUT.resolve("keys"));
    Map<Stage, SigningKey> stageKeys = new EnumMap<>(Stage.class);
    for (Stage s : Stage.values()) {
      SigningKey k = SigningKey.generate();
      k.save(OUT.resolve("keys").resolve(lower(s) + ".key"), null);
      stageKeys.put(s, k);
    }
    SigningKey attacker = SigningKey.generate();
    attacker.save(OUT.resolve("keys").resolve("attacker.key"), null);
    Files.writeString(OUT.resolve("keys").resolve("attacker.pub"), attacker.publicKey().toPem());
    ChainFixture.Keys keys = new ChainFixture.Keys(stageKeys);
    keys.lock(work);
    Files.copy(work.resolve("deps.lock.json"), OUT.resolve("deps.lock.json"));
    Path policy =
        keys.policy(
            OUT,
            "policy.yaml",
            "require: {gatePassed: true, reproduced: true}\ndependencies: {lock: deps.lock.json}\n");

    byte[] csv = ChainFixture.creditSubset(ChainFixture.ROWS);
    Chain a = ChainFixture.build(OUT.resolve("a"), Options.defaults().version(2), keys, work);
    Chain b =
        ChainFixture.build(OUT.resolve("b"), Options.defaults().version(1).seed(7), keys, work);
    Chain oneRow =
        ChainFixture.build(
            OUT.resolve("one-row-changed"),
            Options.defaults().version(2).csv(ChainFixture.withOneRowChanged(csv, CHANGED_ROW)),
            keys,
            work);

    Files.createDirectories(OUT.resolve("predictions"));
    for (Chain c : List.of(a, b, oneRow)) {
      Files.write(
          OUT.resolve("predictions").resolve(c.dir().getFileName() + ".json"),
          Json.writePretty(predictions(c, csv)));
    }
    attacks(a, b, keys, attacker);

    // Every golden chain verifies under the committed policy as written.
    ChainVerifier verifier = ChainVerifier.builder(TrustPolicy.load(policy)).build();
    assertThat(verifier.verify(a.dir()).version()).isEqualTo(2);
    assertThat(verifier.verify(b.dir()).version()).isEqualTo(1);
    assertThat(verifier.verify(oneRow.dir()).datasetDigest()).isNotEqualTo(a.dataset());
  }

  /**
   * The raw rows of {@link #PREDICTED_ROWS} and what the trained model (in memory, never
   * serialized) predicts for them through the signed schema's encoder.
   */
  private static ArrayNode predictions(Chain c, byte[] csv) throws Exception {
    Model<Label> model = c.trained().model();
    FeatureEncoder encoder = FeatureEncoder.of(c.trained().summary().featureSchema());
    String[] lines = new String(csv, StandardCharsets.UTF_8).split("\n", -1);
    List<String> header = List.of(lines[0].trim().split(","));
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (int row : PREDICTED_ROWS) {
      String[] cells = lines[row].trim().split(",", -1);
      Map<String, String> raw = new LinkedHashMap<>();
      for (String column : encoder.featureColumns()) {
        raw.put(column, cells[header.indexOf(column)]);
      }
      Features f = encoder.encode(raw);
      var p =
          model.predict(
              new ArrayExample<>(new Label("0"), f.names().toArray(new String[0]), f.values()));
      ObjectNode o = out.addObject();
      ObjectNode r = o.putObject("row");
      raw.forEach(r::put);
      o.put("label", p.getOutput().getLabel());
      ObjectNode scores = o.putObject("scores");
      p.getOutputScores().forEach((name, l) -> scores.put(name, l.getScore()));
    }
    return out;
  }

  /** The attack fixtures that are clearer as files than as edits made inside a test. */
  private static void attacks(Chain a, Chain b, ChainFixture.Keys keys, SigningKey attacker)
      throws Exception {
    Path dir = Files.createDirectories(OUT.resolve("attacks"));
    // a's files, signed by a key the policy does not know, which the bundle carries itself (the
    // pre-v1.1 model_signing publicKey.rawBytes form).
    Path copy = Files.createTempDirectory("golden-a-");
    ChainFixture.copy(a.dir(), copy.resolve("a"));
    Path sig = copy.resolve("a").resolve(ChainLayout.SIGNATURE_FILE);
    Files.delete(sig);
    ModelSigning.sign(
        copy.resolve("a"), sig, BundleSigner.create(attacker), List.of(ChainLayout.ATTESTATIONS));
    Files.write(
        dir.resolve("model-sig-embeds-untrusted-key.sigstore.json"),
        embedKey(Files.readAllBytes(sig), attacker));
    delete(copy);

    Statement gate = statement(a.dir().resolve(ChainLayout.GATE));
    Files.write(
        dir.resolve("gate-embeds-untrusted-key.sigstore.json"),
        embedKey(BundleSigner.create(attacker).signStatement(gate), attacker));

    // a's gate, validly signed by the EVALUATE key, about b's model.
    Statement forB =
        new Statement(
            List.of(Statement.Subject.of(ChainFixture.NAME, b.root())),
            gate.predicateType(),
            gate.predicate());
    Files.write(
        dir.resolve("gate-for-other-model.sigstore.json"),
        BundleSigner.create(keys.of(Stage.EVALUATE)).signStatement(forB));

    // The dataset attestation the INGEST key signed for a's data, re-signed by the TRAIN key.
    Files.write(
        dir.resolve("dataset-signed-by-train-key.sigstore.json"),
        BundleSigner.create(keys.of(Stage.TRAIN))
            .signStatement(statement(a.dir().resolve(ChainLayout.DATASET_ATTESTATION))));
  }

  /** The statement inside a DSSE bundle (not verified: it was just written). */
  static Statement statement(Path bundle) throws Exception {
    JsonNode root = Json.parse(Files.readAllBytes(bundle), "bundle");
    byte[] payload = Base64.getDecoder().decode(root.at("/dsseEnvelope/payload").asText());
    return Statement.parse(payload);
  }

  /** Replaces the key hint of {@code bundle} by the key itself, as model_signing v0.3-v1.0 did. */
  static byte[] embedKey(byte[] bundle, SigningKey key) throws Exception {
    ObjectNode root = (ObjectNode) Json.parse(bundle, "bundle");
    ObjectNode pk = (ObjectNode) root.get("verificationMaterial").get("publicKey");
    pk.removeAll();
    pk.put(
        "rawBytes",
        Base64.getEncoder()
            .encodeToString(key.publicKey().toPem().getBytes(StandardCharsets.US_ASCII)));
    pk.put("keyDetails", "PKIX_ECDSA_P256_SHA_256");
    return Json.writePretty(root);
  }

  private static String lower(Stage s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
