package dev.custody.core;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Hostile DSSE envelopes for the issue 8 (W2, W12) tests of every module: envelopes padded to a
 * size with many signatures, signatures no key made, and the other ECDSA S form of a signature.
 */
public final class HostileEnvelopes {
  private HostileEnvelopes() {}

  /** {@code bundle} with its envelope's signatures replaced by copies of {@code entry}, to size. */
  public static byte[] withSignatures(byte[] bundle, String entry, int size) {
    String json = new String(bundle, StandardCharsets.UTF_8);
    int start = json.indexOf("\"signatures\"");
    int open = json.indexOf('[', start);
    int close = json.indexOf(']', open);
    byte[] head = json.substring(0, open + 1).getBytes(StandardCharsets.UTF_8);
    byte[] tail = json.substring(close).getBytes(StandardCharsets.UTF_8);
    byte[] one = entry.getBytes(StandardCharsets.UTF_8);
    int room = size - head.length - tail.length;
    int count = (room + 1) / (one.length + 1);
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    out.writeBytes(head);
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(one);
    }
    out.writeBytes(tail);
    byte[] result = out.toByteArray();
    // Pad with spaces to the cap exactly: still valid JSON.
    byte[] exact = Arrays.copyOf(result, size);
    Arrays.fill(exact, result.length, size, (byte) ' ');
    return exact;
  }

  /** One envelope signature entry holding a random-looking 72-byte DER ECDSA signature. */
  public static String randomDerSignature() {
    return "{\"sig\":\"" + randomDerBase64() + "\",\"keyid\":\"\"}";
  }

  /** A DER ECDSA signature of two 32-byte integers that no key made, in base64. */
  public static String randomDerBase64() {
    byte[] r = Sha256.of("r".getBytes(StandardCharsets.US_ASCII)).bytes();
    byte[] s = Sha256.of("s".getBytes(StandardCharsets.US_ASCII)).bytes();
    r[0] &= 0x7F;
    s[0] &= 0x7F;
    return Base64.getEncoder()
        .encodeToString(EcdsaDer.encode(new BigInteger(r), new BigInteger(s)));
  }

  /** DER {@code SEQUENCE {INTEGER r, INTEGER s}} of an ECDSA signature, for P-256 and P-384. */
  public static final class EcdsaDer {
    private EcdsaDer() {}

    public static BigInteger r(byte[] der) {
      return integers(der).get(0);
    }

    public static BigInteger s(byte[] der) {
      return integers(der).get(1);
    }

    /** The same signature with S replaced by {@code n - S}: the other valid form. */
    public static byte[] withOtherS(byte[] der, BigInteger n) {
      return encode(r(der), n.subtract(s(der)));
    }

    public static byte[] encode(BigInteger r, BigInteger s) {
      byte[] rb = r.toByteArray();
      byte[] sb = s.toByteArray();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(0x30);
      out.write(rb.length + sb.length + 4);
      out.write(0x02);
      out.write(rb.length);
      out.writeBytes(rb);
      out.write(0x02);
      out.write(sb.length);
      out.writeBytes(sb);
      return out.toByteArray();
    }

    private static List<BigInteger> integers(byte[] der) {
      if (der[0] != 0x30 || (der[1] & 0x80) != 0) {
        throw new IllegalArgumentException("not a short DER sequence");
      }
      List<BigInteger> out = new ArrayList<>();
      int i = 2;
      while (i < der.length) {
        if (der[i] != 0x02) {
          throw new IllegalArgumentException("not a DER integer at " + i);
        }
        int len = der[i + 1];
        out.add(new BigInteger(Arrays.copyOfRange(der, i + 2, i + 2 + len)));
        i += 2 + len;
      }
      return out;
    }
  }
}
