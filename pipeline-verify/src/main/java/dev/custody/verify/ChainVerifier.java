package dev.custody.verify;

import static dev.custody.core.chain.ChainLayout.ATTESTATIONS;
import static dev.custody.core.chain.ChainLayout.CARD_FILE;
import static dev.custody.core.chain.ChainLayout.MODEL_FILE;
import static dev.custody.core.chain.ChainLayout.SIGNATURE_FILE;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.ModelManifest;
import dev.custody.core.PipelineException;
import dev.custody.core.Printable;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.VerificationException;
import dev.custody.core.VerifiedStatement;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.ChainLimits;
import dev.custody.core.chain.DatasetPredicate;
import dev.custody.core.chain.GatePredicate;
import dev.custody.core.chain.ModelCard;
import dev.custody.core.chain.Provenance;
import dev.custody.core.chain.ReproductionSummary;
import dev.custody.core.chain.Stage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Verifies a model directory's whole chain of custody against a {@link TrustPolicy}, in the order
 * {@code docs/chain-format.md} ("What verification checks, in order") gives:
 *
 * <ol>
 *   <li>{@code model.sig} verifies under the TRAIN signers and the directory's file set equals the
 *       signed set; this gives the root digest {@code R};
 *   <li>{@code model.tribuo}'s bytes hash to the signed manifest's entry; every class and type they
 *       name is on the policy's allow-list, checked without loading any class; their content digest
 *       {@code C} is recomputed ({@link ModelContentDigest});
 *   <li>{@code model-card.json} parses, names those bytes and {@code C}, and its version is not a
 *       rollback;
 *   <li>the training provenance verifies under the TRAIN signers with subject {@code R}, its
 *       content digest equals the card's, and it agrees with the card on model name, version (of
 *       the spec content it records), spec and metrics;
 *   <li>the dataset attestation is the file the provenance names, verifies under the INGEST signers
 *       with the dataset digest {@code D} of provenance and card, lists the data files the
 *       provenance lists, and agrees with card and provenance on spec, version and schema;
 *   <li>if the policy names a dependency lock: the provenance's jars equal the signed lock;
 *   <li>the gate verifies under the EVALUATE signers with subject {@code R}, passed, names the
 *       provenance file and {@code C}, every entry's verdict follows from its numbers, none cannot
 *       fail, and its test-split observations equal the card's metrics (required unless the policy
 *       says {@code gatePassed: false}, verified whenever present);
 *   <li>the reproduction summary verifies under the REPRODUCE signers with subject {@code R},
 *       result {@code PASSED}, the provenance's spec and file, and {@code C} as both its signed and
 *       its reproduced content digest (required if the policy says so, verified whenever present).
 * </ol>
 *
 * <p>The rule behind them: every claim of a signed record that can be recomputed from verified
 * bytes is recomputed, and records that restate each other must agree.
 *
 * <pre>{@code
 * ChainVerifier verifier = ChainVerifier.builder(TrustPolicy.load(Path.of("policy.yaml")))
 *     .versionInService(3)
 *     .build();
 * VerifiedChain chain = verifier.verify(Path.of("credit-rf-v4"));
 * VerifiedModel model = chain.load();
 * Prediction p = model.predict(Map.of("AGE", "42", "HOUSING", "own"));
 * }</pre>
 *
 * <h3>Security guarantees</h3>
 *
 * Every file is read once into memory and every check, and the model later loaded, uses those
 * bytes: nothing is checked on one read and used from another. Each signature is checked only
 * against the signers the policy trusts for its own stage. Symbolic links and special files are
 * refused, under any path, as is any file the layout does not name (under {@code .git} too): an
 * extra, missing or renamed file of the model fails the model signature, by name and before any
 * byte of it is read, and {@code attestations/} may hold only the four attestation files.
 */
public final class ChainVerifier {
  private static final int MAX_SHOWN = 80;

  /** The dataset name of gates evaluated on the held-out test split (the card's metrics). */
  private static final String TEST_SPLIT = "test-split";

  private final TrustPolicy policy;
  private final int versionInService;
  private final ChainLimits chainLimits;
  private final int maxNestingDepth;

  private ChainVerifier(Builder b) {
    this.policy = b.policy;
    this.versionInService = b.versionInService;
    this.chainLimits = b.chainLimits;
    this.maxNestingDepth = b.maxNestingDepth;
  }

  /** A builder for a verifier that trusts what {@code policy} trusts. */
  public static Builder builder(TrustPolicy policy) {
    return new Builder(policy);
  }

  /** Builds a {@link ChainVerifier}. */
  public static final class Builder {
    private final TrustPolicy policy;
    private int versionInService;
    // One model byte limit (in chainLimits); the loader's ModelLimits is made from it at load.
    private ChainLimits chainLimits = ChainLimits.defaults();
    private int maxNestingDepth = ModelLimits.DEFAULT_MAX_NESTING_DEPTH;

