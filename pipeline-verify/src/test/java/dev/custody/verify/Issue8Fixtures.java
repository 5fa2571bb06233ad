package dev.custody.verify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.BundleSigner;
import dev.custody.core.Sha256;
import dev.custody.core.Statement;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.ModelCard;
import dev.custody.core.chain.Provenance;
import dev.custody.core.chain.Stage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tribuo.protos.core.ModelProto;

/**
 * How the committed attack fixtures of issue 8 (W1, W5, W6, W11) under {@code chains/attacks/} are
 * made from golden chain {@code a} with the committed test keys: each chain directory by {@link
 * ChainEditor}, each bundle by re-signing {@code a}'s statement. {@link
 * Issue8FixturesGeneratorTest} writes them; {@link Issue8ChainConsistencyTest} reads the committed
 * copies.
 */
final class Issue8Fixtures {
  /** A's model.tribuo replaced by b's; the card's modelFile updated, its contentDigest not. */
  static final String W1_REPRODUCTION_NOT_BOUND = "w1-reproduction-not-bound";

  /** A's model naming {@link CanaryWitness#CANARY} as its class, every record agreeing. */
  static final String W5_CLASS_NOT_ALLOWED = "w5-class-not-allowed";

  /** A's card saying version 7 over a provenance and dataset whose spec says version 2. */
  static final String W6_CARD_VERSION_OVER_SPEC = "w6-card-version-over-spec";

  /** Gate bundles (put in place of a's gate), each validly signed by the evaluate key. */
  static final Map<String, String> W6_GATES = new LinkedHashMap<>();

  /** Reproduction bundles (put in place of a's reproduction summary). */
  static final Map<String, String> W11_REPRODUCTIONS = new LinkedHashMap<>();

  static {
    W6_GATES.put(
        "w6-gate-passed-contradicts-observed.sigstore.json",
        "test-accuracy observed 0.2253 against a threshold of 0.81, marked passed");
    W6_GATES.put(
        "w6-gate-vacuous-entry.sigstore.json",
        "one entry, test-accuracy >= 0.0: a threshold every value passes");
    W6_GATES.put(
        "w6-gate-content-digest-of-other-model.sigstore.json", "contentDigest of b's model");
    W6_GATES.put(
        "w6-gate-observed-differs-from-card.sigstore.json",
        "test-accuracy observed 0.9 (passing) where the card's test metrics say 0.8075");
    W11_REPRODUCTIONS.put(
        "w11-reproduction-truncated.sigstore.json", "a's summary cut to half its bytes");
    W11_REPRODUCTIONS.put(
        "w11-reproduction-flipped.sigstore.json", "a's summary with one signature byte changed");
    W11_REPRODUCTIONS.put(
        "w11-reproduction-signed-by-attacker.sigstore.json", "a's summary signed by the attacker");
    W11_REPRODUCTIONS.put(
        "w11-reproduction-for-other-model.sigstore.json",
        "a's summary with b's model as its subject, signed by the reproduce key");
    W11_REPRODUCTIONS.put(
        "w11-reproduction-failed.sigstore.json",
        "a's summary saying FAILED, validly signed by the reproduce key");
  }

  private Issue8Fixtures() {}

