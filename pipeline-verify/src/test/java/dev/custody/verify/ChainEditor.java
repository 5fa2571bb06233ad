package dev.custody.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.BundleSigner;
import dev.custody.core.Json;
import dev.custody.core.ModelSigning;
import dev.custody.core.Sha256;
import dev.custody.core.SigningKey;
import dev.custody.core.Statement;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.DatasetPredicate;
import dev.custody.core.chain.GatePredicate;
import dev.custody.core.chain.ModelCard;
import dev.custody.core.chain.Provenance;
import dev.custody.core.chain.ReproductionSummary;
import dev.custody.core.chain.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Makes a chain that is wrong in exactly one way from a committed golden chain, without training:
 * it reads each record with its strict {@code dev.custody.core.chain} reader, writes it back with
 * its writer (with the model root and the digests of the files it names brought up to date), lets
 * the test edit the JSON just before signing, and signs every record again with the committed test
 * key of its stage, unless the test chose another signer. Everything it does not change verifies as
 * before.
 */
final class ChainEditor {
  private final Path base;
  private final Map<String, SigningKey> signers = new HashMap<>();
  private byte[] datasetAttestation;
  private byte[] model;
  private UnaryOperator<ObjectNode> card = x -> x;
  private UnaryOperator<ObjectNode> dataset = x -> x;
  private UnaryOperator<ObjectNode> provenance = x -> x;
  private UnaryOperator<ObjectNode> gate = x -> x;
  private UnaryOperator<ObjectNode> reproduction = x -> x;

  private ChainEditor(Path base) {
    this.base = base;
  }

  /** Edits a copy of the committed chain {@code name}. */
  static ChainEditor of(String name) {
    return new ChainEditor(GoldenChains.chain(name));
  }

  /** Signs {@code file} (a {@link ChainLayout} path of a signed file) with {@code key}. */
  ChainEditor signer(String file, SigningKey key) {
    signers.put(file, key);
    return this;
  }

  /** Uses these bytes as the dataset attestation; the provenance then names their digest. */
  ChainEditor datasetAttestation(byte[] bytes) {
    this.datasetAttestation = bytes.clone();
    return this;
  }

  /**
   * Uses these bytes as {@code model.tribuo}, and updates only the card's {@code modelFile.sha256}
   * to name them (as an attacker who rewrites the model does).
   */
  ChainEditor model(byte[] bytes) {
    this.model = bytes.clone();
    return this;
  }

  /** Edits the card's JSON before the model is signed. */
  ChainEditor card(UnaryOperator<ObjectNode> f) {
    this.card = f;
    return this;
  }

  /** Edits the dataset predicate before it is signed. */
  ChainEditor dataset(UnaryOperator<ObjectNode> f) {
    this.dataset = f;
    return this;
  }

  /** Edits the provenance predicate before it is signed. */
  ChainEditor provenance(UnaryOperator<ObjectNode> f) {
    this.provenance = f;
    return this;
  }

  /** Edits the gate predicate before it is signed. */
  ChainEditor gate(UnaryOperator<ObjectNode> f) {
    this.gate = f;
    return this;
  }

  /** Edits the reproduction predicate before it is signed. */
  ChainEditor reproduction(UnaryOperator<ObjectNode> f) {
    this.reproduction = f;
    return this;
  }

