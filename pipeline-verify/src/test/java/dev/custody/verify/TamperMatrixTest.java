package dev.custody.verify;

import static dev.custody.verify.GoldenChains.A;
import static dev.custody.verify.GoldenChains.B;
import static dev.custody.verify.GoldenChains.ONE_ROW_CHANGED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.VerificationException;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.ChainLimits;
import dev.custody.core.chain.Provenance;
import dev.custody.core.chain.Stage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tamper matrix of issue 4, against the committed golden chains: every way of changing a valid
 * chain, one test case each, named after the change and the reason it must be refused with. Files
 * are changed in a copy of a golden chain; statements that say the wrong thing are re-signed with
 * the committed test keys by {@link ChainEditor}; attacks that read better as files are committed
 * under {@code chains/attacks/}, named after their defect.
 */
class TamperMatrixTest {
  static final String SIG = ChainLayout.SIGNATURE_FILE;
  static final String MODEL = ChainLayout.MODEL_FILE;
  static final String CARD = ChainLayout.CARD_FILE;
  static final String DATASET = ChainLayout.DATASET_ATTESTATION;
  static final String PROVENANCE = ChainLayout.PROVENANCE;
  static final String GATE = ChainLayout.GATE;
  static final String REPRODUCTION = ChainLayout.REPRODUCTION;

  /** Byte flips per file, spread evenly from its first byte to its last. */
  static final int FLIPS = 64;

  /** Makes the chain directory a case verifies, under the case's own {@code work} directory. */
  interface Make {
    Path make(Path work) throws Exception;
  }

  /** Changes a copy of a golden chain in place. */
  interface Tamper {
    void apply(Path dir, Path work) throws Exception;
  }

  /** One case: how to make the chain, the reason expected, and the verifier that must refuse it. */
  record Case(Make make, Reason expected, Supplier<ChainVerifier> verifier) {}

  /** Built per case, so that mutation testing sees which case ran the policy code. */
  private static final class Verifiers {
    static ChainVerifier policy() {
      return GoldenChains.verifier();
    }

    static ChainVerifier minVersion2() {
      return ChainVerifier.builder(GoldenChains.policy(2)).build();
    }

    static ChainVerifier inService(int version) {
      return ChainVerifier.builder(GoldenChains.policy(1)).versionInService(version).build();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {A, B, ONE_ROW_CHANGED})
  void verify_goldenChain_accepted(String chain) throws Exception {
    VerifiedChain v = Verifiers.policy().verify(GoldenChains.chain(chain));

    assertThat(v.name()).isEqualTo(GoldenChains.NAME);
    assertThat(v.version()).isEqualTo(chain.equals(B) ? 1 : 2);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {A, B, ONE_ROW_CHANGED})
  void verify_goldenChainReSignedWithoutEdits_accepted(String chain, @TempDir Path work)
      throws Exception {
    // Every edited case below differs from this one by its edit alone.
    Path dir = ChainEditor.of(chain).writeTo(work.resolve("chain"));

    assertThat(Verifiers.policy().verify(dir).rootDigest())
        .isEqualTo(Verifiers.policy().verify(GoldenChains.chain(chain)).rootDigest());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void verify_tamperedChain_refusedWithTheExpectedReason(String name, Case c, @TempDir Path work)
      throws Exception {
    Path dir = c.make().make(work);

    assertThatThrownBy(() -> c.verifier().get().verify(dir))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).as(name + ": " + e.getMessage()).isEqualTo(c.expected()));
  }

  static Stream<Arguments> cases() throws Exception {
    Map<String, Case> cases = new LinkedHashMap<>();
    for (String f : GoldenChains.FILES) {
      fileCases(f, cases);
    }
    swapCases(cases);
    attackFixtureCases(cases);
    wrongSignerCases(cases);
    rollbackCases(cases);
    dataCases(cases);
    semanticCases(cases);
    oversizedCases(cases);
    return cases.entrySet().stream()
        .map(e -> arguments(e.getKey() + " -> " + e.getValue().expected(), e.getValue()));
  }

