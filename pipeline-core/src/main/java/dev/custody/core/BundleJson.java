package dev.custody.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.sigstore.proto.bundle.v1.Bundle;
import dev.sigstore.proto.bundle.v1.TimestampVerificationData;
import dev.sigstore.proto.bundle.v1.VerificationMaterial;
import dev.sigstore.proto.common.v1.HashAlgorithm;
import dev.sigstore.proto.common.v1.HashOutput;
import dev.sigstore.proto.common.v1.LogId;
import dev.sigstore.proto.common.v1.MessageSignature;
import dev.sigstore.proto.common.v1.PublicKeyIdentifier;
import dev.sigstore.proto.common.v1.RFC3161SignedTimestamp;
import dev.sigstore.proto.common.v1.X509Certificate;
import dev.sigstore.proto.common.v1.X509CertificateChain;
import dev.sigstore.proto.rekor.v1.Checkpoint;
import dev.sigstore.proto.rekor.v1.InclusionPromise;
import dev.sigstore.proto.rekor.v1.InclusionProof;
import dev.sigstore.proto.rekor.v1.KindVersion;
import dev.sigstore.proto.rekor.v1.TransparencyLogEntry;
import io.intoto.EnvelopeOuterClass.Envelope;
import io.intoto.EnvelopeOuterClass.Signature;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Sigstore bundle JSON to and from sigstore-java's generated protobuf {@link Bundle}, written for
 * the bundle schema (protobuf-specs v0.3: {@code Bundle} and the messages it holds) rather than
 * through protobuf's {@code JsonFormat}: {@code JsonFormat} builds the messages' descriptors and
 * runs on Gson, about 400 classes that {@code custody verify} and the signing step of {@code
 * custody run} loaded only for this (BENCHMARKS.md, issue 13).
 *
 * <p>{@link #write} prints exactly what {@code JsonFormat.printer()} prints, plus a final newline:
 * fields in field-number order under their JSON names, defaults left out, two-space indentation,
 * arrays of messages opened on the field's line, int64 as strings, bytes as padded standard base64
 * and strings escaped as Gson escapes them (HTML-safe). {@code BundleJsonTest} compares the two on
 * the committed fixtures and every conformance bundle.
 *
 * <p>{@link #read} accepts what {@code JsonFormat.parser()} accepts for this schema (a field under
 * its JSON or its proto name, {@code null} for an absent field, int64 as a number or a string, an
 * enum by name or number) and is stricter where it was lax: a field given twice (under both names),
 * two members of a oneof, a string field given a number or boolean, bytes that are not canonical
 * standard base64 (RFC 4648 section 4: see {@link SigstoreBundle#base64Flaw}), an unknown enum
 * number, all refused with {@link Reason#MALFORMED} and the field's path.
 */
final class BundleJson {
  private BundleJson() {}

  // ---------------------------------------------------------------------------------- reading

  /**
   * The bundle {@code root} holds.
   *
   * @throws VerificationException {@link Reason#MALFORMED} naming the first field that is not of
   *     the bundle schema
   */
  static Bundle read(JsonNode root) throws VerificationException {
    Bundle.Builder b = Bundle.newBuilder();
    Fields f = new Fields(root, "bundle");
    for (Map.Entry<String, JsonNode> e : f.entries()) {
      switch (f.field(
          e,
          "media_type",
          "mediaType",
          "verification_material",
          "verificationMaterial",
          "message_signature",
          "messageSignature",
          "dsse_envelope",
          "dsseEnvelope")) {
        case "mediaType" -> b.setMediaType(string(e.getValue(), f.at(e)));
        case "verificationMaterial" ->
            b.setVerificationMaterial(verificationMaterial(e.getValue(), f.at(e)));
        case "messageSignature" -> {
          f.oneof("content", e);
          b.setMessageSignature(messageSignature(e.getValue(), f.at(e)));
        }
        case "dsseEnvelope" -> {
          f.oneof("content", e);
          b.setDsseEnvelope(envelope(e.getValue(), f.at(e)));
        }
        default -> throw f.unknown(e);
      }
    }
    return b.build();
  }

  private static VerificationMaterial verificationMaterial(JsonNode node, String path)
      throws VerificationException {
    VerificationMaterial.Builder b = VerificationMaterial.newBuilder();
    Fields f = new Fields(node, path);
    for (Map.Entry<String, JsonNode> e : f.entries()) {
      JsonNode v = e.getValue();
      String at = f.at(e);
      switch (f.field(
          e,
          "public_key",
          "publicKey",
          "x509_certificate_chain",
          "x509CertificateChain",
          "tlog_entries",
          "tlogEntries",
          "timestamp_verification_data",
          "timestampVerificationData")) {
        case "publicKey" -> {
          f.oneof("content", e);
          Fields k = new Fields(v, at);
          PublicKeyIdentifier.Builder pk = PublicKeyIdentifier.newBuilder();
          for (Map.Entry<String, JsonNode> ke : k.entries()) {
            if (k.field(ke).equals("hint")) {
              pk.setHint(string(ke.getValue(), k.at(ke)));
            } else {
              throw k.unknown(ke);
            }
          }
          b.setPublicKey(pk);
        }
        case "x509CertificateChain" -> {
          f.oneof("content", e);
          X509CertificateChain.Builder chain = X509CertificateChain.newBuilder();
          Fields c = new Fields(v, at);
          for (Map.Entry<String, JsonNode> ce : c.entries()) {
            if (c.field(ce).equals("certificates")) {
              for (JsonNode cert : elements(ce.getValue(), c.at(ce))) {
                chain.addCertificates(certificate(cert, c.at(ce)));
              }
            } else {
              throw c.unknown(ce);
            }
          }
          b.setX509CertificateChain(chain);
        }
        case "certificate" -> {
          f.oneof("content", e);
          b.setCertificate(certificate(v, at));
        }
        case "tlogEntries" -> {
          for (JsonNode entry : elements(v, at)) {
            b.addTlogEntries(tlogEntry(entry, at));
          }
        }
        case "timestampVerificationData" -> {
          TimestampVerificationData.Builder t = TimestampVerificationData.newBuilder();
          Fields tf = new Fields(v, at);
          for (Map.Entry<String, JsonNode> te : tf.entries()) {
            if (tf.field(te, "rfc3161_timestamps", "rfc3161Timestamps")
                .equals("rfc3161Timestamps")) {
              for (JsonNode ts : elements(te.getValue(), tf.at(te))) {
                Fields sf = new Fields(ts, tf.at(te));
                RFC3161SignedTimestamp.Builder s = RFC3161SignedTimestamp.newBuilder();
                for (Map.Entry<String, JsonNode> se : sf.entries()) {
                  if (sf.field(se, "signed_timestamp", "signedTimestamp")
                      .equals("signedTimestamp")) {
                    s.setSignedTimestamp(bytes(se.getValue(), sf.at(se)));
                  } else {
                    throw sf.unknown(se);
                  }
                }
                t.addRfc3161Timestamps(s);
              }
            } else {
              throw tf.unknown(te);
            }
          }
          b.setTimestampVerificationData(t);
        }
        default -> throw f.unknown(e);
      }
    }
    return b.build();
  }

  private static X509Certificate certificate(JsonNode node, String path)
      throws VerificationException {
    X509Certificate.Builder b = X509Certificate.newBuilder();
    Fields f = new Fields(node, path);
    for (Map.Entry<String, JsonNode> e : f.entries()) {
      if (f.field(e, "raw_bytes", "rawBytes").equals("rawBytes")) {
        b.setRawBytes(bytes(e.getValue(), f.at(e)));
      } else {
        throw f.unknown(e);
      }
    }
    return b.build();
  }

  private static TransparencyLogEntry tlogEntry(JsonNode node, String path)
      throws VerificationException {
    TransparencyLogEntry.Builder b = TransparencyLogEntry.newBuilder();
    Fields f = new Fields(node, path);
    for (Map.Entry<String, JsonNode> e : f.entries()) {
      JsonNode v = e.getValue();
      String at = f.at(e);
      switch (f.field(
          e,
          "log_index",
          "logIndex",
          "log_id",
          "logId",
          "kind_version",
          "kindVersion",
          "integrated_time",
          "integratedTime",
          "inclusion_promise",
          "inclusionPromise",
          "inclusion_proof",
          "inclusionProof",
          "canonicalized_body",
          "canonicalizedBody")) {
        case "logIndex" -> b.setLogIndex(int64(v, at));
        case "logId" -> {
          LogId.Builder id = LogId.newBuilder();
          Fields lf = new Fields(v, at);
          for (Map.Entry<String, JsonNode> le : lf.entries()) {
            if (lf.field(le, "key_id", "keyId").equals("keyId")) {
              id.setKeyId(bytes(le.getValue(), lf.at(le)));
            } else {
              throw lf.unknown(le);
            }
          }
          b.setLogId(id);
        }
        case "kindVersion" -> {
          KindVersion.Builder kv = KindVersion.newBuilder();
          Fields kf = new Fields(v, at);
          for (Map.Entry<String, JsonNode> ke : kf.entries()) {
            switch (kf.field(ke)) {
              case "kind" -> kv.setKind(string(ke.getValue(), kf.at(ke)));
              case "version" -> kv.setVersion(string(ke.getValue(), kf.at(ke)));
              default -> throw kf.unknown(ke);
            }
          }
          b.setKindVersion(kv);
        }
        case "integratedTime" -> b.setIntegratedTime(int64(v, at));
        case "inclusionPromise" -> {
          InclusionPromise.Builder p = InclusionPromise.newBuilder();
          Fields pf = new Fields(v, at);
          for (Map.Entry<String, JsonNode> pe : pf.entries()) {
            if (pf.field(pe, "signed_entry_timestamp", "signedEntryTimestamp")
                .equals("signedEntryTimestamp")) {
              p.setSignedEntryTimestamp(bytes(pe.getValue(), pf.at(pe)));
            } else {
              throw pf.unknown(pe);
            }
          }
          b.setInclusionPromise(p);
        }
        case "inclusionProof" -> b.setInclusionProof(inclusionProof(v, at));
        case "canonicalizedBody" -> b.setCanonicalizedBody(bytes(v, at));
        default -> throw f.unknown(e);
      }
    }
    return b.build();
  }

  private static InclusionProof inclusionProof(JsonNode node, String path)
      throws VerificationException {
    InclusionProof.Builder b = InclusionProof.newBuilder();
    Fields f = new Fields(node, path);
    for (Map.Entry<String, JsonNode> e : f.entries()) {
      JsonNode v = e.getValue();
      String at = f.at(e);
      switch (f.field(
          e, "log_index", "logIndex", "root_hash", "rootHash", "tree_size", "treeSize")) {
        case "logIndex" -> b.setLogIndex(int64(v, at));
        case "rootHash" -> b.setRootHash(bytes(v, at));
        case "treeSize" -> b.setTreeSize(int64(v, at));
        case "hashes" -> {
          for (JsonNode h : elements(v, at)) {
            b.addHashes(bytes(h, at));
          }
        }
        case "checkpoint" -> {
          Checkpoint.Builder c = Checkpoint.newBuilder();
          Fields cf = new Fields(v, at);
          for (Map.Entry<String, JsonNode> ce : cf.entries()) {
            if (cf.field(ce).equals("envelope")) {
              c.setEnvelope(string(ce.getValue(), cf.at(ce)));
            } else {
              throw cf.unknown(ce);
            }
          }
          b.setCheckpoint(c);
        }
        default -> throw f.unknown(e);
      }
    }
    return b.build();
  }

  private static MessageSignature messageSignature(JsonNode node, String path)
      throws VerificationException {
    MessageSignature.Builder b = MessageSignature.newBuilder();
    Fields f = new Fields(node, path);
    for (Map.Entry<String, JsonNode> e : f.entries()) {
      JsonNode v = e.getValue();
      String at = f.at(e);
      switch (f.field(e, "message_digest", "messageDigest")) {
        case "messageDigest" -> {
          HashOutput.Builder h = HashOutput.newBuilder();
          Fields hf = new Fields(v, at);
          for (Map.Entry<String, JsonNode> he : hf.entries()) {
            switch (hf.field(he)) {
              case "algorithm" -> h.setAlgorithm(hashAlgorithm(he.getValue(), hf.at(he)));
              case "digest" -> h.setDigest(bytes(he.getValue(), hf.at(he)));
              default -> throw hf.unknown(he);
            }
          }
          b.setMessageDigest(h);
        }
        case "signature" -> b.setSignature(bytes(v, at));
        default -> throw f.unknown(e);
      }
    }
    return b.build();
  }

  private static Envelope envelope(JsonNode node, String path) throws VerificationException {
    Envelope.Builder b = Envelope.newBuilder();
    Fields f = new Fields(node, path);
    for (Map.Entry<String, JsonNode> e : f.entries()) {
      JsonNode v = e.getValue();
      String at = f.at(e);
      switch (f.field(e)) {
        case "payload" -> b.setPayload(bytes(v, at));
        case "payloadType" -> b.setPayloadType(string(v, at));
        case "signatures" -> {
          for (JsonNode s : elements(v, at)) {
            Signature.Builder sig = Signature.newBuilder();
            Fields sf = new Fields(s, at);
            for (Map.Entry<String, JsonNode> se : sf.entries()) {
              switch (sf.field(se)) {
                case "sig" -> sig.setSig(bytes(se.getValue(), sf.at(se)));
                case "keyid" -> sig.setKeyid(string(se.getValue(), sf.at(se)));
                default -> throw sf.unknown(se);
              }
            }
            b.addSignatures(sig);
          }
        }
        default -> throw f.unknown(e);
      }
    }
    return b.build();
  }

  /**
   * The non-null fields of one JSON object, each taken once: a field named twice (under its JSON
   * and its proto name) or a second member of a oneof is refused.
   */
  private static final class Fields {
    private final JsonNode node;
    private final String path;
    private final Set<String> seen = new HashSet<>();
    private final Set<String> oneofs = new HashSet<>();

    Fields(JsonNode node, String path) throws VerificationException {
      if (!node.isObject()) {
        throw malformed(path, "expected a JSON object, found " + kind(node));
      }
      this.node = node;
      this.path = path;
    }

    /** The fields whose value is not {@code null} (JSON {@code null} is an absent field). */
    List<Map.Entry<String, JsonNode>> entries() {
      return node.properties().stream().filter(e -> !e.getValue().isNull()).toList();
    }

    String at(Map.Entry<String, JsonNode> e) {
      return path + "." + e.getKey();
    }

    /**
     * The JSON name of {@code e}'s field: its key, or the JSON name paired with it in {@code
     * protoAndJsonNames} (proto name, JSON name, ...). Refuses a field seen before.
     */
    String field(Map.Entry<String, JsonNode> e, String... protoAndJsonNames)
        throws VerificationException {
      String name = e.getKey();
      for (int i = 0; i < protoAndJsonNames.length; i += 2) {
        if (protoAndJsonNames[i].equals(name)) {
          name = protoAndJsonNames[i + 1];
          break;
        }
      }
      if (!seen.add(name)) {
        throw malformed(at(e), "the field is given twice");
      }
      return name;
    }

    void oneof(String oneof, Map.Entry<String, JsonNode> e) throws VerificationException {
      if (!oneofs.add(oneof)) {
        throw malformed(at(e), "a second member of oneof " + oneof);
      }
    }

    /** The refusal of a field that is not in the message. */
    VerificationException unknown(Map.Entry<String, JsonNode> e) {
      return malformed(at(e), "not a field of the bundle schema");
    }
  }

  private static List<JsonNode> elements(JsonNode node, String path) throws VerificationException {
    if (!node.isArray()) {
      throw malformed(path, "expected an array, found " + kind(node));
    }
    List<JsonNode> out = new java.util.ArrayList<>(node.size());
    for (JsonNode e : node) {
      if (e.isNull()) {
        throw malformed(path, "expected no null element");
      }
      out.add(e);
    }
    return out;
  }

  private static String string(JsonNode node, String path) throws VerificationException {
    if (!node.isTextual()) {
      throw malformed(path, "expected a string, found " + kind(node));
    }
    return node.textValue();
  }

  private static ByteString bytes(JsonNode node, String path) throws VerificationException {
    String s = string(node, path);
    String flaw = SigstoreBundle.base64Flaw(s);
    if (flaw != null) {
      throw new VerificationException(
          Reason.MALFORMED,
          path
              + ": expected canonical base64 (RFC 4648 standard alphabet, padded, no"
              + " whitespace, unused bits zero), found "
              + flaw);
    }
    return ByteString.copyFrom(Base64.getDecoder().decode(s));
  }

  private static long int64(JsonNode node, String path) throws VerificationException {
    if (!node.isTextual() && !node.isNumber()) {
      throw malformed(path, "expected an int64, found " + kind(node));
    }
    String s = node.isTextual() ? node.textValue() : node.asText();
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      try {
        return new BigDecimal(s).longValueExact();
      } catch (NumberFormatException | ArithmeticException e2) {
        throw malformed(path, "expected an int64, found " + shorten(s));
      }
    }
  }

  private static HashAlgorithm hashAlgorithm(JsonNode node, String path)
      throws VerificationException {
    HashAlgorithm found = null;
    if (node.isTextual()) {
      for (HashAlgorithm a : HashAlgorithm.values()) {
        if (a != HashAlgorithm.UNRECOGNIZED && a.name().equals(node.textValue())) {
          found = a;
        }
      }
    } else if (node.isIntegralNumber() && node.canConvertToInt()) {
      found = HashAlgorithm.forNumber(node.intValue());
    }
    if (found == null) {
      throw malformed(path, "expected a HashAlgorithm, found " + shorten(node.toString()));
    }
    return found;
  }

  private static VerificationException malformed(String path, String problem) {
    return new VerificationException(Reason.MALFORMED, path + ": " + problem);
  }

  private static String kind(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  private static String shorten(String s) {
    return s.length() <= 40 ? "'" + s + "'" : "'" + s.substring(0, 40) + "...'";
  }

  // ---------------------------------------------------------------------------------- writing

  /** {@code bundle} as {@code JsonFormat.printer()} prints it, and a newline, in UTF-8. */
  static byte[] write(Bundle bundle) {
    Printer p = new Printer();
    p.open();
    p.string("mediaType", bundle.getMediaType());
    if (bundle.hasVerificationMaterial()) {
      VerificationMaterial vm = bundle.getVerificationMaterial();
      p.key("verificationMaterial");
      p.open();
      if (vm.hasPublicKey()) {
        p.key("publicKey");
        p.open();
        p.string("hint", vm.getPublicKey().getHint());
        p.close();
      }
      if (vm.hasX509CertificateChain()) {
        p.key("x509CertificateChain");
        p.open();
        List<X509Certificate> certs = vm.getX509CertificateChain().getCertificatesList();
        if (!certs.isEmpty()) {
          p.key("certificates");
          p.array(certs, BundleJson::certificate);
        }
        p.close();
      }
      if (vm.getTlogEntriesCount() > 0) {
        p.key("tlogEntries");
        p.array(vm.getTlogEntriesList(), BundleJson::tlogEntry);
      }
      if (vm.hasTimestampVerificationData()) {
        p.key("timestampVerificationData");
        p.open();
        var stamps = vm.getTimestampVerificationData().getRfc3161TimestampsList();
        if (!stamps.isEmpty()) {
          p.key("rfc3161Timestamps");
          p.array(stamps, (q, t) -> q.bytes("signedTimestamp", t.getSignedTimestamp()));
        }
        p.close();
      }
      if (vm.hasCertificate()) {
        p.key("certificate");
        p.open();
        certificate(p, vm.getCertificate());
        p.close();
      }
      p.close();
    }
    if (bundle.hasMessageSignature()) {
      MessageSignature ms = bundle.getMessageSignature();
      p.key("messageSignature");
      p.open();
      if (ms.hasMessageDigest()) {
        HashOutput h = ms.getMessageDigest();
        p.key("messageDigest");
        p.open();
        if (h.getAlgorithmValue() != 0) {
          HashAlgorithm a = HashAlgorithm.forNumber(h.getAlgorithmValue());
          p.key("algorithm");
          p.raw(a == null ? Integer.toString(h.getAlgorithmValue()) : quote(a.name()));
        }
        p.bytes("digest", h.getDigest());
        p.close();
      }
      p.bytes("signature", ms.getSignature());
      p.close();
    }
    if (bundle.hasDsseEnvelope()) {
      Envelope env = bundle.getDsseEnvelope();
      p.key("dsseEnvelope");
      p.open();
      p.bytes("payload", env.getPayload());
      p.string("payloadType", env.getPayloadType());
      if (env.getSignaturesCount() > 0) {
        p.key("signatures");
        p.array(
            env.getSignaturesList(),
            (q, s) -> {
              q.bytes("sig", s.getSig());
              q.string("keyid", s.getKeyid());
            });
      }
      p.close();
    }
    p.close();
    p.out.append('\n');
    return p.out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void certificate(Printer p, X509Certificate c) {
    p.bytes("rawBytes", c.getRawBytes());
  }

  private static void tlogEntry(Printer p, TransparencyLogEntry e) {
    p.int64("logIndex", e.getLogIndex());
    if (e.hasLogId()) {
      p.key("logId");
      p.open();
      p.bytes("keyId", e.getLogId().getKeyId());
      p.close();
    }
    if (e.hasKindVersion()) {
      p.key("kindVersion");
      p.open();
      p.string("kind", e.getKindVersion().getKind());
      p.string("version", e.getKindVersion().getVersion());
      p.close();
    }
    p.int64("integratedTime", e.getIntegratedTime());
    if (e.hasInclusionPromise()) {
      p.key("inclusionPromise");
      p.open();
      p.bytes("signedEntryTimestamp", e.getInclusionPromise().getSignedEntryTimestamp());
      p.close();
    }
    if (e.hasInclusionProof()) {
      InclusionProof proof = e.getInclusionProof();
      p.key("inclusionProof");
      p.open();
      p.int64("logIndex", proof.getLogIndex());
      p.bytes("rootHash", proof.getRootHash());
      p.int64("treeSize", proof.getTreeSize());
      if (proof.getHashesCount() > 0) {
        p.key("hashes");
        p.out.append('[');
        String sep = "";
        for (ByteString h : proof.getHashesList()) {
          p.out.append(sep).append('"').append(base64(h)).append('"');
          sep = ", ";
        }
        p.out.append(']');
      }
      if (proof.hasCheckpoint()) {
        p.key("checkpoint");
        p.open();
        p.string("envelope", proof.getCheckpoint().getEnvelope());
        p.close();
      }
      p.close();
    }
    p.bytes("canonicalizedBody", e.getCanonicalizedBody());
  }

  /** JsonFormat's pretty printer: two spaces a level, one field a line, fields separated by ",". */
  private static final class Printer {
    final StringBuilder out = new StringBuilder(4096);
    private int depth;
    private boolean first;

    void open() {
      out.append('{');
      depth++;
      first = true;
    }

    void close() {
      depth--;
      out.append('\n');
      indent();
      out.append('}');
      first = false;
    }

    void key(String name) {
      out.append(first ? "\n" : ",\n");
      first = false;
      indent();
      out.append('"').append(name).append("\": ");
    }

    void raw(String value) {
      out.append(value);
    }

    void string(String name, String value) {
      if (!value.isEmpty()) {
        key(name);
        out.append(quote(value));
      }
    }

    void bytes(String name, ByteString value) {
      if (!value.isEmpty()) {
        key(name);
        out.append('"').append(base64(value)).append('"');
      }
    }

    void int64(String name, long value) {
      if (value != 0) {
        key(name);
        out.append('"').append(value).append('"');
      }
    }

    <T> void array(List<T> elements, Element<T> element) {
      out.append('[');
      String sep = "";
      for (T e : elements) {
        out.append(sep);
        open();
        element.print(this, e);
        close();
        sep = ", ";
      }
      out.append(']');
    }

    private void indent() {
      for (int i = 0; i < depth; i++) {
        out.append("  ");
      }
    }
  }

  /** Prints one array element's fields. */
  private interface Element<T> {
    void print(Printer p, T element);
  }

  private static String base64(ByteString b) {
    return Base64.getEncoder().encodeToString(b.toByteArray());
  }

  /** A JSON string as Gson's default (HTML-safe) writer quotes it, as JsonFormat prints strings. */
  static String quote(String s) {
    StringBuilder q = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> q.append("\\\"");
        case '\\' -> q.append("\\\\");
        case '\t' -> q.append("\\t");
        case '\b' -> q.append("\\b");
        case '\n' -> q.append("\\n");
        case '\r' -> q.append("\\r");
        case '\f' -> q.append("\\f");
        case '<', '>', '&', '=', '\'', '\u2028', '\u2029' ->
            q.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
        default -> {
          if (c < 0x20) {
            q.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            q.append(c);
          }
        }
      }
    }
    return q.append('"').toString();
  }
}
