package dev.custody.core;

import java.security.MessageDigest;
import java.util.regex.Pattern;
import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;

/** Lower-case hex SHA-256 of some exact bytes. */
public record Sha256(String hex) {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  public Sha256 {
    if (hex == null || !HEX64.matcher(hex).matches()) {
      throw new IllegalArgumentException("not a lower-case hex sha256: " + hex);
    }
  }

  /** Parses {@code hex} or {@code sha256:hex}. */
  public static Sha256 parse(String text) {
    String s = text.startsWith("sha256:") ? text.substring("sha256:".length()) : text;
    return new Sha256(s);
  }

  /** The digest of {@code content}. */
  public static Sha256 of(byte[] content) {
    return new Sha256(DigestUtils.sha256Hex(content));
  }

  /** Wraps the raw 32 bytes of a digest. */
  public static Sha256 ofRaw(byte[] digest) {
    if (digest.length != 32) {
      throw new IllegalArgumentException("a sha256 has 32 bytes, got " + digest.length);
    }
    return new Sha256(Hex.encodeHexString(digest));
  }

  /** The raw 32 bytes. */
  public byte[] bytes() {
    byte[] out = new byte[32];
    for (int i = 0; i < 32; i++) {
      out[i] = (byte) Integer.parseInt(hex, 2 * i, 2 * i + 2, 16);
    }
    return out;
  }

  /** Constant-time comparison with another digest. */
  public boolean matches(Sha256 other) {
    return MessageDigest.isEqual(bytes(), other.bytes());
  }

  @Override
  public String toString() {
    return "sha256:" + hex;
  }
}
