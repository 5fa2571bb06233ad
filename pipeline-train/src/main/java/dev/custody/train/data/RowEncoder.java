package dev.custody.train.data;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer for {@link CanonicalRow}'s encoding: big-endian 32-bit lengths and UTF-8
 * strings. One buffer serves every row of a Merkle tree, so hashing a row copies nothing but the
 * strings' bytes (a {@code ByteArrayOutputStream} per row took most of the tree's time).
 */
final class RowEncoder {
  private byte[] bytes = new byte[256];
  private int length;

  void reset() {
    length = 0;
  }

  void writeInt(int v) {
    ensure(4);
    bytes[length] = (byte) (v >>> 24);
    bytes[length + 1] = (byte) (v >>> 16);
    bytes[length + 2] = (byte) (v >>> 8);
    bytes[length + 3] = (byte) v;
    length += 4;
  }

  void writeString(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeInt(b.length);
    ensure(b.length);
    System.arraycopy(b, 0, bytes, length, b.length);
    length += b.length;
  }

  /** The buffer itself: valid up to {@link #length()}. */
  byte[] array() {
    return bytes;
  }

  int length() {
    return length;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, length);
  }

  private void ensure(int more) {
    int needed = Math.addExact(length, more);
    if (needed > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, needed));
    }
  }
}