  /** Writes the edited chain into {@code dir}, which must not exist, and returns it. */
  Path writeTo(Path dir) throws Exception {
    GoldenChains.copy(base, dir);

    // The card (through its reader and writer) and the model signature over it.
    ModelCard parsedCard = ModelCard.parse(read(dir, ChainLayout.CARD_FILE));
    ObjectNode cardJson = (ObjectNode) Json.parse(parsedCard.toJson(), "card");
    if (model != null) {
      Files.write(dir.resolve(ChainLayout.MODEL_FILE), model);
      ((ObjectNode) cardJson.get("modelFile")).put("sha256", Sha256.of(model).hex());
    }
    Files.write(dir.resolve(ChainLayout.CARD_FILE), Json.writePretty(card.apply(cardJson)));
    Path sig = dir.resolve(ChainLayout.SIGNATURE_FILE);
    Files.delete(sig);
    Sha256 root =
        ModelSigning.sign(
                dir,
                sig,
                BundleSigner.create(signer(ChainLayout.SIGNATURE_FILE, Stage.TRAIN)),
                List.of(ChainLayout.ATTESTATIONS))
            .rootDigest();

    // The dataset attestation names nothing before it.
    byte[] datasetBytes = datasetAttestation;
    if (datasetBytes == null) {
      DatasetPredicate d = DatasetPredicate.read(statement(dir, ChainLayout.DATASET_ATTESTATION));
      datasetBytes = sign(ChainLayout.DATASET_ATTESTATION, Stage.INGEST, d.statement(), dataset);
    }
    Files.write(dir.resolve(ChainLayout.DATASET_ATTESTATION), datasetBytes);

    // The provenance names the model root and the dataset attestation's bytes.
    Provenance p = Provenance.read(statement(dir, ChainLayout.PROVENANCE));
    Provenance p2 =
        new Provenance(
            p.modelName(),
            root,
            p.spec(),
            p.seed(),
            p.javaVersion(),
            p.tribuoVersion(),
            Sha256.of(datasetBytes),
            p.dataset(),
            p.data(),
            p.jars(),
            p.directories(),
            p.builderVersion(),
            p.invocationId(),
            p.startedOn(),
            p.finishedOn(),
            p.contentDigest(),
            p.metricsJson());
    byte[] provenanceBytes = sign(ChainLayout.PROVENANCE, Stage.TRAIN, p2.statement(), provenance);
    Files.write(dir.resolve(ChainLayout.PROVENANCE), provenanceBytes);
    Sha256 provenanceDigest = Sha256.of(provenanceBytes);

    // The gate and the reproduction name the model root and the provenance's bytes.
    GatePredicate g = GatePredicate.read(statement(dir, ChainLayout.GATE));
    GatePredicate g2 =
        new GatePredicate(
            g.modelName(), root, g.passed(), provenanceDigest, g.contentDigest(), g.gates());
    Files.write(
        dir.resolve(ChainLayout.GATE),
        sign(ChainLayout.GATE, Stage.EVALUATE, g2.statement(), gate));
    ReproductionSummary r = ReproductionSummary.read(statement(dir, ChainLayout.REPRODUCTION));
    ReproductionSummary r2 =
        new ReproductionSummary(
            r.modelName(),
            root,
            r.timeVerified(),
            r.specDigest(),
            provenanceDigest,
            r.result(),
            r.contentDigest(),
            r.reproducedContentDigest());
    Files.write(
        dir.resolve(ChainLayout.REPRODUCTION),
        sign(ChainLayout.REPRODUCTION, Stage.REPRODUCE, r2.statement(), reproduction));
    return dir;
  }

  private SigningKey signer(String file, Stage stage) {
    SigningKey k = signers.get(file);
    return k != null ? k : GoldenChains.key(stage);
  }

  private byte[] sign(String file, Stage stage, Statement written, UnaryOperator<ObjectNode> edit)
      throws Exception {
    ObjectNode predicate = (ObjectNode) written.predicate();
    Statement st =
        new Statement(written.subjects(), written.predicateType(), edit.apply(predicate));
    return BundleSigner.create(signer(file, stage)).signStatement(st);
  }

  private static byte[] read(Path dir, String file) throws Exception {
    return Files.readAllBytes(dir.resolve(file));
  }

  /** The statement inside a committed bundle (trusted: it is a golden fixture). */
  static Statement statement(Path dir, String file) throws Exception {
    return statement(read(dir, file));
  }

  /** The statement inside a bundle, unverified. */
  static Statement statement(byte[] bundle) throws Exception {
    JsonNode root = Json.parse(bundle, "bundle");
    return Statement.parse(Base64.getDecoder().decode(root.at("/dsseEnvelope/payload").asText()));
  }
}
