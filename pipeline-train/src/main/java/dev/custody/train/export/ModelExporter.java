package dev.custody.train.export;

import dev.custody.core.BundleSigner;
import dev.custody.core.ModelManifest;
import dev.custody.core.ModelSigning;
import dev.custody.core.PipelineException;
import dev.custody.core.Sha256;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.GatePredicate;
import dev.custody.core.chain.ModelCard;
import dev.custody.core.chain.Provenance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Exports a trained model as a signed model directory in the layout of {@code
 * docs/chain-format.md}: {@code model.tribuo} and {@code model-card.json}, the model signature over
 * them ({@code model.sig}, TRAIN), and {@code attestations/} with the dataset attestation as given,
 * the training provenance (TRAIN) and, when gates ran, the gate attestation (EVALUATE). The
 * directory is written atomically ({@link ModelDirectory}); an existing one is never replaced.
 *
 * <pre>{@code
 * ModelExporter exporter = ModelExporter.create(trainSigner, () -> evaluateSigner, Clock.systemUTC(), "0.1.0");
 * ModelExporter.Exported e = exporter.export(dir, card, modelBytes, datasetAttestation, build, gates, null);
 * }</pre>
 */
public final class ModelExporter {
  private final BundleSigner train;
  private final Supplier<BundleSigner> evaluate;
  private final Clock clock;
  private final String builderVersion;

  private ModelExporter(
      BundleSigner train, Supplier<BundleSigner> evaluate, Clock clock, String builderVersion) {
    this.train = Objects.requireNonNull(train, "train");
    this.evaluate = Objects.requireNonNull(evaluate, "evaluate");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.builderVersion = Objects.requireNonNull(builderVersion, "builderVersion");
  }

  /**
   * An exporter.
   *
   * @param train signs the model signature and the provenance
   * @param evaluate gives the signer of the gate attestation; asked only when gates ran
   * @param clock gives the provenance's {@code finishedOn}
   * @param builderVersion the Custody version named in the provenance's builder id
   */
  public static ModelExporter create(
      BundleSigner train, Supplier<BundleSigner> evaluate, Clock clock, String builderVersion) {
    return new ModelExporter(train, evaluate, clock, builderVersion);
  }

  /**
   * What the provenance records about the training beyond the card.
   *
   * @param spec the pipeline spec: file name, digest, content
   * @param seed the split's seed
   * @param data the data files, in dataset order
   * @param classpath the training classpath
   * @param startedOn when the run started
   * @param metricsJson the test-split metrics JSON
   */
  public record Build(
      Provenance.Spec spec,
      long seed,
      List<Provenance.DataEntry> data,
      TrainingClasspath classpath,
      Instant startedOn,
      String metricsJson) {
    /** Validates the build. */
    public Build {
      Objects.requireNonNull(spec, "spec");
      data = List.copyOf(data);
      Objects.requireNonNull(classpath, "classpath");
      Objects.requireNonNull(startedOn, "startedOn");
      Objects.requireNonNull(metricsJson, "metricsJson");
    }
  }

  /**
   * The exported directory.
   *
   * @param directory where it was published
   * @param rootDigest the model root digest R
   */
  public record Exported(Path directory, Sha256 rootDigest) {}

  /**
   * Writes and publishes the signed model directory {@code modelDir}.
   *
   * @param card the model card; its {@code modelFile} digest must be that of {@code modelBytes}
   * @param modelBytes the model, Tribuo protobuf bytes
   * @param datasetAttestation the dataset attestation bundle, copied as it is
   * @param build what the provenance records
   * @param gates the gates that ran (all passed); none means no gate attestation, never an empty
   *     one
   * @param crossValidation the fold metrics for the gate attestation, or null
   * @throws PipelineException if the model directory cannot be signed (as {@link
   *     ModelSigning#sign})
   * @throws java.nio.file.FileAlreadyExistsException if {@code modelDir} exists
   * @throws IOException if a file cannot be written
   */
  public Exported export(
      Path modelDir,
      ModelCard card,
      byte[] modelBytes,
      byte[] datasetAttestation,
      Build build,
      List<GatePredicate.Gate> gates,
      GatePredicate.CrossValidation crossValidation)
      throws PipelineException, IOException {
    Sha256 given = Sha256.of(modelBytes);
    if (!card.modelFile().sha256().matches(given)) {
      throw new IllegalArgumentException(
          "the card names model bytes " + card.modelFile().sha256() + ", given " + given);
    }
    try (ModelDirectory md = ModelDirectory.stage(modelDir)) {
      Path dir = md.dir();
      Files.write(dir.resolve(ChainLayout.MODEL_FILE), modelBytes);
      Files.write(dir.resolve(ChainLayout.CARD_FILE), card.toJson());
      ModelManifest manifest =
          ModelSigning.sign(
              dir,
              dir.resolve(ChainLayout.SIGNATURE_FILE),
              train,
              List.of(ChainLayout.ATTESTATIONS));
      Sha256 root = manifest.rootDigest();
      Files.createDirectory(dir.resolve(ChainLayout.ATTESTATIONS));
      Files.write(dir.resolve(ChainLayout.DATASET_ATTESTATION), datasetAttestation);
      Provenance provenance =
          new Provenance(
              card.name(),
              root,
              build.spec(),
              build.seed(),
              String.valueOf(Runtime.version().feature()),
              org.tribuo.Tribuo.VERSION,
              Sha256.of(datasetAttestation),
              card.dataset(),
              build.data(),
              build.classpath().jars(),
              build.classpath().directories(),
              builderVersion,
              UUID.randomUUID().toString(),
              build.startedOn(),
              clock.instant(),
              card.contentDigest(),
              build.metricsJson());
      byte[] provenanceBundle = train.signStatement(provenance.statement());
      Files.write(dir.resolve(ChainLayout.PROVENANCE), provenanceBundle);
      // No gate ran, no gate attestation: a vacuous "passed" would satisfy a policy that requires
      // a gate. A policy with gatePassed: true then refuses the model as CHAIN_INCOMPLETE.
      if (!gates.isEmpty()) {
        GatePredicate gate =
            GatePredicate.of(
                card.name(),
                root,
                Sha256.of(provenanceBundle),
                card.contentDigest(),
                gates,
                crossValidation);
        Files.write(dir.resolve(ChainLayout.GATE), evaluate.get().signStatement(gate.statement()));
      }
      md.publish();
      return new Exported(md.target(), root);
    }
  }
}