  private static void add(
      Map<String, Case> cases, String name, Make make, Reason expected, Supplier<ChainVerifier> v) {
    if (cases.put(name, new Case(make, expected, v)) != null) {
      throw new IllegalStateException("two cases named " + name);
    }
  }

  private static void add(Map<String, Case> cases, String name, Make make, Reason expected) {
    add(cases, name, make, expected, Verifiers::policy);
  }

  /** A copy of golden chain {@code base}, changed by {@code t}. */
  private static Make tampered(String base, Tamper t) {
    return work -> {
      Path dir = GoldenChains.copy(GoldenChains.chain(base), work.resolve("chain"));
      t.apply(dir, work);
      return dir;
    };
  }

  /** Golden chain {@code base} as {@code edit} rewrites and re-signs it. */
  private static Make edited(ChainEditor edit) {
    return work -> edit.writeTo(work.resolve("chain"));
  }

  /**
   * Flips at spread positions, truncations, appended bytes, deletion, renaming, an extra file, a
   * symbolic link.
   */
  static void fileCases(String file, Map<String, Case> cases) throws IOException {
    byte[] original = Files.readAllBytes(GoldenChains.chain(A).resolve(file));
    boolean bundle =
        file.equals(SIG)
            || file.equals(PROVENANCE)
            || file.equals(GATE)
            || file.equals(REPRODUCTION);
    Reason changed =
        file.equals(MODEL) || file.equals(CARD)
            ? Reason.MANIFEST_MISMATCH
            : file.equals(DATASET) ? Reason.DIGEST_MISMATCH : Reason.MALFORMED;

    int[] positions = new int[FLIPS];
    for (int i = 0; i < FLIPS; i++) {
      positions[i] = (int) ((long) i * (original.length - 1) / (FLIPS - 1));
    }
    for (int p : Arrays.stream(positions).distinct().toArray()) {
      byte[] t = original.clone();
      t[p] ^= 0x01;
      Reason expected = bundle ? BundleFlips.expected(original, t) : changed;
      add(
          cases,
          file + " flipped at byte " + p,
          tampered(A, (dir, work) -> Files.write(dir.resolve(file), t)),
          expected);
    }
    add(
        cases,
        file + " truncated to half",
        tampered(
            A,
            (dir, work) ->
                Files.write(dir.resolve(file), Arrays.copyOf(original, original.length / 2))),
        changed);
    add(
        cases,
        file + " truncated to nothing",
        tampered(A, (dir, work) -> Files.write(dir.resolve(file), new byte[0])),
        changed);
    byte[] appended = Arrays.copyOf(original, original.length + 4);
    appended[original.length] = 'x';
    add(
        cases,
        file + " with bytes appended",
        tampered(A, (dir, work) -> Files.write(dir.resolve(file), appended)),
        changed);

    boolean attestation = file.startsWith(ChainLayout.ATTESTATIONS + "/");
    Reason missing =
        file.equals(MODEL) || file.equals(CARD)
            ? Reason.MANIFEST_MISMATCH
            : Reason.CHAIN_INCOMPLETE;
    add(
        cases,
        file + " deleted",
        tampered(A, (dir, work) -> Files.delete(dir.resolve(file))),
        missing);
    add(
        cases,
        file + " renamed",
        tampered(A, (dir, work) -> Files.move(dir.resolve(file), dir.resolve(file + ".renamed"))),
        attestation ? Reason.MALFORMED : missing);
    add(
        cases,
        file + " with an extra copy beside it",
        tampered(A, (dir, work) -> Files.copy(dir.resolve(file), dir.resolve(file + ".extra"))),
        attestation ? Reason.MALFORMED : Reason.MANIFEST_MISMATCH);
    add(
        cases,
        file + " replaced by a symbolic link to the same bytes",
        tampered(
            A,
            (dir, work) -> {
              Path outside = work.resolve("outside");
              Files.write(outside, original);
              Files.delete(dir.resolve(file));
              Files.createSymbolicLink(dir.resolve(file), outside);
            }),
        attestation || file.equals(SIG) ? Reason.MALFORMED : Reason.MANIFEST_MISMATCH);
  }

