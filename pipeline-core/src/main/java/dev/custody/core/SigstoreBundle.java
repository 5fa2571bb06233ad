package dev.custody.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sigstore.bundle.BundleParseException;
import dev.sigstore.proto.bundle.v1.Bundle;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/**
 * The one reader of Sigstore bundle JSON, for key and keyless verification alike, into
 * sigstore-java's generated protobuf {@link Bundle} (its high-level {@code Bundle} cannot hold
 * public-key bundles in 2.0.0), and the one writer; the JSON mapping itself is {@link
 * BundleJson}'s.
 *
 * <p>Reading is strict: at most {@link #MAX_BUNDLE_BYTES} bytes; UTF-8 JSON through {@link Json}
 * (no duplicate keys, no trailing tokens, at most {@link Json#MAX_BUNDLE_TOKENS} tokens and {@link
 * Json#MAX_NESTING_DEPTH} levels, enforced while the tree is built); no field outside the bundle
 * schema; base64 in the standard alphabet and canonical form only (padded, no whitespace, unused
 * bits zero: RFC 4648 section 4, not base64url, which protobuf's JSON parser would also accept); a
 * DSSE envelope with at most {@link #MAX_SIGNATURES} signature, checked before the protobuf is
 * built. Every refusal is {@link Reason#MALFORMED}, except a media type outside {@link
 * #MEDIA_TYPES}: {@link Reason#UNSUPPORTED}, a bundle version Custody does not read. An {@link
 * Error} (out of memory, stack overflow) raised while parsing is thrown as it is, never reported as
 * a malformed bundle.
 *
 * <p>Bounds: time linear in the bundle's bytes (one UTF-8 check, one tokenizing parse, and one walk
 * of a tree of at most {@link Json#MAX_BUNDLE_TOKENS} tokens into the protobuf, {@link
 * BundleJson#read}); memory a few copies of the bundle's bytes (the DSSE payload is one string)
 * plus at most {@link Json#MAX_BUNDLE_TOKENS} nodes.
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

  /**
   * The most signatures a DSSE envelope may carry: one. The bundle specification (protobuf-specs
   * {@code sigstore_bundle.proto}) requires exactly one signature in a bundle's envelope, every
   * Sigstore client and {@code model_signing} writes one, and sigstore-java refuses any other
   * count; so a larger cap would admit only hostile input, and with one signature each trusted key
   * is tried at most once per bundle.
   */
  static final int MAX_SIGNATURES = 1;

  /** A parsed bundle and, for bundles written by model_signing before v1.1, the embedded key. */
  record Parsed(Bundle bundle, Optional<VerificationKey> embeddedKey) {}

  private SigstoreBundle() {}

  static byte[] write(Bundle bundle) {
    return BundleJson.write(bundle);
  }

  static Parsed parse(byte[] json) throws VerificationException {
    if (json.length > MAX_BUNDLE_BYTES) {
      throw new VerificationException(
          Reason.MALFORMED,
          "bundle: expected at most " + MAX_BUNDLE_BYTES + " bytes, found " + json.length);
    }
    JsonNode root;
    try {
      root = Json.parseBundle(json, "bundle");
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
    JsonNode signatures = root.path("dsseEnvelope").path("signatures");
    if (signatures.size() > MAX_SIGNATURES) {
      throw new VerificationException(
          Reason.MALFORMED,
          "bundle: expected a DSSE envelope with exactly one signature, found "
              + signatures.size());
    }
    // model_signing v0.3–v1.0 wrote publicKey as {rawBytes: PEM, keyDetails}, which is not in the
    // bundle schema. Take the key out (it is unauthenticated: it only tells which key signed) and
    // parse the rest strictly.
    Optional<VerificationKey> embedded = Optional.empty();
    JsonNode pk = root.path("verificationMaterial").path("publicKey");
    if (pk.isObject() && pk.has("rawBytes")) {
      ObjectNode fixed = (ObjectNode) pk;
      try {
        String rawBytes = fixed.get("rawBytes").asText();
        if (!canonicalBase64(rawBytes)) {
          throw new IllegalArgumentException("not canonical base64");
        }
        byte[] raw = Base64.getDecoder().decode(rawBytes);
        embedded = Optional.of(VerificationKey.fromPem(raw));
      } catch (IllegalArgumentException | PipelineException e) {
        throw new VerificationException(
            Reason.MALFORMED, "bundle: publicKey.rawBytes is not a base64 PEM public key");
      }
      fixed.remove("rawBytes");
      fixed.remove("keyDetails");
    }
    Bundle bundle = BundleJson.read(root);
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
      return dev.sigstore.bundle.Bundle.from(
          new StringReader(new String(BundleJson.write(bundle), StandardCharsets.UTF_8)));
    } catch (BundleParseException | RuntimeException e) {
      rethrowError(e);
      throw new VerificationException(
          Reason.MALFORMED, "not a readable Sigstore bundle: " + SigstoreChecks.firstLine(e));
    }
  }

  /**
   * Throws the first {@link Error} in {@code e}'s causes. Gson (under protobuf's and
   * sigstore-java's JSON readers) wraps {@code OutOfMemoryError} and {@code StackOverflowError} in
   * a parse exception, which would otherwise be reported as a malformed bundle: running out of
   * memory says nothing about the input's form, and must not look like a verdict on it.
   */
  static void rethrowError(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof Error error) {
        throw error;
      }
      if (c.getCause() == c) {
        return;
      }
    }
  }

  /**
   * Whether {@code s} is canonical standard base64: only the RFC 4648 section 4 alphabet, padded to
   * a multiple of four characters with at most two {@code =}, and the unused bits of the last
   * character zero, so exactly one string encodes each byte sequence.
   */
  static boolean canonicalBase64(String s) {
    return base64Flaw(s) == null;
  }

  /** What makes {@code s} not canonical standard base64, or {@code null} if nothing does. */
  static String base64Flaw(String s) {
    int end = s.length();
    int pad = 0;
    while (end > 0 && s.charAt(end - 1) == '=') {
      end--;
      pad++;
    }
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      if (base64Value(c) < 0) {
        return c == '-' || c == '_'
            ? "base64url character '" + c + "' at " + i
            : "character " + describeChar(c) + " at " + i;
      }
    }
    if (s.length() % 4 != 0) {
      return "length " + s.length() + " (not padded to a multiple of 4)";
    }
    if (pad > 2 || end % 4 == 1) {
      return pad + " padding characters";
    }
    int rest = end % 4;
    if (rest == 0) {
      return null;
    }
    int v = base64Value(s.charAt(end - 1));
    boolean zero = rest == 2 ? (v & 0xF) == 0 : (v & 0x3) == 0;
    return zero ? null : "non-zero unused bits in the last character";
  }

  private static String describeChar(char c) {
    return c >= 0x21 && c < 0x7F
        ? "'" + c + "'"
        : String.format(java.util.Locale.ROOT, "U+%04X", (int) c);
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
    if (c == '+') {
      return 62;
    }
    if (c == '/') {
      return 63;
    }
    return -1;
  }
}
