package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.cli.ChainFixture.Chain;
import dev.custody.cli.ChainFixture.Options;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.SigningKey;
import dev.custody.core.VerificationException;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.Stage;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.TrustPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tamper matrix of issue 4: a real signed credit model chain, and every way of changing it the
 * issue lists, each refused with the reason it must be refused with. Zero accepted.
 */
class TamperMatrixTest {
  static final String SIG = ChainLayout.SIGNATURE_FILE;
  static final String MODEL = ChainLayout.MODEL_FILE;
  static final String CARD = ChainLayout.CARD_FILE;
  static final String DATASET = ChainLayout.DATASET_ATTESTATION;
  static final String PROVENANCE = ChainLayout.PROVENANCE;
  static final String GATE = ChainLayout.GATE;
  static final String REPRODUCTION = ChainLayout.REPRODUCTION;
  static final List<String> FILES =
      List.of(MODEL, CARD, SIG, DATASET, PROVENANCE, GATE, REPRODUCTION);
  static final int FLIPS = 64;

  @TempDir static Path work;
  static ChainFixture.Keys keys;
  static ChainVerifier verifier;
  static Path policy;

  /** The chain under attack: version 2. */
  static Chain a;

  /** Another valid chain of the same model line: version 1, another seed. */
  static Chain b;

  interface Tamper {
    void apply(Path dir) throws Exception;
  }

  record Case(String name, Path base, Tamper tamper, Reason expected, ChainVerifier verifier) {}