  /** Attestations and files swapped between the two models, and within one. */
  static void swapCases(Map<String, Case> cases) {
    Map<String, Reason> fromOther =
        Map.of(
            MODEL, Reason.MANIFEST_MISMATCH,
            CARD, Reason.MANIFEST_MISMATCH,
            SIG, Reason.MANIFEST_MISMATCH,
            DATASET, Reason.DIGEST_MISMATCH,
            PROVENANCE, Reason.DIGEST_MISMATCH,
            GATE, Reason.DIGEST_MISMATCH,
            REPRODUCTION, Reason.DIGEST_MISMATCH);
    for (String f : GoldenChains.FILES) {
      add(
          cases,
          f + " taken from the other model (v1)",
          tampered(A, (dir, work) -> replace(dir, f, GoldenChains.chain(B).resolve(f))),
          fromOther.get(f));
      add(
          cases,
          f + " given to the other model (v1)",
          tampered(B, (dir, work) -> replace(dir, f, GoldenChains.chain(A).resolve(f))),
          fromOther.get(f));
    }
    add(
        cases,
        "all four attestations taken from the other model",
        tampered(
            A,
            (dir, work) -> {
              for (String f : List.of(DATASET, PROVENANCE, GATE, REPRODUCTION)) {
                replace(dir, f, GoldenChains.chain(B).resolve(f));
              }
            }),
        Reason.DIGEST_MISMATCH);
    add(
        cases,
        "provenance and dataset attestation swapped",
        tampered(A, (dir, work) -> swap(dir, PROVENANCE, DATASET)),
        Reason.UNTRUSTED_SIGNER);
    add(
        cases,
        "gate and reproduction swapped",
        tampered(A, (dir, work) -> swap(dir, GATE, REPRODUCTION)),
        Reason.UNTRUSTED_SIGNER);
    add(
        cases,
        "provenance copied over the model signature",
        tampered(A, (dir, work) -> replace(dir, SIG, dir.resolve(PROVENANCE))),
        Reason.UNSUPPORTED);
  }

  /** The committed attack fixtures, each put in place of the file it attacks in chain a. */
  static void attackFixtureCases(Map<String, Case> cases) {
    Map<String, String> target = new LinkedHashMap<>();
    Map<String, Reason> expected = new LinkedHashMap<>();
    target.put("model-sig-embeds-untrusted-key.sigstore.json", SIG);
    expected.put("model-sig-embeds-untrusted-key.sigstore.json", Reason.UNTRUSTED_SIGNER);
    target.put("gate-embeds-untrusted-key.sigstore.json", GATE);
    expected.put("gate-embeds-untrusted-key.sigstore.json", Reason.UNTRUSTED_SIGNER);
    target.put("gate-for-other-model.sigstore.json", GATE);
    expected.put("gate-for-other-model.sigstore.json", Reason.DIGEST_MISMATCH);
    target.forEach(
        (fixture, file) ->
            add(
                cases,
                "attacks/" + fixture + " as " + file,
                tampered(A, (dir, work) -> replace(dir, file, GoldenChains.attack(fixture))),
                expected.get(fixture)));
    // The provenance names its dataset attestation's digest: put the attack in with a provenance
    // that names it, so that only the signer is wrong.
    String dataset = "dataset-signed-by-train-key.sigstore.json";
    add(
        cases,
        "attacks/" + dataset + " as " + DATASET + ", named by the provenance",
        work ->
            ChainEditor.of(A)
                .datasetAttestation(Files.readAllBytes(GoldenChains.attack(dataset)))
                .writeTo(work.resolve("chain")),
        Reason.UNTRUSTED_SIGNER);
  }

