package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class DsseTest {
  // The DSSE specification's test vector (protocol.md, "Test Vectors").
  private static final String TYPE = "http://example.com/HelloWorld";
  private static final byte[] BODY = "hello world".getBytes(StandardCharsets.UTF_8);
  private static final String SIG =
      "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==";

  @Test
  void pae_specificationVector_matchesByteForByte() {
    assertThat(new String(Dsse.pae(TYPE, BODY), StandardCharsets.UTF_8))
        .isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  }

  @Test
  void pae_specificationVector_signatureVerifiesWithSpecKey() throws Exception {
    AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
    params.init(new ECGenParameterSpec("secp256r1"));
    ECPoint q =
        new ECPoint(
            new BigInteger(
                "46950820868899156662930047687818585632848591499744589407958293238635476079160"),
            new BigInteger(
                "5640078356564379163099075877009565129882514886557779369047442380624545832820"));
    PublicKey key =
        KeyFactory.getInstance("EC")
            .generatePublic(new ECPublicKeySpec(q, params.getParameterSpec(ECParameterSpec.class)));
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
    s.initVerify(key);
    s.update(Dsse.pae(TYPE, BODY));
    assertThat(s.verify(Base64.getDecoder().decode(SIG))).isTrue();

    s.initVerify(key);
    s.update(Dsse.pae(TYPE, "hello world!".getBytes(StandardCharsets.UTF_8)));
    assertThat(s.verify(Base64.getDecoder().decode(SIG))).isFalse();
  }

  @Test
  void pae_nonAsciiPayload_countsBytesNotCharacters() {
    byte[] body = "naïve ☃".getBytes(StandardCharsets.UTF_8); // 7 characters, 10 bytes
    assertThat(new String(Dsse.pae("t/ü", body), StandardCharsets.UTF_8))
        .isEqualTo("DSSEv1 4 t/ü 10 naïve ☃");
  }

  @Test
  void pae_typeLongerThanPayload_encodesBoth() {
    // A payload type longer than 32 bytes with an empty payload: the output buffer is sized from
    // both lengths, and must never be given a negative size.
    String type = "application/vnd.example.a-payload-type-longer-than-32-bytes+json";

    assertThat(new String(Dsse.pae(type, new byte[0]), StandardCharsets.UTF_8))
        .isEqualTo("DSSEv1 " + type.length() + " " + type + " 0 ");
  }
}
