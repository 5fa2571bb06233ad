package dev.custody.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sigstore.encryption.signers.Verifiers;
import dev.sigstore.proto.bundle.v1.Bundle;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.rekor.client.RekorVerificationException;
import dev.sigstore.rekor.client.RekorVerifier;
import dev.sigstore.timestamp.client.ImmutableTimestampResponse;
import dev.sigstore.timestamp.client.TimestampException;
import dev.sigstore.timestamp.client.TimestampResponse;
import dev.sigstore.timestamp.client.TimestampVerificationException;
import dev.sigstore.timestamp.client.TimestampVerifier;
import dev.sigstore.trustroot.TransparencyLog;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.codec.DecoderException;
import org.apache.commons.codec.binary.Hex;

/**
 * Checks shared by {@link KeylessBundleVerifier} and {@link KeyBundleTlogVerifier}: the parts of
 * Sigstore bundle verification that sigstore-java 2.0.0 leaves out or gets wrong. Bundles are read
 * by {@link SigstoreBundle}, DSSE encoded by {@link Dsse}, JSON parsed by {@link Json}.
 */
final class SigstoreChecks {
  private SigstoreChecks() {}

  /**
   * Checks that a bundle has exactly one log entry, with an inclusion proof, and something that
   * vouches for the signing time (a signed entry timestamp or an RFC 3161 timestamp).
   *
   * @throws VerificationException {@link Reason#TLOG_INVALID} or {@link Reason#UNSUPPORTED}
   */
  static void checkLogMaterial(Bundle bundle) throws VerificationException {
    var material = bundle.getVerificationMaterial();
    if (material.getTlogEntriesCount() != 1) {
      throw new VerificationException(
          material.getTlogEntriesCount() == 0 ? Reason.TLOG_INVALID : Reason.UNSUPPORTED,
          "bundle: expected exactly one transparency log entry, found "
              + material.getTlogEntriesCount());
    }
    var entry = material.getTlogEntries(0);
    if (!entry.hasInclusionProof()) {
      throw new VerificationException(
          Reason.TLOG_INVALID, "log entry: expected an inclusion proof, found none");
    }
    boolean hasSet =
        entry.hasInclusionPromise()
            && !entry.getInclusionPromise().getSignedEntryTimestamp().isEmpty();
    if (!hasSet && material.getTimestampVerificationData().getRfc3161TimestampsCount() == 0) {
      throw new VerificationException(
          Reason.TLOG_INVALID,
          "bundle: expected a signed entry timestamp or an RFC 3161 timestamp, found neither");
    }
  }

  /**
   * Checks that an in-toto statement names {@code artifact} among its SHA-256 subject digests.
   *
   * @throws VerificationException {@link Reason#MALFORMED} if the payload is not an in-toto
   *     statement, {@link Reason#DIGEST_MISMATCH} if no subject has the artifact's digest
   */
  static void checkInTotoSubject(byte[] payload, Sha256 artifact) throws VerificationException {
    JsonNode statement;
    try {
      statement = Json.parse(payload, "DSSE payload (in-toto statement)");
    } catch (PipelineException e) {
      throw new VerificationException(Reason.MALFORMED, e.getMessage(), e);
    }
    JsonNode subjects = statement.get("subject");
    if (subjects == null || !subjects.isArray() || subjects.isEmpty()) {
      throw new VerificationException(
          Reason.MALFORMED, "in-toto statement: expected a non-empty subject list, found none");
    }
    List<String> found = new ArrayList<>();
    for (JsonNode subject : subjects) {
      JsonNode sha = subject.path("digest").path("sha256");
      if (!sha.isTextual()) {
        continue;
      }
      found.add(sha.asText());
      try {
        if (artifact.matches(Sha256.parse(sha.asText().toLowerCase(Locale.ROOT)))) {
          return;
        }
      } catch (IllegalArgumentException notAHexDigest) {
        // Not a digest: it cannot match.
      }
    }
    throw new VerificationException(
        Reason.DIGEST_MISMATCH,
        "digest mismatch: in-toto subjects sha256 " + found + " != artifact " + artifact);
  }

  /**
   * Verifies RFC 3161 timestamps over {@code signature} against the trusted root's timestamp
   * authorities and returns the time each one states.
   *
   * @throws VerificationException {@link Reason#TLOG_INVALID} if one does not verify or lies in the
   *     future
   */
  static List<Instant> verifyTimestamps(
      TimestampVerifier verifier, List<byte[]> timestamps, byte[] signature, Clock clock)
      throws VerificationException {
    List<Instant> times = new ArrayList<>();
    for (byte[] encoded : timestamps) {
      if (encoded == null || encoded.length == 0) {
        throw new VerificationException(
            Reason.TLOG_INVALID, "RFC 3161 timestamp: expected a signed timestamp, found none");
      }
      TimestampResponse response = ImmutableTimestampResponse.builder().encoded(encoded).build();
      Instant time;
      try {
        verifier.verify(response, signature);
        time = response.getGenTime().toInstant();
      } catch (TimestampVerificationException | TimestampException | RuntimeException e) {
        throw new VerificationException(
            Reason.TLOG_INVALID, "RFC 3161 timestamp does not verify: " + firstLine(e));
      }
      if (time.isAfter(clock.instant())) {
        throw new VerificationException(
            Reason.TLOG_INVALID,
            "RFC 3161 timestamp: expected a time before now ("
                + clock.instant()
                + "), found "
                + time);
      }
      times.add(time);
    }
    return times;
  }

