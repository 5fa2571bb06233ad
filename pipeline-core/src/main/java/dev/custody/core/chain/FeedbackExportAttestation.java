package dev.custody.core.chain;

import dev.custody.core.InputFiles;
import dev.custody.core.KeyBundleVerifier;
import dev.custody.core.PipelineException;
import dev.custody.core.Printable;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import dev.custody.core.VerifiedStatement;
import dev.custody.core.feedback.FeedbackChainCheck;
import dev.custody.core.feedback.FeedbackJson;
import dev.custody.core.feedback.FeedbackRecord;
import dev.custody.core.feedback.FeedbackStatus;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A verified feedback export: the signed predicate and the records of the exported file, read from
 * the same bytes whose digest the signature covers. What the train stage takes in when a spec names
 * a feedback dataset.
 *
 * <p>{@link #verify} checks, in order: the bundle's signature with a trusted key; its statement's
 * type and subject ({@value FeedbackExportPredicate#SUBJECT}); that the file's SHA-256 is the
 * subject's digest; each line with the strict record reader; the links of each chain (a whole chain
 * from sequence 1 up to the attested head for an export of the whole store, increasing sequences
 * within a chain for an export limited to one model); and that the records per status, per client
 * and per model digest are the attested counts.
 *
 * @param fileDigest the SHA-256 of the exported file (the subject's digest)
 * @param signer who signed the attestation ({@code key <hint>})
 * @param predicate the attested counts and heads
 * @param records the file's records, in file order
 */
public record FeedbackExportAttestation(
    Sha256 fileDigest,
    String signer,
    FeedbackExportPredicate predicate,
    List<FeedbackRecord> records) {

  /** The attestation's file name, beside {@value FeedbackExportPredicate#SUBJECT}. */
  public static final String BUNDLE_FILE =
      FeedbackExportPredicate.SUBJECT + ".attestation.sigstore.json";

  /** Largest attestation bundle read: it holds counts per client and per model, not records. */
  public static final long MAX_BUNDLE_BYTES = ChainLimits.DEFAULT_MAX_EVIDENCE_BYTES;

  private static final String WHERE = "feedback attestation";

  /** Validates the value. */
  public FeedbackExportAttestation {
    Objects.requireNonNull(fileDigest, "fileDigest");
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(predicate, "predicate");
    records = List.copyOf(records);
  }

  /**
   * Verifies an exported feedback file against its attestation bundle with {@code verifier}'s
   * trusted keys, and reads it.
   *
   * @param file the exported {@value FeedbackExportPredicate#SUBJECT}
   * @param bundle its attestation ({@value #BUNDLE_FILE})
   * @throws VerificationException as {@link KeyBundleVerifier#verifyStatement} for the signature;
   *     as {@link FeedbackExportPredicate#read} for the predicate; {@link Reason#DIGEST_MISMATCH}
   *     when the file is not the one that was signed; {@link Reason#MALFORMED} naming the line for
   *     a line that is not a record, a broken chain, or counts that differ from the attested ones
   * @throws PipelineException {@link Reason#MALFORMED} when the bundle is not a regular file or is
   *     larger than {@link #MAX_BUNDLE_BYTES}
   * @throws IOException if a file cannot be read
   */
  public static FeedbackExportAttestation verify(Path file, Path bundle, KeyBundleVerifier verifier)
      throws PipelineException, IOException {
    byte[] bundleBytes =
        InputFiles.read(
            bundle,
            "a feedback attestation bundle",
            MAX_BUNDLE_BYTES,
            Reason.MALFORMED,
            InputFiles.Links.FOLLOW);
    return read(verifier.verifyStatement(bundleBytes), file);
  }

  /**
   * Reads an exported feedback file against an attestation whose signature was already verified (by
   * a trust policy's stage signers, say): the checks of {@link #verify} after the signature.
   */
  public static FeedbackExportAttestation read(VerifiedStatement verified, Path file)
      throws PipelineException, IOException {
    Statement st = verified.statement();
    FeedbackExportPredicate p = FeedbackExportPredicate.read(st);
    Sha256 signed = st.subjects().get(0).sha256();
    InputFiles.requireRegular(
        file, "an exported feedback file", Reason.MALFORMED, InputFiles.Links.FOLLOW);
    MessageDigest md = org.apache.commons.codec.digest.DigestUtils.getSha256Digest();
    List<FeedbackRecord> records = new ArrayList<>();
    String problem;
    try (InputStream in =
        new DigestInputStream(new BufferedInputStream(Files.newInputStream(file)), md)) {
      problem = readLines(in, records);
      in.transferTo(java.io.OutputStream.nullOutputStream()); // the digest covers every byte
    }
    Sha256 actual = Sha256.ofRaw(md.digest());
    if (!actual.matches(signed)) {
      throw new VerificationException(
          Reason.DIGEST_MISMATCH,
          "digest mismatch: feedback attestation "
              + signed
              + " != "
              + InputFiles.shown(file)
              + " "
              + actual);
    }
    if (problem != null) {
      throw new VerificationException(Reason.MALFORMED, InputFiles.shown(file) + ": " + problem);
    }
    checkChains(p, records, file);
    checkCounts(p, records, file);
    return new FeedbackExportAttestation(actual, verified.signer(), p, records);
  }

  /** Reads lines into {@code out}; returns the first problem, or null. */
  private static String readLines(InputStream in, List<FeedbackRecord> out) throws IOException {
    long lineNo = 0;
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b != '\n') {
        if (line.size() >= FeedbackJson.MAX_LINE_BYTES) {
          return "line " + (lineNo + 1) + ": longer than " + FeedbackJson.MAX_LINE_BYTES + " bytes";
        }
        line.write(b);
        continue;
      }
      lineNo++;
      try {
        out.add(FeedbackJson.parse(line.toByteArray(), "line " + lineNo));
      } catch (PipelineException e) {
        return Printable.line(e.getMessage(), 1_000);
      }
      line.reset();
    }
    if (line.size() > 0) {
      return "line " + (lineNo + 1) + ": expected a line ending in a newline, found none";
    }
    return null;
  }

  private static void checkChains(
      FeedbackExportPredicate p, List<FeedbackRecord> records, Path file)
      throws VerificationException {
    Map<String, FeedbackExportPredicate.Head> heads = new HashMap<>();
    p.heads().forEach(h -> heads.put(h.chain(), h));
    FeedbackChainCheck check = new FeedbackChainCheck();
    Map<String, Long> lastSeq = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      FeedbackRecord r = records.get(i);
      String at = InputFiles.shown(file) + ": line " + (i + 1) + ": ";
      FeedbackExportPredicate.Head head = heads.get(r.chain());
      if (head == null || r.sequence() > head.sequence()) {
        throw new VerificationException(
            Reason.MALFORMED,
            at
                + "expected a record at or before an attested head "
                + p.heads()
                + ", found chain '"
                + Printable.of(r.chain(), 80)
                + "' sequence "
                + r.sequence());
      }
      if (p.model().isEmpty()) {
        var broken = check.next(r);
        if (broken.isPresent()) {
          throw new VerificationException(Reason.MALFORMED, at + broken.get());
        }
      } else {
        long before = lastSeq.getOrDefault(r.chain(), 0L);
        if (r.sequence() <= before) {
          throw new VerificationException(
              Reason.MALFORMED,
              at + "expected a sequence after " + before + ", found " + r.sequence());
        }
        lastSeq.put(r.chain(), r.sequence());
      }
    }
    if (p.model().isEmpty()) {
      Map<String, FeedbackRecord> read = new HashMap<>();
      check.heads().forEach(r -> read.put(r.chain(), r));
      for (FeedbackExportPredicate.Head h : p.heads()) {
        FeedbackRecord last = read.get(h.chain());
        if (last == null || last.sequence() != h.sequence() || !last.hash().matches(h.hash())) {
          throw new VerificationException(
              Reason.MALFORMED,
              InputFiles.shown(file)
                  + ": expected chain '"
                  + Printable.of(h.chain(), 80)
                  + "' to end at the attested head, sequence "
                  + h.sequence()
                  + " "
                  + h.hash().hex()
                  + ", found "
                  + (last == null
                      ? "no record of it"
                      : "sequence " + last.sequence() + " " + last.hash().hex()));
        }
      }
    }
  }

  private static void checkCounts(
      FeedbackExportPredicate p, List<FeedbackRecord> records, Path file)
      throws VerificationException {
    Map<FeedbackStatus, Long> statuses = new java.util.EnumMap<>(FeedbackStatus.class);
    Map<String, FeedbackExportPredicate.ClientCounts> byClient = new TreeMap<>();
    Map<Sha256, Long> models = new HashMap<>();
    for (FeedbackRecord r : records) {
      var e = r.entry();
      statuses.merge(e.status(), 1L, Long::sum);
      boolean accepted = e.status() == FeedbackStatus.ACCEPTED;
      byClient.merge(
          e.client(),
          new FeedbackExportPredicate.ClientCounts(accepted ? 1 : 0, accepted ? 0 : 1),
          (a, b) ->
              new FeedbackExportPredicate.ClientCounts(
                  a.accepted() + b.accepted(), a.quarantined() + b.quarantined()));
      models.merge(e.modelDigest(), 1L, Long::sum);
      if (p.model().isPresent() && !p.model().get().equals(e.model())) {
        throw new VerificationException(
            Reason.MALFORMED,
            InputFiles.shown(file)
                + ": expected only records of model '"
                + Printable.of(p.model().get(), 80)
                + "' (the attested filter), found one of '"
                + Printable.of(e.model(), 80)
                + "'");
      }
    }
    boolean same =
        records.size() == p.records()
            && byClient.equals(p.clients())
            && models.equals(p.modelDigests());
    for (FeedbackStatus s : FeedbackStatus.values()) {
      same &= statuses.getOrDefault(s, 0L).equals(p.statuses().get(s));
    }
    if (!same) {
      throw new VerificationException(
          Reason.MALFORMED,
          WHERE
              + ": expected the counts it attests ("
              + p.records()
              + " records, "
              + p.clients().size()
              + " clients) to be those of "
              + InputFiles.shown(file)
              + ", found "
              + records.size()
              + " records, "
              + byClient.size()
              + " clients, with other counts per status, client or model digest");
    }
  }
}
