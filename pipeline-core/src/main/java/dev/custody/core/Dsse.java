package dev.custody.core;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The DSSE pre-authentication encoding, computed over UTF-8 bytes. */
public final class Dsse {
  private Dsse() {}

  /**
   * {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body}, lengths in bytes as ASCII decimal.
   * sigstore-java 2.0.0's {@code getPAE()} counts characters, which differs for non-ASCII payloads;
   * this one counts bytes, as the specification says.
   */
  public static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(32 + type.length + payload.length);
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(payload);
    return out.toByteArray();
  }
}