  /** Each statement signed by a key trusted for another stage, or by a key trusted for none. */
  static void wrongSignerCases(Map<String, Case> cases) {
    Map<String, Stage> wrongStage = new LinkedHashMap<>();
    wrongStage.put(SIG, Stage.INGEST);
    wrongStage.put(DATASET, Stage.TRAIN);
    wrongStage.put(PROVENANCE, Stage.EVALUATE);
    wrongStage.put(GATE, Stage.TRAIN);
    wrongStage.put(REPRODUCTION, Stage.EVALUATE);
    wrongStage.forEach(
        (file, stage) -> {
          add(
              cases,
              file + " signed by the " + stage + " key",
              work ->
                  ChainEditor.of(A)
                      .signer(file, GoldenChains.key(stage))
                      .writeTo(work.resolve("chain")),
              Reason.UNTRUSTED_SIGNER);
          add(
              cases,
              file + " signed by a key the policy does not know",
              work ->
                  ChainEditor.of(A)
                      .signer(file, GoldenChains.attacker())
                      .writeTo(work.resolve("chain")),
              Reason.UNTRUSTED_SIGNER);
        });
  }

  /** A valid but older model. */
  static void rollbackCases(Map<String, Case> cases) {
    Make b = work -> GoldenChains.chain(B);
    Make a = work -> GoldenChains.chain(A);
    add(cases, "valid v1 model, policy minVersion 2", b, Reason.ROLLBACK, Verifiers::minVersion2);
    add(cases, "valid v1 model, v2 in service", b, Reason.ROLLBACK, () -> Verifiers.inService(2));
    add(cases, "valid v2 model, v3 in service", a, Reason.ROLLBACK, () -> Verifiers.inService(3));
  }

  /** A model trained on a data file differing in one row. */
  static void dataCases(Map<String, Case> cases) throws IOException {
    byte[] realAttestation = Files.readAllBytes(GoldenChains.chain(A).resolve(DATASET));
    Sha256 realD = GoldenChains.datasetDigest(A);
    add(
        cases,
        "trained on data differing in one row, with the real data's attestation",
        work ->
            ChainEditor.of(ONE_ROW_CHANGED)
                .datasetAttestation(realAttestation)
                .writeTo(work.resolve("chain")),
        Reason.DIGEST_MISMATCH);
    // Claims the real dataset digest throughout; only its data file digest gives it away.
    add(
        cases,
        "trained on data differing in one row, claiming the real dataset digest",
        work ->
            ChainEditor.of(ONE_ROW_CHANGED)
                .datasetAttestation(realAttestation)
                .card(
                    c -> {
                      ((ObjectNode) c.get("dataset")).put("sha256", realD.hex());
                      return c;
                    })
                .provenance(p -> editDependency(p, Provenance.DATASET, realD.hex()))
                .writeTo(work.resolve("chain")),
        Reason.DIGEST_MISMATCH);
    add(
        cases,
        "trained on data differing in one row, dataset attested by an untrusted key",
        work ->
            ChainEditor.of(ONE_ROW_CHANGED)
                .signer(DATASET, GoldenChains.attacker())
                .writeTo(work.resolve("chain")),
        Reason.UNTRUSTED_SIGNER);
    add(
        cases,
        "trained on data differing in one row, its dataset statement with the real data's files",
        work -> {
          JsonNode realFiles = ChainEditor.statement(realAttestation).predicate().get("files");
          return ChainEditor.of(ONE_ROW_CHANGED)
              .dataset(
                  d -> {
                    d.set("files", realFiles);
                    return d;
                  })
              .writeTo(work.resolve("chain"));
        },
        Reason.DIGEST_MISMATCH);
  }