  /**
   * Verifies the time a Rekor entry vouches for, before its inclusion is checked: that its log is
   * in the trusted root with a validity period covering the entry, that its signed entry timestamp
   * (if any) verifies with that log's key, and that the integrated time is not in the future.
   *
   * @param timestampTimes verified RFC 3161 times, used for the log's validity when the entry has
   *     no signed entry timestamp (Rekor v2)
   * @return the integrated time, when a signed entry timestamp vouches for it
   * @throws VerificationException {@link Reason#TLOG_INVALID} if any check fails
   */
  static Optional<Instant> verifyEntryTime(
      TrustedRootMaterial root, RekorEntry entry, List<Instant> timestampTimes, Clock clock)
      throws VerificationException {
    byte[] logKeyId;
    try {
      logKeyId = Hex.decodeHex(entry.getLogID());
    } catch (DecoderException e) {
      throw new VerificationException(Reason.MALFORMED, "log entry: unreadable log id");
    }
    String set = entry.getVerification().getSignedEntryTimestamp();
    if (set == null || set.isEmpty()) {
      if (timestampTimes.isEmpty()) {
        root.checkLogValidAt(logKeyId, Optional.empty());
      }
      for (Instant t : timestampTimes) {
        root.checkLogValidAt(logKeyId, Optional.of(t));
      }
      return Optional.empty();
    }
    Instant integrated = Instant.ofEpochSecond(entry.getIntegratedTime());
    root.checkLogValidAt(logKeyId, Optional.of(integrated));
    TransparencyLog log =
        TransparencyLog.find(root.trusted().getTLogs(), logKeyId, integrated)
            .orElseThrow(
                () ->
                    new VerificationException(
                        Reason.TLOG_INVALID,
                        "log entry: expected a trusted log valid at "
                            + integrated
                            + ", found none"));
    boolean ok;
    try {
      ok =
          Verifiers.newVerifier(log.getPublicKey().toJavaPublicKey())
              .verify(entry.getSignableContent(), Base64.getDecoder().decode(set));
    } catch (GeneralSecurityException | RuntimeException e) {
      ok = false;
    }
    if (!ok) {
      throw new VerificationException(
          Reason.TLOG_INVALID,
          "log entry: signed entry timestamp does not verify with the key of log "
              + Base64.getEncoder().encodeToString(logKeyId));
    }
    if (integrated.isAfter(clock.instant())) {
      throw new VerificationException(
          Reason.TLOG_INVALID,
          "log entry: expected an integrated time before now ("
              + clock.instant()
              + "), found "
              + integrated);
    }
    return Optional.of(integrated);
  }

  /**
   * Verifies that a Rekor entry is in its log: sane indexes, then sigstore-java's {@link
   * RekorVerifier} (signed entry timestamp again, inclusion proof, signed checkpoint).
   *
   * @throws VerificationException {@link Reason#TLOG_INVALID} if any check fails
   */
  static void verifyInclusion(RekorVerifier rekor, RekorEntry entry) throws VerificationException {
    RekorEntry.InclusionProof proof = entry.getVerification().getInclusionProof();
    if (proof == null) {
      throw new VerificationException(
          Reason.TLOG_INVALID, "log entry: expected an inclusion proof, found none");
    }
    if (entry.getLogIndex() < 0) {
      throw new VerificationException(
          Reason.TLOG_INVALID,
          "log entry: expected a non-negative log index, found " + entry.getLogIndex());
    }
    if (proof.getLogIndex() < 0 || proof.getTreeSize() <= proof.getLogIndex()) {
      throw new VerificationException(
          Reason.TLOG_INVALID,
          "inclusion proof: expected 0 <= index < tree size, found index "
              + proof.getLogIndex()
              + " in a tree of "
              + proof.getTreeSize());
    }
    try {
      rekor.verifyEntry(entry);
    } catch (RekorVerificationException | RuntimeException e) {
      throw new VerificationException(
          Reason.TLOG_INVALID, "log entry does not verify: " + firstLine(e));
    }
  }

  /**
   * Checks that a certificate was valid at each of the verified signing times.
   *
   * @throws VerificationException {@link Reason#CERTIFICATE_INVALID} otherwise
   */
  static void checkValidAt(X509Certificate cert, List<Instant> times) throws VerificationException {
    for (Instant t : times) {
      try {
        cert.checkValidity(Date.from(t));
      } catch (CertificateExpiredException | CertificateNotYetValidException e) {
        throw new VerificationException(
            Reason.CERTIFICATE_INVALID,
            "signing certificate: expected valid at the signing time "
                + t
                + ", found validity ["
                + cert.getNotBefore().toInstant()
                + ", "
                + cert.getNotAfter().toInstant()
                + "]");
      }
    }
  }

  /** The first line of an exception's message: sigstore-java appends multi-line detail. */
  static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
