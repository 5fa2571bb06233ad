package dev.custody.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.KeyBundleVerifier;
import dev.custody.core.ModelSigning;
import dev.custody.core.Sha256;
import dev.custody.core.SigningKey;
import dev.custody.core.Statement;
import dev.custody.core.VerifiedManifest;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.ModelCard;
import dev.custody.core.chain.Stage;
import dev.custody.train.evaluate.GateResult;
import dev.custody.train.fit.ModelContent;
import dev.custody.train.spec.Fixtures;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.ClasspathLock;
import dev.custody.verify.TrustPolicy;
import dev.custody.verify.VerifiedChain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Pipeline.run} end to end on the real credit example ({@code examples/credit-rf.yaml}): one
 * run per class, then every file of the exported chain checked against {@code
 * docs/chain-format.md}.
 */
class PipelineTest {
  @TempDir static Path tmp;
  static SigningKey key;
  static TrustPolicy policy;
  static PipelineSpec spec;
  static TrainedModel trained;
  static Chain.Steps steps = new Chain.Steps();

  @BeforeAll
  static void runCreditExample() throws Exception {
    Chain.creditCsv();
    key = SigningKey.generate();
    policy = Chain.trusting(key.publicKey());
    spec = PipelineSpec.load(Fixtures.projectRoot().resolve("examples/credit-rf.yaml"));
    trained =
        Pipeline.builder()
            .progress(steps)
            .build()
            .run(spec, policy, Chain.signers(key), tmp.resolve("credit-rf-v1"));
    steps.lines.forEach(l -> System.out.println("custody run credit-rf: " + l));
    System.out.println("custody run credit-rf: metrics " + trained.metrics().toJson());
  }