  /** Validly signed statements that say the wrong thing. */
  static void semanticCases(Map<String, Case> cases) {
    String other = Sha256.of("other".getBytes(StandardCharsets.UTF_8)).hex();
    semantic(
        cases,
        "gate: passed false",
        e -> e.gate(g -> g.put("passed", false)),
        Reason.GATE_NOT_PASSED);
    semantic(
        cases,
        "gate: one gate failed",
        e ->
            e.gate(
                g -> {
                  ((ObjectNode) g.get("gates").get(0)).put("passed", false);
                  return g;
                }),
        Reason.GATE_NOT_PASSED);
    semantic(
        cases,
        "gate: no gates",
        e ->
            e.gate(
                g -> {
                  g.putArray("gates");
                  return g;
                }),
        Reason.GATE_NOT_PASSED);
    semantic(
        cases,
        "gate: names another provenance",
        e ->
            e.gate(
                g -> {
                  ((ObjectNode) g.get("provenance")).put("sha256", other);
                  return g;
                }),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "reproduction: FAILED",
        e -> e.reproduction(r -> r.put("verificationResult", "FAILED")),
        Reason.NOT_REPRODUCED);
    semantic(
        cases,
        "reproduction: another reproduced content digest",
        e ->
            e.reproduction(
                r -> {
                  ((ObjectNode) r.get("custody")).put("reproducedContentDigest", other);
                  return r;
                }),
        Reason.NOT_REPRODUCED);
    semantic(
        cases,
        "card: another content digest",
        e -> e.card(c -> c.put("contentDigest", other)),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "card: modelFile names other bytes",
        e ->
            e.card(
                c -> {
                  ((ObjectNode) c.get("modelFile")).put("sha256", other);
                  return c;
                }),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "card: another dataset",
        e ->
            e.card(
                c -> {
                  ((ObjectNode) c.get("dataset")).put("sha256", other);
                  return c;
                }),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "card: unknown field",
        e -> e.card(c -> c.put("approvedBy", "me")),
        Reason.MALFORMED);
    semantic(
        cases,
        "card: labels unsorted",
        e ->
            e.card(
                c -> {
                  ArrayNode l = c.putArray("labels");
                  l.add("1").add("0");
                  return c;
                }),
        Reason.MALFORMED);
    semantic(
        cases,
        "provenance: another model content digest",
        e ->
            e.provenance(
                p -> {
                  for (var x : p.get("runDetails").get("byproducts")) {
                    if (x.get("name").asText().equals(Provenance.CONTENT_BYPRODUCT)) {
                      ((ObjectNode) x.get("digest")).put("sha256", other);
                    }
                  }
                  return p;
                }),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "provenance: another data file digest",
        e -> e.provenance(p -> editDependency(p, Provenance.DATA_PREFIX, other)),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "provenance: another dataset-attestation digest",
        e -> e.provenance(p -> editDependency(p, Provenance.DATASET_ATTESTATION, other)),
        Reason.DIGEST_MISMATCH);
    // Issue 8, W6: records that restate each other must agree.
    semantic(
        cases,
        "card: another model name",
        e -> e.card(c -> c.put("name", "credit-rf-evil")),
        Reason.MODEL_MISMATCH);
    semantic(
        cases,
        "card: another accuracy in its metrics",
        e ->
            e.card(
                c -> {
                  ((ObjectNode) c.get("metrics")).put("accuracy", 0.99);
                  return c;
                }),
        Reason.MODEL_MISMATCH);
    semantic(
        cases,
        "card: another spec digest",
        e ->
            e.card(
                c -> {
                  ((ObjectNode) c.get("spec")).put("sha256", other);
                  return c;
                }),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "card: another spec name",
        e ->
            e.card(
                c -> {
                  ((ObjectNode) c.get("spec")).put("name", "other.yaml");
                  return c;
                }),
        Reason.MODEL_MISMATCH);
    semantic(
        cases,
        "provenance: spec content other than its digest",
        e ->
            e.provenance(
                p -> {
                  ObjectNode spec =
                      (ObjectNode) p.get("buildDefinition").get("externalParameters").get("spec");
                  spec.put("content", spec.get("content").asText() + "\n# changed\n");
                  return p;
                }),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "dataset: another spec version",
        e ->
            e.dataset(
                d -> {
                  ((ObjectNode) d.get("spec")).put("version", 9);
                  return d;
                }),
        Reason.MODEL_MISMATCH);
    semantic(
        cases,
        "gate: another model content digest",
        e -> e.gate(g -> g.put("contentDigest", other)),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "gate: an unknown comparator",
        e ->
            e.gate(
                g -> {
                  ((ObjectNode) g.get("gates").get(0)).put("comparator", ">");
                  return g;
                }),
        Reason.MALFORMED);
    semantic(
        cases,
        "reproduction: another signed content digest",
        e ->
            e.reproduction(
                r -> {
                  ((ObjectNode) r.get("custody")).put("contentDigest", other);
                  return r;
                }),
        Reason.NOT_REPRODUCED);
    semantic(
        cases,
        "reproduction: another spec digest",
        e ->
            e.reproduction(
                r -> {
                  ((ObjectNode) r.get("policy").get("digest")).put("sha256", other);
                  return r;
                }),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "reproduction: another provenance",
        e ->
            e.reproduction(
                r -> {
                  ((ObjectNode) r.get("inputAttestations").get(0).get("digest"))
                      .put("sha256", other);
                  return r;
                }),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "provenance: another buildType",
        e ->
            e.provenance(
                p -> {
                  ((ObjectNode) p.get("buildDefinition"))
                      .put("buildType", "https://example.com/other");
                  return p;
                }),
        Reason.UNSUPPORTED);
    semantic(
        cases,
        "provenance: a jar differs from the lock",
        e -> e.provenance(p -> editDependency(p, Provenance.JAR_PREFIX + "beta-2.0.jar", other)),
        Reason.DEPENDENCY_MISMATCH);
    semantic(
        cases,
        "provenance: a jar the lock does not have",
        e ->
            e.provenance(
                p -> {
                  ObjectNode jar = dependencies(p).addObject();
                  jar.put("name", Provenance.JAR_PREFIX + "evil-0.1.jar");
                  jar.putObject("digest").put("sha256", other);
                  return p;
                }),
        Reason.DEPENDENCY_MISMATCH);
    semantic(
        cases,
        "provenance: a locked jar missing",
        e ->
            e.provenance(
                p -> {
                  Iterator<JsonNode> it = dependencies(p).elements();
                  while (it.hasNext()) {
                    if (it.next()
                        .get("name")
                        .asText()
                        .equals(Provenance.JAR_PREFIX + "alpha-1.0.jar")) {
                      it.remove();
                    }
                  }
                  return p;
                }),
        Reason.DEPENDENCY_MISMATCH);
  }

