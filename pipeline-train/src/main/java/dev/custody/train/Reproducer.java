package dev.custody.train;

import dev.custody.core.AtomicFiles;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.ModelCard;
import dev.custody.core.chain.Provenance;
import dev.custody.core.chain.ReproductionSummary;
import dev.custody.core.chain.Stage;
import dev.custody.train.evaluate.GateEvaluator;
import dev.custody.train.export.TrainingClasspath;
import dev.custody.train.screen.DatasetSummary;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.ModelContentDigest;
import dev.custody.verify.TrustPolicy;
import dev.custody.verify.UnreproducedChain;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Pipeline#reproduce}: verifies a model's chain, re-runs the spec recorded in its verified
 * provenance and signs a verification summary when the re-run gives the same model content digest.
 */
final class Reproducer {
  /** Trains a fresh model from ingested rows, as {@link Pipeline} does. */
  @FunctionalInterface
  interface Training {
    Pipeline.Trained train(PipelineSpec spec, IngestResult r) throws PipelineException;
  }

  private final Ingest ingest;
  private final Clock clock;
  private final Progress progress;
  private final Training training;

  Reproducer(Ingest ingest, Clock clock, Progress progress, Training training) {
    this.ingest = ingest;
    this.clock = clock;
    this.progress = progress;
    this.training = training;
  }

  /** As {@link Pipeline#reproduce(Path, Path, TrustPolicy, StageSigners)}. */
  Reproduction reproduce(
      Path modelDir, Path specDirectory, TrustPolicy policy, StageSigners signers)
      throws PipelineException, IOException {
    Progress.Timer verify = Progress.start(progress, "verify");
    // The whole chain except the summary this writes: signature, card, provenance, dataset, gate.
    UnreproducedChain chain = ChainVerifier.builder(policy).build().verifyForReproduction(modelDir);
    Sha256 root = chain.rootDigest();
    ModelCard card = chain.card();
    Provenance build = chain.provenance().predicate();
    Sha256 provenanceDigest = chain.provenance().fileDigest();
    verify.done(
        "model " + card.name() + " v" + card.version() + " " + root + ": whole chain verified");

    Provenance.Spec signedSpec = build.spec();
    Sha256 contentHash = Sha256.of(signedSpec.bytes());
    if (!contentHash.matches(signedSpec.digest())
        || !signedSpec.digest().matches(card.spec().sha256())) {
      throw mismatch(
          "spec differs: the provenance's spec content hashes to "
              + contentHash
              + ", its recorded digest is "
              + signedSpec.digest()
              + " and the card's "
              + card.spec().sha256());
    }
    PipelineSpec spec =
        PipelineSpec.parse(
            signedSpec.bytes(), specDirectory.toAbsolutePath().normalize(), signedSpec.name());
    IngestResult r;
    try {
      r = ingest.run(spec, progress);
    } catch (PipelineException e) {
      if (e.reason() == Reason.DIGEST_MISMATCH) {
        throw new PipelineException(
            Reason.REPRODUCTION_MISMATCH, "data differs: " + e.getMessage(), e);
      }
      throw e;
    }
    List<String> dataDiff = new ArrayList<>();
    Map<String, Sha256> signedFiles = new LinkedHashMap<>();
    build.data().forEach(d -> signedFiles.put(d.name(), d.digest()));
    for (DatasetSummary.DataFile f : r.summary().files()) {
      String name = GateEvaluator.fileName(f.source());
      Sha256 signed = signedFiles.remove(name);
      if (signed == null) {
        dataDiff.add(Provenance.DATA_PREFIX + name + " is not in the provenance");
      } else if (!signed.matches(f.sha256())) {
        dataDiff.add(Provenance.DATA_PREFIX + name + " signed " + signed + ", found " + f.sha256());
      }
    }
    signedFiles
        .keySet()
        .forEach(
            n ->
                dataDiff.add(
                    Provenance.DATA_PREFIX + n + " is in the provenance but not in the spec"));
    if (!r.summary().keptRoot().matches(build.dataset())) {
      dataDiff.add("dataset D signed " + build.dataset() + ", re-run " + r.summary().keptRoot());
    }
    if (!dataDiff.isEmpty()) {
      throw mismatch("data differs: " + String.join("; ", dataDiff));
    }
    Progress.Timer cp = Progress.start(progress, "classpath");
    TrainingClasspath classpath = TrainingClasspath.ofRunningJvm();
    List<String> depDiff =
        new TrainingClasspath(build.jars(), build.directories()).differencesFrom(classpath);
    cp.done(
        classpath.jars().size()
            + " jars, "
            + classpath.directories().size()
            + " directories; "
            + (depDiff.isEmpty()
                ? "same as signed"
                : depDiff.size() + " differences from the signed set"));
    Pipeline.Trained t = training.train(spec, r);
    Sha256 reproduced = ModelContentDigest.of(t.bytes());
    // Compared with the digest of the verified model bytes, never with what a record claims.
    Sha256 signedContent = chain.contentDigest();
    if (!reproduced.matches(signedContent)) {
      throw mismatch(
          "model differs: signed content "
              + signedContent
              + ", re-run "
              + reproduced
              + "; "
              + (depDiff.isEmpty()
                  ? "spec, data and dependencies are the same, so the model itself differs (it was not"
                      + " trained from this spec and data, or training is not reproducible)"
                  : "dependencies differ (" + depDiff.size() + "): " + String.join("; ", depDiff)));
    }
    Progress.Timer sign = Progress.start(progress, "sign");
    ReproductionSummary vsa =
        new ReproductionSummary(
            card.name(),
            root,
            clock.instant(),
            signedSpec.digest(),
            provenanceDigest,
            ReproductionSummary.PASSED,
            signedContent,
            reproduced);
    Path summary = modelDir.resolve(ChainLayout.REPRODUCTION);
    AtomicFiles.write(summary, signers.forStage(Stage.REPRODUCE).signStatement(vsa.statement()));
    sign.done("verification summary " + ChainLayout.REPRODUCTION);
    return new Reproduction(
        modelDir,
        card.name(),
        root,
        signedContent,
        reproduced,
        r.summary().keptRoot(),
        summary,
        depDiff);
  }

  private static PipelineException mismatch(String message) {
    return new PipelineException(Reason.REPRODUCTION_MISMATCH, message);
  }
}