  @Test
  void run_creditExample_writesExactlyTheChainLayoutAndNoStagingLeftovers() throws Exception {
    Path dir = trained.directory();
    List<String> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile).forEach(p -> files.add(dir.relativize(p).toString()));
    }

    assertThat(files)
        .containsExactlyInAnyOrder(
            ChainLayout.MODEL_FILE,
            ChainLayout.CARD_FILE,
            ChainLayout.SIGNATURE_FILE,
            ChainLayout.DATASET_ATTESTATION,
            ChainLayout.PROVENANCE,
            ChainLayout.GATE);
    try (Stream<Path> siblings = Files.list(tmp)) {
      assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("credit-rf-v1");
    }
    assertThat(steps.names())
        .containsExactly(
            "read",
            "screen",
            "merkle",
            "sign",
            "verify",
            "classpath",
            "train",
            "evaluate",
            "gates",
            "export");
  }

  @Test
  void run_creditExample_meetsAccuracyFloorAndPassesItsGates() {
    assertThat(trained.metrics().accuracy()).isGreaterThanOrEqualTo(0.81);
    assertThat(trained.metrics().rows()).isEqualTo(3_000);
    assertThat(trained.trainRows()).isEqualTo(27_000);
    assertThat(trained.gates()).isNotEmpty().allMatch(GateResult::passed);
    assertThat(trained.gates()).extracting(GateResult::name).contains("test-accuracy", "canary");
  }

  @Test
  void modelSignature_verifiesAndTheSafeLoaderLoadsTheCardsModel() throws Exception {
    Path dir = trained.directory();
    VerifiedManifest vm =
        ModelSigning.verify(
            dir,
            dir.resolve(ChainLayout.SIGNATURE_FILE),
            KeyBundleVerifier.builder().trust(key.publicKey()).build(),
            List.of());
    VerifiedChain chain = ChainVerifier.builder(policy).build().verify(dir);
    ModelCard card = chain.card();

    var loaded = chain.load();

    assertThat(vm.rootDigest()).isEqualTo(trained.rootDigest());
    assertThat(vm.manifest().ignorePaths()).contains(ChainLayout.ATTESTATIONS);
    assertThat(vm.manifest().resources())
        .extracting(r -> r.name())
        .containsExactly(ChainLayout.CARD_FILE, ChainLayout.MODEL_FILE);
    assertThat(ModelContent.digest(loaded.tribuoModel())).isEqualTo(card.contentDigest());
    assertThat(card).isEqualTo(trained.card());
    assertThat(card.labels()).containsExactly("0", "1");
    assertThat(card.features())
        .containsExactly(
            "AGE",
            "BILL_AMT1",
            "BILL_AMT2",
            "LIMIT_BAL",
            "PAY_0",
            "PAY_2",
            "PAY_3",
            "PAY_AMT1",
            "SEX@1",
            "SEX@2");
    assertThat(card.spec().sha256()).isEqualTo(spec.digest());
    assertThat(card.spec().name()).isEqualTo("credit-rf.yaml");
    assertThat(card.trainer()).isEqualTo("hist-forest");
  }

  @Test
  void provenance_creditExample_recordsSpecDataDatasetAndEveryClasspathJar() throws Exception {
    Path dir = trained.directory();
    byte[] bundle = Files.readAllBytes(dir.resolve(ChainLayout.PROVENANCE));
    Statement st = policy.verifyStatement(Stage.TRAIN, bundle, trained.rootDigest()).statement();
    JsonNode p = st.predicate();

    assertThat(st.predicateType()).isEqualTo("https://slsa.dev/provenance/v1");
    assertThat(st.subjects())
        .containsExactly(Statement.Subject.of("credit-rf", trained.rootDigest()));
    JsonNode def = p.path("buildDefinition");
    assertThat(def.path("buildType").asText()).isEqualTo("https://custody.dev/train/v1");
    JsonNode specNode = def.path("externalParameters").path("spec");
    assertThat(specNode.path("name").asText()).isEqualTo("credit-rf.yaml");
    assertThat(specNode.path("digest").path("sha256").asText()).isEqualTo(spec.digest().hex());
    assertThat(specNode.path("content").asText().getBytes(StandardCharsets.UTF_8))
        .isEqualTo(Files.readAllBytes(Fixtures.projectRoot().resolve("examples/credit-rf.yaml")));
    assertThat(def.path("externalParameters").path("seed").asLong()).isEqualTo(42);
    assertThat(def.path("internalParameters").path("tribuoVersion").asText()).isEqualTo("4.3.2");

    List<JsonNode> deps = new ArrayList<>();
    def.path("resolvedDependencies").forEach(deps::add);
    assertThat(deps.get(0).path("name").asText()).isEqualTo("dataset-attestation");
    assertThat(deps.get(0).path("uri").asText()).isEqualTo(ChainLayout.DATASET_ATTESTATION);
    assertThat(deps.get(0).path("digest").path("sha256").asText())
        .isEqualTo(
            Sha256.of(Files.readAllBytes(dir.resolve(ChainLayout.DATASET_ATTESTATION))).hex());
    assertThat(deps.get(1).path("name").asText()).isEqualTo("dataset");
    assertThat(deps.get(1).path("digest").path("sha256").asText())
        .isEqualTo(trained.card().dataset().hex());
    assertThat(deps.get(2).path("name").asText()).isEqualTo("data:default_credit_card.csv");
    assertThat(deps.get(2).path("uri").asText())
        .isEqualTo("../../shared/data/default_credit_card.csv");
    assertThat(deps.get(2).path("digest").path("sha256").asText())
        .isEqualTo(Fixtures.CREDIT_SHA256);

    List<String> jarNames = new ArrayList<>();
    for (JsonNode d : deps.subList(3, deps.size())) {
      String name = d.path("name").asText();
      if (name.startsWith("jar:")) {
        jarNames.add(name.substring(4));
      }
    }
    List<Path> running = ClasspathLock.runningClasspathEntries();
    List<Path> jars = running.stream().filter(Files::isRegularFile).toList();
    assertThat(jarNames)
        .isSorted()
        .containsExactlyInAnyOrderElementsOf(ClasspathLock.of(jars).jars().keySet());
    assertThat(jarNames).anyMatch(n -> n.startsWith("tribuo-core-4.3.2"));
    Sha256 tribuoCore =
        ClasspathLock.of(
                jars.stream()
                    .filter(j -> j.getFileName().toString().equals("tribuo-core-4.3.2.jar"))
                    .toList())
            .jars()
            .get("tribuo-core-4.3.2.jar");
    assertThat(deps)
        .anySatisfy(
            d -> {
              assertThat(d.path("name").asText()).isEqualTo("jar:tribuo-core-4.3.2.jar");
              assertThat(d.path("digest").path("sha256").asText()).isEqualTo(tribuoCore.hex());
            });
    // Under surefire, target/classes and target/test-classes are directories, pinned by content.
    // Sibling modules are directories too under `mvn test` and jars under `mvn verify`, so the
    // expected names come from the running classpath: one `dir:` entry per directory, each named
    // by a path suffix of its directory.
    List<Path> directories = running.stream().filter(Files::isDirectory).toList();
    List<String> dirNames = new ArrayList<>();
    deps.forEach(
        d -> {
          if (d.path("name").asText().startsWith("dir:")) {
            dirNames.add(d.path("name").asText().substring(4));
          }
        });
    assertThat(directories).isNotEmpty();
    assertThat(dirNames).hasSameSizeAs(directories);
    for (Path directory : directories) {
      assertThat(dirNames).anyMatch(n -> directory.endsWith(n));
    }
    assertThat(dirNames).anyMatch(n -> n.endsWith("test-classes"));

    JsonNode run = p.path("runDetails");
    assertThat(run.path("builder").path("id").asText())
        .startsWith("https://custody.dev/builder/custody@0.");
    assertThat(run.path("metadata").path("startedOn").asText()).endsWith("Z");
    JsonNode byproducts = run.path("byproducts");
    assertThat(byproducts.path(0).path("name").asText()).isEqualTo("model-content-digest");
    assertThat(byproducts.path(0).path("digest").path("sha256").asText())
        .isEqualTo(trained.card().contentDigest().hex());
    assertThat(byproducts.path(1).path("name").asText()).isEqualTo("metrics");
    assertThat(
            new String(
                Base64.getDecoder().decode(byproducts.path(1).path("content").asText()),
                StandardCharsets.UTF_8))
        .isEqualTo(trained.metrics().toJson());
  }

  @Test
  void datasetAttestation_verifiesUnderIngestForTheKeptRowsRoot() throws Exception {
    byte[] bundle =
        Files.readAllBytes(trained.directory().resolve(ChainLayout.DATASET_ATTESTATION));
    Statement st =
        policy.verifyStatement(Stage.INGEST, bundle, trained.card().dataset()).statement();

    assertThat(st.predicateType()).isEqualTo("https://custody.dev/dataset/v1");
    assertThat(st.subjects())
        .containsExactly(Statement.Subject.of("credit-rf-dataset", trained.card().dataset()));
    assertThat(st.predicate().path("kept").path("merkleRoot").path("sha256").asText())
        .isEqualTo(trained.card().dataset().hex());
    assertThat(st.predicate().path("files").path(0).path("digest").path("sha256").asText())
        .isEqualTo(Fixtures.CREDIT_SHA256);
  }

  @Test
  void gateAttestation_passedAndChainedToTheProvenanceBytes() throws Exception {
    Path dir = trained.directory();
    byte[] bundle = Files.readAllBytes(dir.resolve(ChainLayout.GATE));
    Statement st = policy.verifyStatement(Stage.EVALUATE, bundle, trained.rootDigest()).statement();
    JsonNode p = st.predicate();

    assertThat(st.predicateType()).isEqualTo("https://custody.dev/gate/v1");
    assertThat(p.path("passed").asBoolean()).isTrue();
    assertThat(p.path("provenance").path("sha256").asText())
        .isEqualTo(Sha256.of(Files.readAllBytes(dir.resolve(ChainLayout.PROVENANCE))).hex());
    assertThat(p.path("contentDigest").asText()).isEqualTo(trained.card().contentDigest().hex());
    JsonNode first = p.path("gates").path(0);
    assertThat(first.path("name").asText()).isEqualTo("test-accuracy");
    assertThat(first.path("comparator").asText()).isEqualTo(">=");
    assertThat(first.path("observed").asDouble()).isEqualTo(trained.metrics().accuracy());
    assertThat(first.path("sampleSize").asLong()).isEqualTo(3_000);
    assertThat(first.path("dataset").path("name").asText()).isEqualTo("test-split");
    for (JsonNode g : p.path("gates")) {
      assertThat(g.path("passed").asBoolean()).as(g.toString()).isTrue();
    }
  }

  @Test
  void modelCard_json_hasTheDocumentedKeysInOrder() throws Exception {
    JsonNode card =
        Json.parse(Files.readAllBytes(trained.directory().resolve(ChainLayout.CARD_FILE)), "card");
    List<String> keys = new ArrayList<>();
    card.fieldNames().forEachRemaining(keys::add);

    assertThat(keys)
        .containsExactly(
            "name",
            "version",
            "trainer",
            "labels",
            "features",
            "schema",
            "positiveLabel",
            "modelFile",
            "contentDigest",
            "dataset",
            "spec",
            "metrics");
    assertThat(card.path("schema").path("label").path("column").asText())
        .isEqualTo(spec.schema().label().column());
    assertThat(trained.card().schema().featureColumns())
        .containsExactly(
            "LIMIT_BAL",
            "AGE",
            "PAY_0",
            "PAY_2",
            "PAY_3",
            "BILL_AMT1",
            "BILL_AMT2",
            "PAY_AMT1",
            "SEX");
    assertThat(card.at("/schema/numeric/0")).hasToString("{\"column\":\"LIMIT_BAL\",\"min\":0.0}");
    assertThat(card.path("modelFile").path("sha256").asText())
        .isEqualTo(
            Sha256.of(Files.readAllBytes(trained.directory().resolve(ChainLayout.MODEL_FILE)))
                .hex());
    assertThat(card.path("metrics").path("accuracy").asDouble())
        .isEqualTo(trained.metrics().accuracy());
  }
}