    private Builder(TrustPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * The version of the model currently in service: a model with a lower version is refused as a
     * {@link Reason#ROLLBACK}, as is one below the policy's minimum. Not set by default.
     */
    public Builder versionInService(int version) {
      if (version < 1) {
        throw new IllegalArgumentException("versionInService must be at least 1, got " + version);
      }
      this.versionInService = version;
      return this;
    }

    /**
     * Size and nesting limits for the model file (default {@link ModelLimits#defaults()}); its
     * {@code maxModelBytes} also becomes {@link ChainLimits#maxModelBytes()}, so the model has one
     * limit.
     */
    public Builder modelLimits(ModelLimits limits) {
      Objects.requireNonNull(limits, "limits");
      this.chainLimits = chainLimits.withMaxModelBytes(limits.maxModelBytes());
      this.maxNestingDepth = limits.maxNestingDepth();
      return this;
    }

    /**
     * Size limits for the model file, the card, the model signature and each attestation (default
     * {@link ChainLimits#defaults()}); its {@code maxModelBytes} also becomes the loader's {@link
     * ModelLimits#maxModelBytes()}, so the model has one limit.
     */
    public Builder chainLimits(ChainLimits limits) {
      this.chainLimits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** The verifier. */
    public ChainVerifier build() {
      return new ChainVerifier(this);
    }
  }

  /**
   * Verifies the chain of the model directory {@code modelDir}.
   *
   * @return the proof, holding the verified model bytes
   * @throws VerificationException with the reason of the first check that failed: {@link
   *     Reason#CHAIN_INCOMPLETE} for a missing signature or required attestation, {@link
   *     Reason#MANIFEST_MISMATCH} when the model's files differ from the signed set, {@link
   *     Reason#UNTRUSTED_SIGNER} for a signer the policy does not trust for that stage, {@link
   *     Reason#SIGNATURE_INVALID}, {@link Reason#DIGEST_MISMATCH} when a link names other bytes
   *     than it should, {@link Reason#ROLLBACK}, {@link Reason#DEPENDENCY_MISMATCH}, {@link
   *     Reason#GATE_NOT_PASSED}, {@link Reason#NOT_REPRODUCED}, {@link Reason#MALFORMED} or {@link
   *     Reason#UNSUPPORTED} for evidence of another shape, {@link Reason#MODEL_TOO_LARGE}, {@link
   *     Reason#UNSAFE_MODEL} for a model naming a class or type outside the allow-list (no class is
   *     loaded), {@link Reason#MODEL_MISMATCH} when two signed records state one fact (name,
   *     version, spec name, schema, metrics) differently
   * @throws IOException if the directory or the policy's lock cannot be read
   */
  public VerifiedChain verify(Path modelDir) throws VerificationException, IOException {
    return new Run(modelDir, false).verify();
  }

  /**
   * Verifies every link of the chain except the reproduction summary, for {@code custody
   * reproduce}, which needs the rest of the chain verified in order to write that summary. The
   * result cannot load the model: a chain the policy requires reproduced is only usable once it is.
   *
   * @return the proof, without the model bytes
   * @throws VerificationException as {@link #verify(Path)}, except that the reproduction summary,
   *     which {@code custody reproduce} replaces, is not read
   * @throws IOException if the directory or the policy's lock cannot be read
   */
  public UnreproducedChain verifyForReproduction(Path modelDir)
      throws VerificationException, IOException {
    return new UnreproducedChain(new Run(modelDir, true).verify());
  }

  /** The state of one verification: the bytes read (each once) and the links checked so far. */
  private final class Run {
    private final Path root;
    private final Map<String, byte[]> read = new TreeMap<>();
    private final List<VerifiedChain.Link> links = new ArrayList<>();
    private List<String> attestationEntries;
    private final boolean forReproduction;

    Run(Path modelDir, boolean forReproduction) throws IOException, VerificationException {
      this.forReproduction = forReproduction;
      if (!Files.exists(modelDir)) {
        throw new NoSuchFileException(modelDir.toString());
      }
      if (!Files.isDirectory(modelDir)) {
        throw new VerificationException(
            Reason.MALFORMED, modelDir + ": expected a model directory, found a file");
      }
      this.root = modelDir.toRealPath();
    }

    VerifiedChain verify() throws VerificationException, IOException {

      // 1. The model signature under TRAIN, and the file set equal to the signed set: gives R.
      byte[] signature = required(SIGNATURE_FILE, "the model signature");
      Signed signed = modelSignature(signature);
      Sha256 r = signed.manifest().rootDigest();
      requireAttestationLayout();
      links.add(
          new VerifiedChain.Link(
              "model signature",
              SIGNATURE_FILE,
              r,
              signed.signer(),
              "signed by a train signer; file set = signed set ("
                  + signed.manifest().resources().size()
                  + " files); root digest R"));

      // 2. model.tribuo, read once: its digest is the signed entry's; every class and type it
      // names is on the allow-list (no class loaded); its content digest recomputed from it.
      byte[] modelBytes = signedFile(signed.manifest(), MODEL_FILE);
      Sha256 modelDigest = Sha256.of(modelBytes);
      VerifiedArtifact model = new VerifiedArtifact(modelBytes, modelDigest, signed.signer());
      ModelLoader.requireSafe(model, policy.allowList(), modelLimits());
      Sha256 content = ModelContentDigest.of(modelBytes);
      links.add(
          new VerifiedChain.Link(
              "model",
              MODEL_FILE,
              modelDigest,
              signed.signer(),
              "sha256 = the signed manifest's entry (covered by "
                  + SIGNATURE_FILE
                  + "); every class and type it names is allowed (none loaded); content digest "
                  + content));

      // 3. The card: parses, names those bytes, no rollback.
      byte[] cardBytes = signedFile(signed.manifest(), CARD_FILE);
      ModelCard card = ModelCard.parse(cardBytes);
      requireEqual(
          card.modelFile().sha256(),
          modelDigest,
          CARD_FILE
              + ": modelFile.sha256 "
              + card.modelFile().sha256()
              + " != "
              + MODEL_FILE
              + " bytes "
              + modelDigest);
      requireEqual(
          card.contentDigest(),
          content,
          CARD_FILE
              + ": contentDigest "
              + card.contentDigest()
              + " != the content digest of "
              + MODEL_FILE
              + " "
              + content);
      requireNoRollback(card);
      links.add(
          new VerifiedChain.Link(
              "model card",
              CARD_FILE,
              Sha256.of(cardBytes),
              signed.signer(),
              "covered by "
                  + SIGNATURE_FILE
                  + "; "
                  + card.name()
                  + " v"
                  + card.version()
                  + "; modelFile = "
                  + MODEL_FILE
                  + "; contentDigest = "
                  + MODEL_FILE
                  + "'s; "
                  + versionWords()));

      // 4. The provenance under TRAIN, about R, with the card's content digest.
      byte[] provenanceBytes = attestation(Stage.TRAIN, "the training provenance");
      VerifiedStatement provenance =
          stageStatement(Stage.TRAIN, Stage.TRAIN.path(), provenanceBytes, r);
      Provenance prov = Provenance.read(provenance.statement());
      requireEqual(
          prov.contentDigest(),
          card.contentDigest(),
          "provenance: model-content-digest "
              + prov.contentDigest()
              + " != card contentDigest "
              + card.contentDigest());
      requireAgreement(card, prov);
      links.add(
          new VerifiedChain.Link(
              "training provenance",
              ChainLayout.PROVENANCE,
              Sha256.of(provenanceBytes),
              provenance.signer(),
              "train signer; subject = R; model-content-digest = card; model name, version, spec"
                  + " and metrics = card"));

      // 5. The dataset attestation: the file the provenance names, under INGEST, about D.
      byte[] datasetBytes = attestation(Stage.INGEST, "the dataset attestation");
      Sha256 datasetFileDigest = Sha256.of(datasetBytes);
      requireEqual(
          datasetFileDigest,
          prov.datasetAttestation(),
          ChainLayout.DATASET_ATTESTATION
              + ": file is "
              + datasetFileDigest
              + ", the provenance's dataset-attestation names "
              + prov.datasetAttestation());
      Sha256 d = prov.dataset();
      requireEqual(
          card.dataset(),
          d,
          "dataset digest: card dataset.sha256 " + card.dataset() + " != provenance dataset " + d);
      VerifiedStatement dataset =
          stageStatement(Stage.INGEST, Stage.INGEST.path(), datasetBytes, d);
      DatasetPredicate datasetPredicate = DatasetPredicate.read(dataset.statement());
      requireSameData(datasetPredicate.files(), prov.data());
      requireAgreement(card, prov, datasetPredicate);
      links.add(
          new VerifiedChain.Link(
              "dataset",
              ChainLayout.DATASET_ATTESTATION,
              datasetFileDigest,
              dataset.signer(),
              "ingest signer; = provenance's dataset-attestation; subject D "
                  + d
                  + " = provenance = card; "
                  + prov.data().size()
                  + " data file digest(s) = provenance; spec, model name, version and schema ="
                  + " card"));

      // 6. The dependency rule: classes from a directory cannot be pinned, so any rule refuses
      // them.
      if (policy.dependencyLock().isPresent() || !policy.allowedJarDigests().isEmpty()) {
        if (!prov.directories().isEmpty()) {
          throw new VerificationException(
              Reason.DEPENDENCY_MISMATCH,
              "the training classpath in the provenance holds directories "
                  + prov.directories().keySet()
                  + ", which a dependency rule cannot pin: train from the packaged jars");
        }
      }
      if (policy.dependencyLock().isPresent()) {
        links.add(requireLockedJars(policy.dependencyLock().get(), prov.jars()));
      }
      if (!policy.allowedJarDigests().isEmpty()) {
        links.add(requireAllowedJars(prov.jars()));
      }

      // 7. The gate under EVALUATE, about R, passed, naming this provenance; verified whenever it
      // is present, required or not.
      VerifiedChain.Attestation<GatePredicate> gate = null;
      if (policy.requireGate() || present(Stage.EVALUATE)) {
        byte[] gateBytes =
            attestation(Stage.EVALUATE, "the gate attestation (the policy requires a passed gate)");
        VerifiedStatement gateStatement =
            stageStatement(Stage.EVALUATE, Stage.EVALUATE.path(), gateBytes, r);
        GatePredicate g = GatePredicate.read(gateStatement.statement());
        requirePassed(g);
        requireAgreement(card, content, g);
        Sha256 provenanceFile = Sha256.of(provenanceBytes);
        requireEqual(
            g.provenance(),
            provenanceFile,
            "gate: provenance "
                + g.provenance()
                + " != "
                + ChainLayout.PROVENANCE
                + " bytes "
                + provenanceFile);
        gate = new VerifiedChain.Attestation<>(g, gateStatement.signer(), Sha256.of(gateBytes));
        links.add(
            new VerifiedChain.Link(
                "gate",
                ChainLayout.GATE,
                gate.fileDigest(),
                gate.signer(),
                "evaluate signer; subject = R; passed: "
                    + g.gates().stream()
                        .map(GatePredicate.Gate::describe)
                        .collect(Collectors.joining(", "))
                    + "; provenance = provenance file; name, content digest and test-split"
                    + " metrics = card"
                    + (policy.requireGate() ? "" : "; not required, verified because present")));
      }

      // 8. The reproduction summary, if required or present (never for reproduce, which replaces
      // it).
      VerifiedChain.Attestation<ReproductionSummary> reproduction = null;
      boolean requireReproduction = !forReproduction && policy.requireReproduction();
      if (requireReproduction || (!forReproduction && present(Stage.REPRODUCE))) {
        byte[] bytes =
            attestation(Stage.REPRODUCE, "the reproduction summary (the policy requires one)");
        VerifiedStatement summary =
            stageStatement(Stage.REPRODUCE, Stage.REPRODUCE.path(), bytes, r);
        ReproductionSummary rep = ReproductionSummary.read(summary.statement());
        if (!rep.passed()) {
          throw new VerificationException(
              Reason.NOT_REPRODUCED,
              "reproduction: expected verificationResult "
                  + ReproductionSummary.PASSED
                  + ", found "
                  + shown(rep.result()));
        }
        requireAgreement(card, content, Sha256.of(provenanceBytes), prov, rep);
        reproduction = new VerifiedChain.Attestation<>(rep, summary.signer(), Sha256.of(bytes));
        links.add(
            new VerifiedChain.Link(
                "reproduction",
                ChainLayout.REPRODUCTION,
                reproduction.fileDigest(),
                reproduction.signer(),
                "reproduce signer; subject = R; PASSED; signed and reproduced content digests ="
                    + " "
                    + MODEL_FILE
                    + "'s; spec and provenance = provenance file"
                    + (requireReproduction ? "" : "; not required, verified because present")));
      }

      return new VerifiedChain(
          model,
          content,
          card,
          r,
          signed.signer(),
          new VerifiedChain.Attestation<>(prov, provenance.signer(), Sha256.of(provenanceBytes)),
          new VerifiedChain.Attestation<>(datasetPredicate, dataset.signer(), datasetFileDigest),
          gate,
          reproduction,
          links,
          policy.allowList(),
          modelLimits());
    }

    private ModelLimits modelLimits() {
      return new ModelLimits(chainLimits.maxModelBytes(), maxNestingDepth);
    }

    /** Whether the attestation of {@code stage} is in {@code attestations/}. */
    private boolean present(Stage stage) {
      return attestationEntries.contains(stage.file());
    }

    // ---- step 1 ----

    private record Signed(ModelManifest manifest, String signer) {}

    private Signed modelSignature(byte[] signature) throws VerificationException, IOException {
      // The signature first: its manifest then says which files to hash and what they must be.
      VerifiedStatement vs = stageStatement(Stage.TRAIN, SIGNATURE_FILE, signature, null);
      ModelManifest signed = ModelManifest.fromStatement(vs.statement());
      Sha256 subject = vs.statement().subjects().get(0).sha256();
      if (!subject.matches(signed.rootDigest())) {
        throw new VerificationException(
            Reason.DIGEST_MISMATCH,
            SIGNATURE_FILE
                + ": subject digest "
                + subject
                + " != root digest of the signed resources "
                + signed.rootDigest());
      }
      // The listing first (names and types, nothing opened): an unsigned, missing, linked or
      // special file is refused before any byte is read.
      Listing listing = list();
      List<String> diff = differences(signed, listing);
      if (diff.isEmpty()) {
        diff = signed.differencesFrom(hashModelFiles(signed, listing));
      }
      if (!diff.isEmpty()) {
        throw new VerificationException(
            Reason.MANIFEST_MISMATCH,
            "model " + root + " does not match its signature: " + ModelManifest.describe(diff));
      }
      return new Signed(signed, vs.signer());
    }

    /**
     * Refused entries, then the signed files that are missing and the files that are not signed.
     */
    private List<String> differences(ModelManifest signed, Listing listing) {
      List<String> diff = new ArrayList<>(listing.refused());
      diff.addAll(signed.fileSetDifferences(listing.files()));
      return diff;
    }

    /** Files of the model (regular files), and entries refused because they are not. */
    private record Listing(List<String> files, List<String> refused) {}

    /**
     * Lists the directory without opening a file. Only {@code model.sig} and {@code attestations/}
     * (checked on their own) are left out: a Custody exporter writes nothing else unsigned, so a
     * file under a path the signature ignores (such as {@code .git}) is an extra file here.
     */
    private Listing list() throws IOException {
      Path top = root;
      List<String> files = new ArrayList<>();
      List<String> refused = new ArrayList<>();
      Files.walkFileTree(
          top,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              if (dir.equals(top)) {
                return FileVisitResult.CONTINUE;
              }
              return skipped(relative(top, dir))
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              String rel = relative(top, file);
              if (skipped(rel)) {
                return FileVisitResult.CONTINUE;
              }
              if (attrs.isRegularFile()) {
                files.add(rel);
              } else {
                refused.add(
                    "refused: "
                        + shown(rel)
                        + (attrs.isSymbolicLink()
                            ? " is a symbolic link"
                            : " is not a regular file"));
              }
              return FileVisitResult.CONTINUE;
            }

            private boolean skipped(String rel) {
              return rel.equals(SIGNATURE_FILE) || rel.equals(ATTESTATIONS);
            }
          });
      return new Listing(files, refused);
    }

    /** Reads each signed file once (kept): the listing holds no other file by now. */
    private ModelManifest hashModelFiles(ModelManifest signed, Listing listing)
        throws IOException, VerificationException {
      List<ModelManifest.Resource> resources = new ArrayList<>();
      for (String rel : listing.files()) {
        Path file = root.resolve(rel);
        byte[] bytes =
            rel.equals(MODEL_FILE)
                ? readBytes(file, rel, chainLimits.maxModelBytes(), Reason.MODEL_TOO_LARGE)
                : readBytes(file, rel, chainLimits.maxCardBytes(), Reason.MALFORMED);
        read.put(rel, bytes);
        resources.add(new ModelManifest.Resource(rel, Sha256.of(bytes)));
      }
      return ModelManifest.of(
          signed.modelName(), resources, signed.ignorePaths(), signed.allowSymlinks());
    }

    private byte[] signedFile(ModelManifest signed, String name) throws VerificationException {
      byte[] bytes = read.get(name);
      ModelManifest.Resource entry =
          signed.resources().stream()
              .filter(res -> res.name().equals(name))
              .findFirst()
              .orElse(null);
      if (entry == null || bytes == null) {
        throw new VerificationException(
            Reason.MANIFEST_MISMATCH,
            SIGNATURE_FILE
                + ": expected a signed entry for "
                + name
                + ", found "
                + signed.resources().stream().map(ModelManifest.Resource::name).toList());
      }
      Sha256 found = Sha256.of(bytes);
      requireEqual(entry.digest(), found, name + ": signed " + entry.digest() + ", read " + found);
      return bytes;
    }

    /** {@code attestations/} holds only the four attestation files, each a regular file. */
    private void requireAttestationLayout() throws IOException, VerificationException {
      Path dir = root.resolve(ATTESTATIONS);
      attestationEntries = new ArrayList<>();
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new VerificationException(
            Reason.MALFORMED, ATTESTATIONS + ": expected a directory, found " + kind(dir));
      }
      List<String> unexpected = new ArrayList<>();
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path p : entries) {
          String name = p.getFileName().toString();
          if (!ChainLayout.attestationFiles().contains(name)) {
            unexpected.add(shown(name));
          } else if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new VerificationException(
                Reason.MALFORMED,
                ATTESTATIONS + "/" + name + ": expected a regular file, found " + kind(p));
          } else {
            attestationEntries.add(name);
          }
        }
      }
      if (!unexpected.isEmpty()) {
        unexpected.sort(null);
        throw new VerificationException(
            Reason.MALFORMED,
            ATTESTATIONS
                + "/: unexpected entries, "
                + ModelManifest.describe(unexpected)
                + " (expected only "
                + ChainLayout.attestationFiles()
                + ")");
      }
    }

    // ---- steps 3 to 7 ----

    private void requireNoRollback(ModelCard card) throws VerificationException {
      if (card.version() < policy.minModelVersion()) {
        throw new VerificationException(
            Reason.ROLLBACK,
            "model "
                + shown(card.name())
                + " version "
                + card.version()
                + " < the policy's minVersion "
                + policy.minModelVersion());
      }
      if (versionInService > 0 && card.version() < versionInService) {
        throw new VerificationException(
            Reason.ROLLBACK,
            "model "
                + shown(card.name())
                + " version "
                + card.version()
                + " < the version in service "
                + versionInService);
      }
    }

    private String versionWords() {
      return "version >= minVersion "
          + policy.minModelVersion()
          + (versionInService > 0 ? " and >= in service " + versionInService : "");
    }

    private void requireSameData(
        List<DatasetPredicate.DataFile> attested, List<Provenance.DataEntry> trained)
        throws VerificationException {
      List<String> diff = new ArrayList<>();
      for (int i = 0; i < Math.max(attested.size(), trained.size()); i++) {
        DatasetPredicate.DataFile a = i < attested.size() ? attested.get(i) : null;
        Provenance.DataEntry t = i < trained.size() ? trained.get(i) : null;
        if (a == null) {
          diff.add(
              "provenance "
                  + shown(Provenance.DATA_PREFIX + t.name())
                  + " "
                  + t.digest()
                  + " is not in the dataset attestation");
        } else if (t == null) {
          diff.add(
              "dataset file " + shown(a.source()) + " " + a.sha256() + " is not in the provenance");
        } else if (!a.sha256().matches(t.digest())) {
          diff.add(
              "data file "
                  + (i + 1)
                  + ": dataset attestation "
                  + shown(a.source())
                  + " "
                  + a.sha256()
                  + " != provenance "
                  + shown(Provenance.DATA_PREFIX + t.name())
                  + " "
                  + t.digest());
        }
      }
      if (!diff.isEmpty()) {
        throw new VerificationException(
            Reason.DIGEST_MISMATCH,
            "dataset: the data files differ from the provenance's: " + String.join("; ", diff));
      }
    }

    private VerifiedChain.Link requireLockedJars(Path lockFile, Map<String, Sha256> jars)
        throws IOException, VerificationException {
      byte[] bytes =
          readBytes(
              lockFile, lockFile.toString(), chainLimits.maxAttestationBytes(), Reason.MALFORMED);
      VerifiedStatement vs = stageStatement(Stage.TRAIN, lockFile.toString(), bytes, null);
      ClasspathLock lock = ClasspathLock.fromStatement(vs.statement());
      List<String> diff = lock.differencesFrom(ClasspathLock.ofDigests(jars));
      if (!diff.isEmpty()) {
        throw new VerificationException(
            Reason.DEPENDENCY_MISMATCH,
            "the training classpath in the provenance differs from the dependency lock "
                + lockFile
                + " ("
                + diff.size()
                + " differences): "
                + String.join("; ", diff));
      }
      return new VerifiedChain.Link(
          "dependencies",
          lockFile.toString(),
          Sha256.of(bytes),
          vs.signer(),
          "train signer; provenance's " + jars.size() + " jar(s) = the signed lock");
    }

    private VerifiedChain.Link requireAllowedJars(Map<String, Sha256> jars)
        throws VerificationException {
      List<String> outside = new ArrayList<>();
      jars.forEach(
          (name, digest) -> {
            if (policy.allowedJarDigests().stream().noneMatch(a -> a.matches(digest))) {
              outside.add(name + " (" + digest + ")");
            }
          });
      if (!outside.isEmpty()) {
        throw new VerificationException(
            Reason.DEPENDENCY_MISMATCH,
            "the training classpath in the provenance holds "
                + outside.size()
                + " jar(s) outside the policy's allow-list: "
                + String.join("; ", outside));
      }
      // The link's digest identifies the rule applied: SHA-256 over the allowed digests, sorted.
      String allowList =
          policy.allowedJarDigests().stream()
              .map(Sha256::hex)
              .sorted()
              .collect(Collectors.joining("\n"));
      return new VerifiedChain.Link(
          "dependencies",
          "policy dependencies.allow",
          Sha256.of(allowList.getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
          "the trust policy",
          "provenance's "
              + jars.size()
              + " jar(s) are all in the allow-list of "
              + policy.allowedJarDigests().size());
    }

    // ---- records that restate each other must agree ----

    /**
     * The card and the training provenance: model name, spec (name, digest, and the digest
     * recomputed from the signed spec content), the name and version that content declares, and the
     * metrics.
     */
    private void requireAgreement(ModelCard card, Provenance prov) throws VerificationException {
      Sha256 specContent = Sha256.of(prov.spec().bytes());
      requireEqual(
          prov.spec().digest(),
          specContent,
          "provenance: spec digest "
              + prov.spec().digest()
              + " != the digest of the spec content it records "
              + specContent);
      requireEqual(
          card.spec().sha256(),
          prov.spec().digest(),
          "spec: card spec.sha256 "
              + card.spec().sha256()
              + " != provenance spec digest "
              + prov.spec().digest());
      requireSame("model name", CARD_FILE, card.name(), "provenance subject", prov.modelName());
      requireSame("spec name", CARD_FILE, card.spec().name(), "provenance", prov.spec().name());
      Provenance.Spec.Header header = prov.spec().header();
      requireSame("model name", CARD_FILE, card.name(), "provenance spec content", header.name());
      requireSame(
          "model version",
          CARD_FILE,
          String.valueOf(card.version()),
          "provenance spec content",
          String.valueOf(header.version()));
      JsonNode trained;
      try {
        trained = Json.parse(prov.metricsJson().getBytes(StandardCharsets.UTF_8), "metrics");
      } catch (PipelineException e) {
        throw new VerificationException(
            Reason.MALFORMED, "provenance: metrics byproduct: " + e.getMessage(), e);
      }
      if (!trained.equals(card.metrics())) {
        throw new VerificationException(
            Reason.MODEL_MISMATCH,
            "metrics: "
                + CARD_FILE
                + " and the provenance's metrics byproduct differ: card "
                + shown(card.metrics().toString())
                + ", provenance "
                + shown(trained.toString()));
      }
    }

    /** The card, the provenance and the dataset attestation: spec, model name, version, schema. */
    private void requireAgreement(ModelCard card, Provenance prov, DatasetPredicate dataset)
        throws VerificationException {
      requireEqual(
          dataset.specDigest(),
          prov.spec().digest(),
          "dataset: spec digest "
              + dataset.specDigest()
              + " != provenance spec digest "
              + prov.spec().digest());
      requireSame("model name", CARD_FILE, card.name(), "dataset spec", dataset.specName());
      requireSame(
          "model version",
          CARD_FILE,
          String.valueOf(card.version()),
          "dataset spec",
          String.valueOf(dataset.specVersion()));
      if (!dataset.schema().equals(card.schema())) {
        throw new VerificationException(
            Reason.MODEL_MISMATCH,
            "schema: "
                + CARD_FILE
                + " schema differs from the schema the dataset attestation checked the rows"
                + " against");
      }
    }

    /**
     * The gate and the card: model name, content digest (recomputed from the model bytes), every
     * entry's verdict against its own numbers, no entry that cannot fail, and the test-split
     * observations equal to the card's metrics wherever both state one.
     */
    private void requireAgreement(ModelCard card, Sha256 content, GatePredicate g)
        throws VerificationException {
      requireSame("model name", CARD_FILE, card.name(), "gate subject", g.modelName());
      requireEqual(
          g.contentDigest(),
          content,
          "gate: contentDigest " + g.contentDigest() + " != " + MODEL_FILE + "'s " + content);
      for (GatePredicate.Gate x : g.gates()) {
        if (x.passed() != x.holds()) {
          throw new VerificationException(
              Reason.GATE_NOT_PASSED,
              "gate "
                  + shown(x.name())
                  + ": records passed "
                  + x.passed()
                  + ", but "
                  + shown(x.describe())
                  + (x.holds() ? " holds" : " does not hold"));
        }
        if (x.vacuous()) {
          throw new VerificationException(
              Reason.GATE_NOT_PASSED,
              "gate "
                  + shown(x.name())
                  + ": cannot fail ("
                  + shown(x.describe())
                  + " on "
                  + x.sampleSize()
                  + " rows): expected a threshold some value of the metric misses, measured on"
                  + " at least one row");
        }
      }
      JsonNode metrics = card.metrics();
      for (GatePredicate.Gate x : g.gates()) {
        if (!x.dataset().name().equals(TEST_SPLIT)) {
          continue;
        }
        JsonNode rows = metrics.get("rows");
        if (rows != null && rows.isIntegralNumber() && rows.asLong() != x.sampleSize()) {
          throw new VerificationException(
              Reason.MODEL_MISMATCH,
              "gate "
                  + shown(x.name())
                  + ": sampleSize "
                  + x.sampleSize()
                  + " != the card's test-split rows "
                  + rows.asLong());
        }
        Double stated = cardMetric(metrics, x.metric());
        if (stated != null && Double.compare(stated, x.observed()) != 0) {
          throw new VerificationException(
              Reason.MODEL_MISMATCH,
              "gate "
                  + shown(x.name())
                  + ": observed "
                  + x.observed()
                  + " != the card's "
                  + shown(x.metric())
                  + " "
                  + stated);
        }
      }
    }

    /**
     * The reproduction summary: model name, spec, provenance file, and both content digests equal
     * to the one recomputed from the model bytes.
     */
    private void requireAgreement(
        ModelCard card,
        Sha256 content,
        Sha256 provenanceFile,
        Provenance prov,
        ReproductionSummary rep)
        throws VerificationException {
      requireSame("model name", CARD_FILE, card.name(), "reproduction subject", rep.modelName());
      requireEqual(
          rep.specDigest(),
          prov.spec().digest(),
          "reproduction: policy digest "
              + rep.specDigest()
              + " != provenance spec digest "
              + prov.spec().digest());
      requireEqual(
          rep.provenanceDigest(),
          provenanceFile,
          "reproduction: input attestation "
              + rep.provenanceDigest()
              + " != "
              + ChainLayout.PROVENANCE
              + " bytes "
              + provenanceFile);
      if (!rep.contentDigest().matches(content)) {
        throw new VerificationException(
            Reason.NOT_REPRODUCED,
            "reproduction: signed content digest "
                + rep.contentDigest()
                + " != "
                + MODEL_FILE
                + "'s content digest "
                + content);
      }
      if (!rep.reproducedContentDigest().matches(content)) {
        throw new VerificationException(
            Reason.NOT_REPRODUCED,
            "reproduction: reproduced content digest "
                + rep.reproducedContentDigest()
                + " != "
                + MODEL_FILE
                + "'s content digest "
                + content);
      }
    }

    private void requirePassed(GatePredicate g) throws VerificationException {
      if (!g.passed()) {
        throw new VerificationException(
            Reason.GATE_NOT_PASSED, "gate: expected passed true, found false");
      }
      if (g.gates().isEmpty()) {
        throw new VerificationException(
            Reason.GATE_NOT_PASSED, "gate: expected at least one gate, found none");
      }
      List<String> failed =
          g.gates().stream().filter(x -> !x.passed()).map(GatePredicate.Gate::describe).toList();
      if (!failed.isEmpty()) {
        throw new VerificationException(
            Reason.GATE_NOT_PASSED, "gate: expected every gate passed, failed: " + failed);
      }
    }

    // ---- reading ----

    private byte[] required(String name, String what) throws IOException, VerificationException {
      Path file = root.resolve(name);
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new VerificationException(
            Reason.CHAIN_INCOMPLETE, root + ": no " + name + " (" + what + ")");
      }
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new VerificationException(
            Reason.MALFORMED, name + ": expected a regular file, found " + kind(file));
      }
      return readBytes(file, name, chainLimits.maxSignatureBytes(), Reason.MALFORMED);
    }

    /**
     * Verifies the bundle {@code file} (relative to the model directory) under {@code stage}; a
     * failure names the file and the stage, which the bundle verifiers cannot know.
     */
    private VerifiedStatement stageStatement(Stage stage, String file, byte[] bytes, Sha256 subject)
        throws VerificationException {
      try {
        return subject == null
            ? policy.verifyStatement(stage, bytes)
            : policy.verifyStatement(stage, bytes, subject);
      } catch (VerificationException e) {
        String message = e.getMessage();
        String detail = message.startsWith("bundle: ") ? message.substring(8) : message;
        throw new VerificationException(
            e.reason(),
            root.resolve(file)
                + " ("
                + stage.name().toLowerCase(Locale.ROOT)
                + " stage): "
                + detail,
            e);
      }
    }

    private byte[] attestation(Stage stage, String what) throws IOException, VerificationException {
      String name = stage.file();
      String rel = stage.path();
      byte[] cached = read.get(rel);
      if (cached != null) {
        return cached;
      }
      if (!attestationEntries.contains(name)) {
        throw new VerificationException(
            Reason.CHAIN_INCOMPLETE, root + ": no " + rel + " (" + what + ")");
      }
      byte[] bytes =
          readBytes(root.resolve(rel), rel, chainLimits.maxAttestationBytes(), Reason.MALFORMED);
      read.put(rel, bytes);
      return bytes;
    }
  }

  /** Reads at most {@code limit} bytes of a regular file (never through a symbolic link). */
  static byte[] readBytes(Path file, String name, long limit, Reason tooLarge)
      throws IOException, VerificationException {
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] bytes = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
      if (bytes.length > limit) {
        throw new VerificationException(
            tooLarge, name + ": expected at most " + limit + " bytes, found more");
      }
      return bytes;
    }
  }

  /** Two signed records state one fact differently: {@link Reason#MODEL_MISMATCH}. */
  private static void requireSame(
      String fact, String oneRecord, String one, String otherRecord, String other)
      throws VerificationException {
    if (!one.equals(other)) {
      throw new VerificationException(
          Reason.MODEL_MISMATCH,
          fact
              + ": "
              + oneRecord
              + " says "
              + shown(one)
              + ", "
              + otherRecord
              + " says "
              + shown(other));
    }
  }

  /**
   * A metric as the card's test-split metrics state it, by the gate's metric name ({@code
   * accuracy}, {@code auc}, {@code macroF1}, {@code precision:L}, {@code recall:L}, {@code f1:L});
   * null when the card does not state it. {@code NaN} for a metric stated as undefined (null).
   */
  static Double cardMetric(JsonNode metrics, String name) {
    int colon = name.indexOf(':');
    if (colon < 0) {
      return switch (name) {
        case "accuracy" -> number(metrics.get("accuracy"));
        case "auc" -> number(metrics.get("rocAuc"));
        case "macroF1" -> macroF1(metrics.get("classes"));
        default -> null;
      };
    }
    String kind = name.substring(0, colon);
    if (!List.of("precision", "recall", "f1").contains(kind)) {
      return null;
    }
    JsonNode classes = metrics.get("classes");
    if (classes == null || !classes.isArray()) {
      return null;
    }
    for (JsonNode c : classes) {
      JsonNode label = c.get("label");
      if (label != null && label.isTextual() && label.asText().equals(name.substring(colon + 1))) {
        return number(c.get(kind));
      }
    }
    return null;
  }

  /** The mean of the classes' F1, in their order, as the trainer computes macro F1. */
  private static Double macroF1(JsonNode classes) {
    if (classes == null || !classes.isArray() || classes.isEmpty()) {
      return null;
    }
    double[] f1 = new double[classes.size()];
    for (int i = 0; i < f1.length; i++) {
      Double v = number(classes.get(i).get("f1"));
      if (v == null) {
        return null;
      }
      f1[i] = v;
    }
    return java.util.Arrays.stream(f1).average().orElse(Double.NaN);
  }

  private static Double number(JsonNode n) {
    if (n == null) {
      return null;
    }
    if (n.isNull()) {
      return Double.NaN;
    }
    return n.isNumber() ? n.asDouble() : null;
  }

  private static void requireEqual(Sha256 expected, Sha256 found, String message)
      throws VerificationException {
    if (!expected.matches(found)) {
      throw new VerificationException(Reason.DIGEST_MISMATCH, message);
    }
  }

  private static String kind(Path p) {
    if (Files.isSymbolicLink(p)) {
      return "a symbolic link";
    }
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      return "a directory";
    }
    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      return "a regular file";
    }
    return "a special file";
  }

  /** Values come from untrusted files: one printable line, bounded. */
  private static String shown(String s) {
    return Printable.of(s, MAX_SHOWN);
  }

  private static String relative(Path top, Path p) {
    List<String> parts = new ArrayList<>();
    top.relativize(p).forEach(x -> parts.add(x.toString()));
    return String.join("/", parts);
  }
}
