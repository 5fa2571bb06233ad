package dev.custody.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.sigstore.bundle.BundleParseException;
import dev.sigstore.proto.bundle.v1.Bundle;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one reader of Sigstore bundle JSON, for key and keyless verification alike, into
 * sigstore-java's generated protobuf {@link Bundle} (its high-level {@code Bundle} cannot hold
 * public-key bundles in 2.0.0), and the one writer.
 *
 * <p>Reading is strict: at most {@link #MAX_BUNDLE_BYTES} bytes; JSON through {@link Json} (no
 * duplicate keys, no trailing tokens); no field outside the bundle schema; base64 in canonical form
 * only; a DSSE envelope with exactly one signature, as the bundle specification requires. Every
 * refusal is {@link Reason#MALFORMED}, except a media type outside {@link #MEDIA_TYPES}: {@link
 * Reason#UNSUPPORTED}, a bundle version Custody does not read.
 *
 * <p>Accepted media types ({@link #MEDIA_TYPES}), one rule for every path: bundle v0.3 in both
 * spellings ({@code bundle.v0.3+json}, which Custody and every {@code model_signing} fixture, key
 * or keyless, write; {@code bundle+json;version=0.3}, the conformance suite's {@code
 * happy-path-v0.3}), and v0.1 and v0.2, which the conformance suite's {@code happy-path-v0.1} and
 * {@code happy-path-v0.2} cases require and sigstore-java 2.0.0 verifies. The older versions differ
 * only in what a log entry must carry (v0.1 may lack an inclusion proof), and the verifiers that
 * check a log entry require an inclusion proof whatever the version. Anything else is refused.
 *
 * <p>{@code model_signing} v0.3–v1.0 wrote {@code publicKey} as {@code {rawBytes: base64 PEM,
 * keyDetails}}, which is not in the bundle schema. The key is taken out and returned as {@link
 * Parsed#embeddedKey()}: it is unauthenticated, so it may only narrow which trusted key is tried,
 * never be trusted itself.
 */
final class SigstoreBundle {
  static final String MEDIA_TYPE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";
  static final Set<String> MEDIA_TYPES =
      Set.of(
          MEDIA_TYPE_V03,
          "application/vnd.dev.sigstore.bundle+json;version=0.3",
          "application/vnd.dev.sigstore.bundle+json;version=0.2",
          "application/vnd.dev.sigstore.bundle+json;version=0.1");

  /** The largest bundle read, on every path: a bundle is a few kilobytes. */
  static final long MAX_BUNDLE_BYTES = 16L << 20;

  /** A parsed bundle and, for bundles written by model_signing before v1.1, the embedded key. */
  record Parsed(Bundle bundle, Optional<VerificationKey> embeddedKey) {}

  private SigstoreBundle() {}

  static byte[] write(Bundle bundle) {
    try {
      return (JsonFormat.printer().print(bundle) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print a bundle", e);
    }
  }

  static Parsed parse(byte[] json) throws VerificationException {
    if (json.length > MAX_BUNDLE_BYTES) {
      throw new VerificationException(
          Reason.MALFORMED,
          "bundle: expected at most " + MAX_BUNDLE_BYTES + " bytes, found " + json.length);
    }
    JsonNode root;
    try {
      root = Json.parse(json, "bundle");
    } catch (PipelineException e) {
      throw new VerificationException(Reason.MALFORMED, e.getMessage(), e);
    }
    if (!root.isObject()) {
      throw new VerificationException(Reason.MALFORMED, "bundle: expected a JSON object");
    }
    String mediaType = root.path("mediaType").asText("");
    if (!MEDIA_TYPES.contains(mediaType)) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "bundle: expected media type "
              + MEDIA_TYPE_V03
              + " (or v0.1-v0.3), found '"
              + mediaType
              + "'");
    }
    // model_signing v0.3–v1.0 wrote publicKey as {rawBytes: PEM, keyDetails}, which is not in the
    // bundle schema. Take the key out (it is unauthenticated: it only tells which key signed) and
    // parse the rest strictly.
    Optional<VerificationKey> embedded = Optional.empty();
    JsonNode pk = root.path("verificationMaterial").path("publicKey");
    if (pk.isObject() && pk.has("rawBytes")) {
      ObjectNode fixed = (ObjectNode) pk;
      try {
        byte[] raw = Base64.getDecoder().decode(fixed.get("rawBytes").asText());
        embedded = Optional.of(VerificationKey.fromPem(raw));
      } catch (IllegalArgumentException | PipelineException e) {
        throw new VerificationException(
            Reason.MALFORMED, "bundle: publicKey.rawBytes is not a base64 PEM public key");
      }
      fixed.remove("rawBytes");
      fixed.remove("keyDetails");
    }
    requireCanonicalBytes(root, Bundle.getDescriptor(), "bundle");
    Bundle.Builder b = Bundle.newBuilder();
    try {
      JsonFormat.parser().merge(new String(Json.write(root), StandardCharsets.UTF_8), b);
    } catch (InvalidProtocolBufferException e) {
      throw new VerificationException(Reason.MALFORMED, "bundle: " + e.getMessage());
    }
    Bundle bundle = b.build();
    if (bundle.hasDsseEnvelope() && bundle.getDsseEnvelope().getSignaturesCount() != 1) {
      throw new VerificationException(
          Reason.MALFORMED,
          "bundle: expected a DSSE envelope with exactly one signature, found "
              + bundle.getDsseEnvelope().getSignaturesCount());
    }
    return new Parsed(bundle, embedded);
  }

  /**
   * sigstore-java's high-level view of a bundle {@link #parse} accepted, for its {@code
   * KeylessVerifier}: it reads the protobuf printed back from the accepted bundle, never the
   * original file.
   *
   * @throws VerificationException {@link Reason#MALFORMED} if sigstore-java cannot read it
   */
  static dev.sigstore.bundle.Bundle toSigstoreJava(Bundle bundle) throws VerificationException {
    try {
      return dev.sigstore.bundle.Bundle.from(new StringReader(JsonFormat.printer().print(bundle)));
    } catch (BundleParseException | InvalidProtocolBufferException | RuntimeException e) {
      throw new VerificationException(
          Reason.MALFORMED, "not a readable Sigstore bundle: " + SigstoreChecks.firstLine(e));
    }
  }

  /**
   * Refuses base64 whose unused trailing bits are not zero. Protobuf's JSON parser ignores them, so
   * without this check several different files would decode to the same signature or payload: a
   * changed byte that nothing notices.
   */
  private static void requireCanonicalBytes(JsonNode node, Descriptor type, String path)
      throws VerificationException {
    if (!node.isObject()) {
      return; // the protobuf parser reports the wrong type
    }
    for (var e : node.properties()) {
      FieldDescriptor f = field(type, e.getKey());
      if (f == null || f.isMapField()) {
        continue; // an unknown field: the protobuf parser refuses it
      }
      String at = path + "." + e.getKey();
      JsonNode value = e.getValue();
      List<JsonNode> values = new ArrayList<>();
      if (f.isRepeated() && value.isArray()) {
        value.forEach(values::add);
      } else {
        values.add(value);
      }
      for (JsonNode v : values) {
        if (f.getType() == FieldDescriptor.Type.BYTES) {
          if (v.isTextual() && !canonicalBase64(v.asText())) {
            throw new VerificationException(
                Reason.MALFORMED,
                at + ": expected canonical base64 (unused bits zero), found non-canonical");
          }
        } else if (f.getType() == FieldDescriptor.Type.MESSAGE
            && !f.getMessageType().getFullName().startsWith("google.protobuf.")) {
          requireCanonicalBytes(v, f.getMessageType(), at);
        }
      }
    }
  }

  private static FieldDescriptor field(Descriptor type, String jsonKey) {
    FieldDescriptor f = type.findFieldByName(jsonKey);
    if (f != null) {
      return f;
    }
    for (FieldDescriptor candidate : type.getFields()) {
      if (candidate.getJsonName().equals(jsonKey)) {
        return candidate;
      }
    }
    return null;
  }

  static boolean canonicalBase64(String s) {
    int end = s.length();
    int pad = 0;
    while (end > 0 && s.charAt(end - 1) == '=') {
      end--;
      pad++;
    }
    int rest = end % 4;
    if (pad > 2 || rest == 1 || (pad > 0 && (end + pad) % 4 != 0)) {
      return false;
    }
    if (rest == 0) {
      return true;
    }
    int v = base64Value(s.charAt(end - 1));
    if (v < 0) {
      return false;
    }
    return rest == 2 ? (v & 0xF) == 0 : (v & 0x3) == 0;
  }

  private static int base64Value(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    if (c == '+' || c == '-') {
      return 62;
    }
    if (c == '/' || c == '_') {
      return 63;
    }
    return -1;
  }
}