  /** Inputs made to cost the verifier time or memory: refused within the case's timeout. */
  static void oversizedCases(Map<String, Case> cases) {
    add(
        cases,
        PROVENANCE + " padded past the 16 MiB attestation limit",
        tampered(
            A,
            (dir, work) -> {
              byte[] padded =
                  Arrays.copyOf(
                      Files.readAllBytes(dir.resolve(PROVENANCE)),
                      (int) ChainLimits.DEFAULT_MAX_EVIDENCE_BYTES + 1);
              Arrays.fill(padded, padded.length - (1 << 20), padded.length, (byte) ' ');
              Files.write(dir.resolve(PROVENANCE), padded);
            }),
        Reason.MALFORMED);
    add(
        cases,
        GATE + " replaced by 100,000 nested JSON arrays",
        tampered(
            A,
            (dir, work) ->
                Files.writeString(dir.resolve(GATE), "[".repeat(100_000) + "]".repeat(100_000))),
        Reason.MALFORMED);
  }

  private static void semantic(
      Map<String, Case> cases, String name, UnaryOperator<ChainEditor> edit, Reason expected) {
    add(cases, name, edited(edit.apply(ChainEditor.of(A))), expected);
  }

  private static ArrayNode dependencies(ObjectNode p) {
    return (ArrayNode) p.get("buildDefinition").get("resolvedDependencies");
  }

  /** Sets the digest of every resolved dependency whose name starts with {@code prefix}. */
  private static ObjectNode editDependency(ObjectNode p, String prefix, String hex) {
    for (var d : dependencies(p)) {
      if (d.get("name").asText().startsWith(prefix)) {
        ((ObjectNode) d.get("digest")).put("sha256", hex);
      }
    }
    return p;
  }

  private static void replace(Path dir, String file, Path with) {
    try {
      Files.copy(with, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void swap(Path dir, String x, String y) throws IOException {
    Path tmp = dir.resolve("swap.tmp");
    Files.move(dir.resolve(x), tmp);
    Files.move(dir.resolve(y), dir.resolve(x));
    Files.move(tmp, dir.resolve(y));
  }
}