  /** Writes every fixture into {@code attacks}, replacing earlier copies. */
  static void writeAll(Path attacks) throws Exception {
    Path a = GoldenChains.chain(GoldenChains.A);
    Path b = GoldenChains.chain(GoldenChains.B);
    byte[] aModel = Files.readAllBytes(a.resolve(ChainLayout.MODEL_FILE));
    byte[] bModel = Files.readAllBytes(b.resolve(ChainLayout.MODEL_FILE));
    Path tmp = Files.createTempDirectory("issue8-fixtures");

    // W1: another genuine model, the card still claiming a's content, re-signed throughout
    // (the reproduction, by the reproduce key, repeats the card's claim as a re-run would).
    replaceDir(
        attacks.resolve(W1_REPRODUCTION_NOT_BOUND),
        ChainEditor.of(GoldenChains.A)
            .model(bModel)
            .writeTo(tmp.resolve(W1_REPRODUCTION_NOT_BOUND)));

    // W5: the model's class is the canary; card, provenance, gate and reproduction all name the
    // content digest of those bytes, so only the allow-list can refuse it.
    byte[] canary =
        ModelProto.parseFrom(aModel).toBuilder()
            .setClassName(CanaryWitness.CANARY)
            .build()
            .toByteArray();
    String content = ModelContentDigest.of(canary).hex();
    replaceDir(
        attacks.resolve(W5_CLASS_NOT_ALLOWED),
        ChainEditor.of(GoldenChains.A)
            .model(canary)
            .card(c -> c.put("contentDigest", content))
            .provenance(p -> contentByproduct(p, content))
            .gate(g -> g.put("contentDigest", content))
            .reproduction(
                r -> {
                  ((ObjectNode) r.get("custody")).put("contentDigest", content);
                  ((ObjectNode) r.get("custody")).put("reproducedContentDigest", content);
                  return r;
                })
            .writeTo(tmp.resolve(W5_CLASS_NOT_ALLOWED)));

    // W6: a card version the spec does not say.
    replaceDir(
        attacks.resolve(W6_CARD_VERSION_OVER_SPEC),
        ChainEditor.of(GoldenChains.A)
            .card(c -> c.put("version", 7))
            .writeTo(tmp.resolve(W6_CARD_VERSION_OVER_SPEC)));

    // W6: gates that say something their own numbers or the card contradict.
    Statement gate = ChainEditor.statement(a, ChainLayout.GATE);
    String other =
        ModelCard.parse(Files.readAllBytes(b.resolve(ChainLayout.CARD_FILE))).contentDigest().hex();
    write(
        attacks,
        "w6-gate-passed-contradicts-observed.sigstore.json",
        sign(
            Stage.EVALUATE,
            gate,
            g -> {
              ObjectNode e = firstGate(g);
              e.put("threshold", 0.81);
              e.put("observed", 0.2253);
              return g;
            }));
    write(
        attacks,
        "w6-gate-vacuous-entry.sigstore.json",
        sign(
            Stage.EVALUATE,
            gate,
            g -> {
              firstGate(g).put("threshold", 0.0);
              return g;
            }));
    write(
        attacks,
        "w6-gate-content-digest-of-other-model.sigstore.json",
        sign(Stage.EVALUATE, gate, g -> g.put("contentDigest", other)));
    write(
        attacks,
        "w6-gate-observed-differs-from-card.sigstore.json",
        sign(
            Stage.EVALUATE,
            gate,
            g -> {
              firstGate(g).put("observed", 0.9);
              return g;
            }));

    // W11: reproduction summaries that are corrupt, or validly signed and failed.
    byte[] reproduction = Files.readAllBytes(a.resolve(ChainLayout.REPRODUCTION));
    Statement summary = ChainEditor.statement(reproduction);
    write(
        attacks,
        "w11-reproduction-truncated.sigstore.json",
        Arrays.copyOf(reproduction, reproduction.length / 2));
    write(attacks, "w11-reproduction-flipped.sigstore.json", flipSignature(reproduction));
    write(
        attacks,
        "w11-reproduction-signed-by-attacker.sigstore.json",
        BundleSigner.create(GoldenChains.attacker()).signStatement(summary));
    Sha256 bRoot = ChainEditor.statement(b, ChainLayout.PROVENANCE).subjects().get(0).sha256();
    write(
        attacks,
        "w11-reproduction-for-other-model.sigstore.json",
        BundleSigner.create(GoldenChains.key(Stage.REPRODUCE))
            .signStatement(
                new Statement(
                    java.util.List.of(Statement.Subject.of(GoldenChains.NAME, bRoot)),
                    summary.predicateType(),
                    summary.predicate())));
    write(
        attacks,
        "w11-reproduction-failed.sigstore.json",
        sign(Stage.REPRODUCE, summary, r -> r.put("verificationResult", "FAILED")));
  }

  private static ObjectNode firstGate(ObjectNode g) {
    return (ObjectNode) ((ArrayNode) g.get("gates")).get(0);
  }

  private static ObjectNode contentByproduct(ObjectNode p, String hex) {
    for (var x : p.get("runDetails").get("byproducts")) {
      if (x.get("name").asText().equals(Provenance.CONTENT_BYPRODUCT)) {
        ((ObjectNode) x.get("digest")).put("sha256", hex);
      }
    }
    return p;
  }

  private static byte[] sign(
      Stage stage, Statement st, java.util.function.UnaryOperator<ObjectNode> edit)
      throws Exception {
    ObjectNode predicate = ((ObjectNode) st.predicate()).deepCopy();
    return BundleSigner.create(GoldenChains.key(stage))
        .signStatement(new Statement(st.subjects(), st.predicateType(), edit.apply(predicate)));
  }

  /** Changes one base64 character in the middle of the DSSE signature. */
  private static byte[] flipSignature(byte[] bundle) {
    String s = new String(bundle, StandardCharsets.UTF_8);
    int at = s.indexOf("\"sig\": \"") + "\"sig\": \"".length() + 20;
    char c = s.charAt(at);
    char flipped = c == 'A' ? 'B' : 'A';
    return (s.substring(0, at) + flipped + s.substring(at + 1)).getBytes(StandardCharsets.UTF_8);
  }

  private static void write(Path attacks, String name, byte[] bytes) throws Exception {
    Files.write(attacks.resolve(name), bytes);
  }

  private static void replaceDir(Path target, Path made) throws Exception {
    if (Files.exists(target)) {
      try (var walk = Files.walk(target)) {
        for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
          Files.delete(p);
        }
      }
    }
    GoldenChains.copy(made, target);
  }
}