  @BeforeAll
  static void build() throws Exception {
    keys = new ChainFixture.Keys();
    keys.lock(work);
    policy =
        keys.policy(
            work,
            "policy.yaml",
            "require: {gatePassed: true, reproduced: true}\ndependencies: {lock: deps.lock.json}\n");
    verifier = ChainVerifier.builder(TrustPolicy.load(policy)).build();
    a = ChainFixture.build(work.resolve("a"), Options.defaults().version(2), keys, work);
    b = ChainFixture.build(work.resolve("b"), Options.defaults().version(1).seed(7), keys, work);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void verify_everyTamperedChain_refusedWithTheExpectedReason() throws Exception {
    // Both chains are valid as built: every refusal below is due to the one change made.
    assertThat(verifier.verify(a.dir()).version()).isEqualTo(2);
    assertThat(verifier.verify(b.dir()).version()).isEqualTo(1);

    List<Case> cases = new ArrayList<>();
    for (String f : FILES) {
      fileCases(f, cases);
    }
    swapCases(cases);
    wrongSignerCases(cases);
    rollbackCases(cases);
    dataCases(cases);
    semanticCases(cases);

    long start = System.nanoTime();
    Map<Reason, Integer> byReason = new EnumMap<>(Reason.class);
    List<String> wrong = new ArrayList<>();
    int accepted = 0;
    int n = 0;
    Path runs = Files.createDirectories(work.resolve("cases"));
    for (Case c : cases) {
      Path dir = runs.resolve(String.valueOf(++n));
      ChainFixture.copy(c.base(), dir);
      c.tamper().apply(dir);
      Reason actual = null;
      String message = null;
      try {
        c.verifier().verify(dir);
        accepted++;
      } catch (VerificationException e) {
        actual = e.reason();
        message = e.getMessage();
      }
      if (actual != c.expected()) {
        wrong.add(
            c.name()
                + ": expected "
                + c.expected()
                + ", got "
                + (actual == null ? "ACCEPTED" : actual + " (" + message + ")"));
      } else {
        byReason.merge(actual, 1, Integer::sum);
      }
      delete(dir);
    }
    long millis = (System.nanoTime() - start) / 1_000_000;

    StringBuilder report = new StringBuilder();
    report
        .append("tamper matrix: ")
        .append(cases.size())
        .append(" cases, ")
        .append(accepted)
        .append(" accepted, ")
        .append(wrong.size())
        .append(" with an unexpected outcome, in ")
        .append(millis)
        .append(" ms\n");
    byReason.forEach(
        (r, count) -> report.append("  ").append(r).append(": ").append(count).append('\n'));
    System.out.print(report);
    assertThat(wrong).as(report.toString()).isEmpty();
    assertThat(accepted).isZero();
    assertThat(cases.size()).isGreaterThanOrEqualTo(FILES.size() * (FLIPS + 6));
  }

  /**
   * Flips at spread positions, truncations, appended bytes, deletion, renaming, extra file, link.
   */
  static void fileCases(String file, List<Case> cases) throws Exception {
    byte[] original = Files.readAllBytes(a.dir().resolve(file));
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
      cases.add(
          new Case(
              file + ": byte " + p + " flipped",
              a.dir(),
              dir -> Files.write(dir.resolve(file), t),
              expected,
              verifier));
    }
    cases.add(
        new Case(
            file + ": truncated to half",
            a.dir(),
            dir -> Files.write(dir.resolve(file), Arrays.copyOf(original, original.length / 2)),
            changed,
            verifier));
    cases.add(
        new Case(
            file + ": truncated to nothing",
            a.dir(),
            dir -> Files.write(dir.resolve(file), new byte[0]),
            changed,
            verifier));
    byte[] appended = Arrays.copyOf(original, original.length + 4);
    appended[original.length] = 'x';
    cases.add(
        new Case(
            file + ": bytes appended",
            a.dir(),
            dir -> Files.write(dir.resolve(file), appended),
            changed,
            verifier));

    boolean attestation = file.startsWith(ChainLayout.ATTESTATIONS + "/");
    Reason missing =
        file.equals(MODEL) || file.equals(CARD)
            ? Reason.MANIFEST_MISMATCH
            : Reason.CHAIN_INCOMPLETE;
    cases.add(
        new Case(
            file + ": deleted",
            a.dir(),
            dir -> Files.delete(dir.resolve(file)),
            missing,
            verifier));
    cases.add(
        new Case(
            file + ": renamed",
            a.dir(),
            dir -> Files.move(dir.resolve(file), dir.resolve(file + ".renamed")),
            attestation ? Reason.MALFORMED : missing,
            verifier));
    cases.add(
        new Case(
            file + ": extra copy beside it",
            a.dir(),
            dir -> Files.copy(dir.resolve(file), dir.resolve(file + ".extra")),
            attestation ? Reason.MALFORMED : Reason.MANIFEST_MISMATCH,
            verifier));
    Path outside = Files.createDirectories(work.resolve("outside")).resolve(file.replace('/', '_'));
    Files.write(outside, original);
    cases.add(
        new Case(
            file + ": replaced by a symbolic link to the same bytes",
            a.dir(),
            dir -> {
              Files.delete(dir.resolve(file));
              Files.createSymbolicLink(dir.resolve(file), outside);
            },
            attestation
                ? Reason.MALFORMED
                : file.equals(SIG) ? Reason.MALFORMED : Reason.MANIFEST_MISMATCH,
            verifier));
  }

