package dev.custody.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;

/**
 * What a one-byte change to a Sigstore bundle means, worked out from the JSON alone (independently
 * of the verifier), and so which reason the verifier must give:
 *
 * <ul>
 *   <li>the file is no longer JSON, or a field name changed: {@code MALFORMED} (a changed {@code
 *       mediaType} key leaves no media type: {@code UNSUPPORTED});
 *   <li>the media type changed: {@code UNSUPPORTED};
 *   <li>the key hint changed: {@code UNTRUSTED_SIGNER} (no trusted key has that hint);
 *   <li>the payload type changed: {@code SIGNATURE_INVALID} (the signature covers it);
 *   <li>the payload or signature changed: {@code SIGNATURE_INVALID} if it is still canonical
 *       base64, else {@code MALFORMED}.
 * </ul>
 */
final class BundleFlips {
  private BundleFlips() {}

  static Reason expected(byte[] original, byte[] tampered) {
    JsonNode before = parse(original);
    JsonNode after = parse(tampered);
    if (before == null) {
      throw new IllegalArgumentException("the original is not JSON");
    }
    if (after == null) {
      return Reason.MALFORMED;
    }
    List<String[]> changes = new ArrayList<>();
    diff(before, after, "", changes);
    if (changes.size() != 1) {
      throw new IllegalStateException("expected one change, found " + changes.size());
    }
    String kind = changes.get(0)[0];
    String path = changes.get(0)[1];
    String value = changes.get(0)[2];
    if (kind.equals("key")) {
      return path.equals("/mediaType") ? Reason.UNSUPPORTED : Reason.MALFORMED;
    }
    if (path.equals("/mediaType")) {
      return Reason.UNSUPPORTED;
    }
    if (path.endsWith("/hint")) {
      return Reason.UNTRUSTED_SIGNER;
    }
    if (path.endsWith("/payloadType")) {
      return Reason.SIGNATURE_INVALID;
    }
    if (path.endsWith("/payload") || path.endsWith("/sig")) {
      return canonicalBase64(value) ? Reason.SIGNATURE_INVALID : Reason.MALFORMED;
    }
    throw new IllegalStateException("a change at " + path + " the oracle does not know");
  }

  private static JsonNode parse(byte[] json) {
    try {
      return Json.parse(json, "bundle");
    } catch (PipelineException e) {
      return null;
    }
  }

  /** Records {kind, path, new value} for each change: "key" for a renamed field, "value" else. */
  private static void diff(JsonNode a, JsonNode b, String path, List<String[]> out) {
    if (a.isObject() && b.isObject()) {
      List<String> onlyA = new ArrayList<>();
      for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (b.has(f)) {
          diff(a.get(f), b.get(f), path + "/" + f, out);
        } else {
          onlyA.add(f);
        }
      }
      for (String f : onlyA) {
        out.add(new String[] {"key", path + "/" + f, null});
      }
    } else if (a.isArray() && b.isArray() && a.size() == b.size()) {
      for (int i = 0; i < a.size(); i++) {
        diff(a.get(i), b.get(i), path, out);
      }
    } else if (!a.equals(b)) {
      out.add(new String[] {"value", path, b.isTextual() ? b.asText() : b.toString()});
    }
  }

  /**
   * Standard or URL-safe base64 that decodes, with zero unused bits (what the verifier accepts).
   */
  static boolean canonicalBase64(String s) {
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      try {
        decoded = Base64.getUrlDecoder().decode(s);
      } catch (IllegalArgumentException e2) {
        return false;
      }
    }
    String std = Base64.getEncoder().encodeToString(decoded);
    String url = Base64.getUrlEncoder().encodeToString(decoded);
    return s.equals(std)
        || s.equals(url)
        || s.equals(std.replace("=", ""))
        || s.equals(url.replace("=", ""));
  }
}
