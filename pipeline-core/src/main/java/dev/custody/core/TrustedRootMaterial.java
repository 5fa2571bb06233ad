package dev.custody.core;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.sigstore.json.ProtoJson;
import dev.sigstore.proto.common.v1.TimeRange;
import dev.sigstore.proto.trustroot.v1.CertificateAuthority;
import dev.sigstore.proto.trustroot.v1.TransparencyLogInstance;
import dev.sigstore.proto.trustroot.v1.TrustedRoot;
import dev.sigstore.trustroot.SigstoreConfigurationException;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A {@code trusted_root.json} as read from disk, and the part of it that may be trusted.
 *
 * <p>sigstore-java 2.0.0 reads a missing {@code validFor.start} as the epoch, which makes the key
 * valid for all time. A trust root is only as good as its validity periods, so every log, CT log,
 * certificate authority or timestamp authority without a start is dropped here: nothing it signed
 * verifies. Verifiers ask {@link #checkLogValidAt} to explain the rejection.
 */
final class TrustedRootMaterial {
  private final TrustedRoot proto;
  private final SigstoreTrustedRoot trusted;

  /** Largest trusted root read (the public-good instance's is about 10 KiB). */
  static final long MAX_BYTES = 4L * 1024 * 1024;

  private TrustedRootMaterial(TrustedRoot proto, SigstoreTrustedRoot trusted) {
    this.proto = proto;
    this.trusted = trusted;
  }

  /**
   * Reads and parses a trusted root.
   *
   * @throws IllegalArgumentException if the file is not a regular file (a FIFO, a directory) of at
   *     most {@value #MAX_BYTES} bytes holding a Sigstore trusted root
   */
  static TrustedRootMaterial read(Path file) throws IOException {
    String json;
    try {
      json =
          new String(
              InputFiles.read(
                  file,
                  "a Sigstore trusted_root.json",
                  MAX_BYTES,
                  Reason.MALFORMED,
                  InputFiles.Links.FOLLOW),
              StandardCharsets.UTF_8);
    } catch (PipelineException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return parse(json, InputFiles.shown(file));
  }

  /**
   * Parses a trusted root's JSON, {@code where} naming it in messages (a file, or a file's {@code
   * trustedRoot} member).
   *
   * @throws IllegalArgumentException if it is not a usable Sigstore trusted root
   */
  static TrustedRootMaterial parse(String json, String where) {
    TrustedRoot.Builder builder = TrustedRoot.newBuilder();
    try {
      ProtoJson.parser().merge(json, builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      SigstoreBundle.rethrowError(e); // an OutOfMemoryError Gson wrapped is not a bad trusted root
      throw new IllegalArgumentException("not a Sigstore trusted root: " + where, e);
    }
    TrustedRoot proto = builder.build();
    TrustedRoot usable =
        proto.toBuilder()
            .clearTlogs()
            .addAllTlogs(withStart(proto.getTlogsList()))
            .clearCtlogs()
            .addAllCtlogs(withStart(proto.getCtlogsList()))
            .clearCertificateAuthorities()
            .addAllCertificateAuthorities(caWithStart(proto.getCertificateAuthoritiesList()))
            .clearTimestampAuthorities()
            .addAllTimestampAuthorities(caWithStart(proto.getTimestampAuthoritiesList()))
            .build();
    try {
      return new TrustedRootMaterial(proto, SigstoreTrustedRoot.from(usable));
    } catch (SigstoreConfigurationException | RuntimeException e) {
      throw new IllegalArgumentException(
          "unusable Sigstore trusted root " + where + ": " + e.getMessage(), e);
    }
  }

  private static List<TransparencyLogInstance> withStart(List<TransparencyLogInstance> logs) {
    return logs.stream()
        .filter(l -> l.getPublicKey().hasValidFor() && l.getPublicKey().getValidFor().hasStart())
        .collect(Collectors.toList());
  }

  private static List<CertificateAuthority> caWithStart(List<CertificateAuthority> cas) {
    return cas.stream()
        .filter(ca -> ca.hasValidFor() && ca.getValidFor().hasStart())
        .collect(Collectors.toList());
  }

  /** The part of the root that sigstore-java's verifiers may use. */
  SigstoreTrustedRoot trusted() {
    return trusted;
  }

  /**
   * Checks that the transparency log with this key id is in the root, with a validity period that
   * contains {@code time} (both ends inclusive).
   *
   * @throws VerificationException with {@link Reason#TLOG_INVALID} otherwise
   */
  void checkLogValidAt(byte[] logKeyId, Optional<Instant> time) throws VerificationException {
    String id = Base64.getEncoder().encodeToString(logKeyId);
    List<TransparencyLogInstance> matching = new ArrayList<>();
    for (TransparencyLogInstance log : proto.getTlogsList()) {
      if (MessageDigest.isEqual(log.getLogId().getKeyId().toByteArray(), logKeyId)) {
        matching.add(log);
      }
    }
    if (matching.isEmpty()) {
      throw new VerificationException(
          Reason.TLOG_INVALID,
          "log entry from log " + id + ": expected a log of the trusted root, found none");
    }
    for (TransparencyLogInstance log : matching) {
      if (!log.getPublicKey().hasValidFor() || !log.getPublicKey().getValidFor().hasStart()) {
        throw new VerificationException(
            Reason.TLOG_INVALID,
            "trusted root log "
                + id
                + ": expected publicKey.validFor.start, found none (a missing bound is not"
                + " unbounded)");
      }
    }
    if (time.isEmpty()) {
      return;
    }
    Instant t = time.get();
    for (TransparencyLogInstance log : matching) {
      if (contains(log.getPublicKey().getValidFor(), t)) {
        return;
      }
    }
    throw new VerificationException(
        Reason.TLOG_INVALID,
        "log "
            + id
            + " key validity: expected to contain the entry time "
            + t
            + ", found "
            + matching.stream()
                .map(l -> describe(l.getPublicKey().getValidFor()))
                .collect(Collectors.joining(", ")));
  }

  private static boolean contains(TimeRange range, Instant t) {
    Instant start = toInstant(range.getStart());
    if (t.isBefore(start)) {
      return false;
    }
    return !range.hasEnd() || !t.isAfter(toInstant(range.getEnd()));
  }

  private static String describe(TimeRange range) {
    return "["
        + toInstant(range.getStart())
        + ", "
        + (range.hasEnd() ? toInstant(range.getEnd()).toString() : "open")
        + "]";
  }

  private static Instant toInstant(com.google.protobuf.Timestamp ts) {
    return Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
  }
}