  /** Attestations and files swapped between the two models, and within one. */
  static void swapCases(List<Case> cases) {
    Map<String, Reason> fromB =
        Map.of(
            MODEL, Reason.MANIFEST_MISMATCH,
            CARD, Reason.MANIFEST_MISMATCH,
            SIG, Reason.MANIFEST_MISMATCH,
            DATASET, Reason.DIGEST_MISMATCH,
            PROVENANCE, Reason.DIGEST_MISMATCH,
            GATE, Reason.DIGEST_MISMATCH,
            REPRODUCTION, Reason.DIGEST_MISMATCH);
    for (String f : FILES) {
      cases.add(
          new Case(
              f + ": taken from the other model (v1)",
              a.dir(),
              dir ->
                  Files.copy(
                      b.dir().resolve(f),
                      dir.resolve(f),
                      java.nio.file.StandardCopyOption.REPLACE_EXISTING),
              fromB.get(f),
              verifier));
      cases.add(
          new Case(
              f + ": given to the other model (v1)",
              b.dir(),
              dir ->
                  Files.copy(
                      a.dir().resolve(f),
                      dir.resolve(f),
                      java.nio.file.StandardCopyOption.REPLACE_EXISTING),
              fromB.get(f),
              verifier));
    }
    cases.add(
        new Case(
            "all four attestations taken from the other model",
            a.dir(),
            dir -> {
              for (String f : List.of(DATASET, PROVENANCE, GATE, REPRODUCTION)) {
                Files.copy(
                    b.dir().resolve(f),
                    dir.resolve(f),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
              }
            },
            Reason.DIGEST_MISMATCH,
            verifier));
    cases.add(
        new Case(
            "provenance and dataset attestation swapped",
            a.dir(),
            dir -> swap(dir, PROVENANCE, DATASET),
            Reason.UNTRUSTED_SIGNER,
            verifier));
    cases.add(
        new Case(
            "gate and reproduction swapped",
            a.dir(),
            dir -> swap(dir, GATE, REPRODUCTION),
            Reason.UNTRUSTED_SIGNER,
            verifier));
    cases.add(
        new Case(
            "provenance copied over the model signature",
            a.dir(),
            dir ->
                Files.copy(
                    dir.resolve(PROVENANCE),
                    dir.resolve(SIG),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING),
            Reason.UNSUPPORTED,
            verifier));
  }

  /** Each statement signed by a key trusted for another stage, or by a key trusted for none. */
  static void wrongSignerCases(List<Case> cases) throws Exception {
    Map<String, Stage> wrongStage =
        Map.of(
            SIG, Stage.INGEST,
            DATASET, Stage.TRAIN,
            PROVENANCE, Stage.EVALUATE,
            GATE, Stage.TRAIN,
            REPRODUCTION, Stage.EVALUATE);
    Map<String, String> option =
        Map.of(
            SIG,
            ChainLayout.SIGNATURE_FILE,
            DATASET,
            "dataset",
            PROVENANCE,
            "provenance",
            GATE,
            "gate",
            REPRODUCTION,
            "reproduction");
    SigningKey stranger = SigningKey.generate();
    int i = 0;
    for (String f : new TreeMap<>(wrongStage).keySet()) {
      Chain wrong =
          variant(
              "wrong-stage-" + i,
              Options.defaults().version(2).signer(option.get(f), keys.of(wrongStage.get(f))));
      cases.add(
          new Case(
              f + ": signed by the " + wrongStage.get(f) + " key",
              wrong.dir(),
              dir -> {},
              Reason.UNTRUSTED_SIGNER,
              verifier));
      Chain unknown =
          variant(
              "unknown-key-" + i++, Options.defaults().version(2).signer(option.get(f), stranger));
      cases.add(
          new Case(
              f + ": signed by a key the policy does not know",
              unknown.dir(),
              dir -> {},
              Reason.UNTRUSTED_SIGNER,
              verifier));
    }
  }

  /** A valid but older model. */
  static void rollbackCases(List<Case> cases) throws Exception {
    Path min2 =
        keys.policy(
            work,
            "policy-min2.yaml",
            "require: {gatePassed: true, reproduced: true}\ndependencies: {lock: deps.lock.json}\nmodel: {minVersion: 2}\n");
    ChainVerifier minimum = ChainVerifier.builder(TrustPolicy.load(min2)).build();
    ChainVerifier inService2 =
        ChainVerifier.builder(TrustPolicy.load(policy)).versionInService(2).build();
    ChainVerifier inService3 =
        ChainVerifier.builder(TrustPolicy.load(policy)).versionInService(3).build();
    assertThat(minimum.verify(a.dir()).version()).isEqualTo(2);
    assertThat(inService2.verify(a.dir()).version()).isEqualTo(2);
    cases.add(
        new Case(
            "valid v1 model, policy minVersion 2", b.dir(), dir -> {}, Reason.ROLLBACK, minimum));
    cases.add(
        new Case("valid v1 model, v2 in service", b.dir(), dir -> {}, Reason.ROLLBACK, inService2));
    cases.add(
        new Case("valid v2 model, v3 in service", a.dir(), dir -> {}, Reason.ROLLBACK, inService3));
  }

  /** A model trained on a data file differing in one row. */
  static void dataCases(List<Case> cases) throws Exception {
    byte[] changed =
        ChainFixture.withOneRowChanged(ChainFixture.creditSubset(ChainFixture.ROWS), 17);
    Options oneRow = Options.defaults().version(2).csv(changed);
    // Honest about its data, but carrying the attestation the ingest stage signed for the real
    // data.
    Chain honest = variant("one-row-honest", oneRow.datasetAttestation(a.datasetAttestation()));
    assertThat(honest.dataset()).isNotEqualTo(a.dataset());
    cases.add(
        new Case(
            "trained on data differing in one row, with the real data's attestation",
            honest.dir(),
            dir -> {},
            Reason.DIGEST_MISMATCH,
            verifier));
    // Claims the real dataset digest throughout; only its data file digest gives it away.
    Sha256 realD = a.dataset();
    Chain lying =
        variant(
            "one-row-lying",
            oneRow
                .datasetAttestation(a.datasetAttestation())
                .card(
                    c -> {
                      ((ObjectNode) c.get("dataset")).put("sha256", realD.hex());
                      return c;
                    })
                .provenance(
                    p -> {
                      for (var d : p.get("buildDefinition").get("resolvedDependencies")) {
                        if (d.get("name").asText().equals("dataset")) {
                          ((ObjectNode) d.get("digest")).put("sha256", realD.hex());
                        }
                      }
                      return p;
                    }));
    cases.add(
        new Case(
            "trained on data differing in one row, claiming the real dataset digest",
            lying.dir(),
            dir -> {},
            Reason.DIGEST_MISMATCH,
            verifier));
    // Its own dataset attestation, which only a key outside the policy could sign.
    Chain forged = variant("one-row-forged", oneRow.signer("dataset", SigningKey.generate()));
    cases.add(
        new Case(
            "trained on data differing in one row, dataset attested by an untrusted key",
            forged.dir(),
            dir -> {},
            Reason.UNTRUSTED_SIGNER,
            verifier));
  }

  /** Validly signed statements that say the wrong thing. */
  static void semanticCases(List<Case> cases) throws Exception {
    String other = Sha256.of("other".getBytes(StandardCharsets.UTF_8)).hex();
    Options v2 = Options.defaults().version(2);
    semantic(
        cases, "gate: passed false", v2.gate(g -> g.put("passed", false)), Reason.GATE_NOT_PASSED);
    semantic(
        cases,
        "gate: one gate failed",
        v2.gate(
            g -> {
              ((ObjectNode) g.get("gates").get(0)).put("passed", false);
              return g;
            }),
        Reason.GATE_NOT_PASSED);
    semantic(
        cases,
        "gate: no gates",
        v2.gate(
            g -> {
              g.putArray("gates");
              return g;
            }),
        Reason.GATE_NOT_PASSED);
    semantic(
        cases,
        "gate: names another provenance",
        v2.gate(
            g -> {
              ((ObjectNode) g.get("provenance")).put("sha256", other);
              return g;
            }),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "reproduction: FAILED",
        v2.reproduction(r -> r.put("verificationResult", "FAILED")),
        Reason.NOT_REPRODUCED);
    semantic(
        cases,
        "reproduction: another reproduced content digest",
        v2.reproduction(
            r -> {
              ((ObjectNode) r.get("custody")).put("reproducedContentDigest", other);
              return r;
            }),
        Reason.NOT_REPRODUCED);
    semantic(
        cases,
        "card: another content digest",
        v2.card(c -> c.put("contentDigest", other)),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "card: modelFile names other bytes",
        v2.card(
            c -> {
              ((ObjectNode) c.get("modelFile")).put("sha256", other);
              return c;
            }),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "card: another dataset",
        v2.card(
            c -> {
              ((ObjectNode) c.get("dataset")).put("sha256", other);
              return c;
            }),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases, "card: unknown field", v2.card(c -> c.put("approvedBy", "me")), Reason.MALFORMED);
    semantic(
        cases,
        "card: labels unsorted",
        v2.card(
            c -> {
              ArrayNode l = c.putArray("labels");
              l.add("1").add("0");
              return c;
            }),
        Reason.MALFORMED);
    semantic(
        cases,
        "provenance: another model content digest",
        v2.provenance(
            p -> {
              for (var x : p.get("runDetails").get("byproducts")) {
                if (x.get("name").asText().equals("model-content-digest")) {
                  ((ObjectNode) x.get("digest")).put("sha256", other);
                }
              }
              return p;
            }),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "provenance: another data file digest",
        v2.provenance(p -> editDependency(p, "data:", other)),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "provenance: another dataset-attestation digest",
        v2.provenance(p -> editDependency(p, "dataset-attestation", other)),
        Reason.DIGEST_MISMATCH);
    semantic(
        cases,
        "provenance: another buildType",
        v2.provenance(
            p -> {
              ((ObjectNode) p.get("buildDefinition")).put("buildType", "https://example.com/other");
              return p;
            }),
        Reason.UNSUPPORTED);
    Map<String, Sha256> changedJar = new TreeMap<>(ChainFixture.lockedJars());
    changedJar.put("beta-2.0.jar", Sha256.of("evil".getBytes(StandardCharsets.UTF_8)));
    semantic(
        cases,
        "provenance: a jar differs from the lock",
        v2.jars(changedJar),
        Reason.DEPENDENCY_MISMATCH);
    Map<String, Sha256> extraJar = new TreeMap<>(ChainFixture.lockedJars());
    extraJar.put("evil-0.1.jar", Sha256.of("evil".getBytes(StandardCharsets.UTF_8)));
    semantic(
        cases,
        "provenance: a jar the lock does not have",
        v2.jars(extraJar),
        Reason.DEPENDENCY_MISMATCH);
    Map<String, Sha256> missingJar = new TreeMap<>(ChainFixture.lockedJars());
    missingJar.remove("alpha-1.0.jar");
    semantic(
        cases, "provenance: a locked jar missing", v2.jars(missingJar), Reason.DEPENDENCY_MISMATCH);
  }

  private static ObjectNode editDependency(ObjectNode p, String prefix, String hex) {
    for (var d : p.get("buildDefinition").get("resolvedDependencies")) {
      if (d.get("name").asText().startsWith(prefix)) {
        ((ObjectNode) d.get("digest")).put("sha256", hex);
      }
    }
    return p;
  }

  private static int variants;

  private static void semantic(List<Case> cases, String name, Options o, Reason expected)
      throws Exception {
    Chain c = variant("semantic-" + variants++, o);
    cases.add(new Case(name, c.dir(), dir -> {}, expected, verifier));
  }

  private static Chain variant(String name, Options o) throws Exception {
    return ChainFixture.build(work.resolve("variants").resolve(name), o, keys, work);
  }

  private static void swap(Path dir, String x, String y) throws Exception {
    Path tmp = dir.resolve("swap.tmp");
    Files.move(dir.resolve(x), tmp);
    Files.move(dir.resolve(y), dir.resolve(x));
    Files.move(tmp, dir.resolve(y));
  }

  private static void delete(Path dir) throws Exception {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
