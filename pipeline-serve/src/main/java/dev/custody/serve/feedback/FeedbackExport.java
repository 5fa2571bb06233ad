package dev.custody.serve.feedback;

import dev.custody.core.AtomicFiles;
import dev.custody.core.BundleSigner;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.chain.FeedbackExportAttestation;
import dev.custody.core.chain.FeedbackExportPredicate;
import dev.custody.core.feedback.FeedbackJson;
import dev.custody.core.feedback.FeedbackRecord;
import dev.custody.core.feedback.FeedbackStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes a feedback store out as a dataset the train stage can take in: {@value
 * FeedbackExportPredicate#SUBJECT} (the records' canonical lines, chain by chain in sequence order:
 * the very bytes the store hashed, so anyone can check the chains again) and {@value
 * FeedbackExportAttestation#BUNDLE_FILE}, a signed in-toto statement about that file whose
 * predicate counts the records per status, per client and per model digest.
 *
 * <p>The store is read whole and verified first; a broken chain exports nothing. Both files are
 * written atomically, the dataset (mode 0600: it holds what users sent) only after its attestation
 * has been signed, and neither replaces an earlier export.
 */
public final class FeedbackExport {

  /**
   * What an export wrote.
   *
   * @param file the dataset file
   * @param attestation its signed attestation
   * @param fileDigest the SHA-256 of the dataset file (the statement's subject)
   * @param predicate what the attestation says
   */
  public record Result(
      Path file, Path attestation, Sha256 fileDigest, FeedbackExportPredicate predicate) {
    /** Validates the result. */
    public Result {
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(attestation, "attestation");
      Objects.requireNonNull(fileDigest, "fileDigest");
      Objects.requireNonNull(predicate, "predicate");
    }
  }

  private FeedbackExport() {}

  /**
   * Exports {@code store} to {@code dir} (created if missing).
   *
   * @param model export only the records of this model, if present
   * @param signer signs the attestation
   * @param clock the export time recorded in the attestation
   * @throws PipelineException {@code FEEDBACK_STORE_INVALID} when a chain does not verify (nothing
   *     is written); as {@link FeedbackStore#readAll}
   * @throws FileAlreadyExistsException when {@code dir} already holds an export
   * @throws IOException when a file cannot be written
   */
  public static Result export(
      FeedbackStore store, Optional<String> model, BundleSigner signer, Path dir, Clock clock)
      throws PipelineException, IOException {
    Path file = dir.resolve(FeedbackExportPredicate.SUBJECT);
    Path bundle = dir.resolve(FeedbackExportAttestation.BUNDLE_FILE);
    for (Path p : List.of(file, bundle)) {
      if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(p.toString(), null, "refusing to overwrite an export");
      }
    }
    List<FeedbackRecord> all = store.readAll();
    Map<String, FeedbackRecord> heads = new LinkedHashMap<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Map<FeedbackStatus, Long> statuses = new EnumMap<>(FeedbackStatus.class);
    Map<String, FeedbackExportPredicate.ClientCounts> clients = new HashMap<>();
    Map<Sha256, Long> models = new HashMap<>();
    for (FeedbackRecord r : all) {
      heads.put(r.chain(), r);
      if (model.isPresent() && !model.get().equals(r.entry().model())) {
        continue;
      }
      byte[] line = FeedbackJson.line(r.sequence(), r.chain(), r.entry(), r.previous());
      Sha256 hash = Sha256.of(line);
      if (!hash.matches(r.hash())) {
        // The store verified its chain, so this is a store whose records do not round-trip.
        throw new PipelineException(
            Reason.FEEDBACK_STORE_INVALID,
            "feedback store "
                + store.describe()
                + ": chain '"
                + r.chain()
                + "' sequence "
                + r.sequence()
                + ": expected its hash "
                + r.hash().hex()
                + " to be that of its canonical line, found "
                + hash.hex());
      }
      out.write(line);
      out.write('\n');
      var e = r.entry();
      statuses.merge(e.status(), 1L, Long::sum);
      boolean accepted = e.status() == FeedbackStatus.ACCEPTED;
      clients.merge(
          e.client(),
          new FeedbackExportPredicate.ClientCounts(accepted ? 1 : 0, accepted ? 0 : 1),
          (a, b) ->
              new FeedbackExportPredicate.ClientCounts(
                  a.accepted() + b.accepted(), a.quarantined() + b.quarantined()));
      models.merge(e.modelDigest(), 1L, Long::sum);
    }
    List<FeedbackExportPredicate.Head> headList = new ArrayList<>();
    heads
        .values()
        .forEach(
            r -> headList.add(new FeedbackExportPredicate.Head(r.chain(), r.sequence(), r.hash())));
    byte[] content = out.toByteArray();
    long records = statuses.values().stream().mapToLong(Long::longValue).sum();
    FeedbackExportPredicate predicate =
        new FeedbackExportPredicate(
            store.describe(),
            model,
            headList,
            records,
            statuses,
            clients,
            models,
            clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    Sha256 digest = Sha256.of(content);
    byte[] signed = signer.signStatement(predicate.statement(digest));
    Files.createDirectories(dir);
    // Owner-only, like the journal: the records hold what users sent.
    AtomicFiles.writeOwnerOnly(file, content);
    try {
      AtomicFiles.write(bundle, signed);
    } catch (IOException e) {
      Files.deleteIfExists(file); // a dataset without its attestation is not an export
      throw e;
    }
    return new Result(file, bundle, digest, predicate);
  }
}
