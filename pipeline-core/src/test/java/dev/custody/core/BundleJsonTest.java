package dev.custody.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.sigstore.proto.bundle.v1.Bundle;
import dev.sigstore.proto.bundle.v1.VerificationMaterial;
import dev.sigstore.proto.common.v1.HashOutput;
import dev.sigstore.proto.common.v1.MessageSignature;
import dev.sigstore.proto.common.v1.PublicKeyIdentifier;
import java.io.IOException;
import java.io.StringReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link BundleJson} against protobuf's {@code JsonFormat}, which it replaces: the same bytes out
 * on Custody's committed bundles and every conformance bundle, the same bundle in, and
 * sigstore-java's own parser reading what it writes.
 */
class BundleJsonTest {
  private static final String FIXTURES = "/dev/custody/core/";
  private static final String FUZZ_SEEDS =
      FIXTURES + "SigstoreBundleFuzzTestInputs/parse_fuzzedBytes_parsesOrRefuses/";

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        FIXTURES + "bundle-signed-by-trusted-key.sigstore.json",
        FUZZ_SEEDS + "seed-a-model.sig",
        FUZZ_SEEDS + "seed-attestations-dataset.sigstore.json",
        FUZZ_SEEDS + "seed-attestations-gate.sigstore.json"
      })
  void write_committedCustodyBundle_isByteIdenticalToTheFile(String resource) throws Exception {
    byte[] file = resource(resource);

    byte[] written = BundleJson.write(SigstoreBundle.parse(file).bundle());

    assertThat(new String(written, StandardCharsets.UTF_8))
        .isEqualTo(new String(file, StandardCharsets.UTF_8));
  }

  @Test
  void write_freshKeyAndArtifactBundles_equalJsonFormatsOutput() throws Exception {
    BundleSigner signer = BundleSigner.create(SigningKey.generate());
    Path artifact = Files.writeString(tmp.resolve("a.txt"), "artifact");
    byte[] dsse = signer.signStatement(BundleFixturesGenerator.statement());
    byte[] artifactBundle = signer.signArtifact(artifact);

    for (byte[] written : List.of(dsse, artifactBundle)) {
      Bundle b = SigstoreBundle.parse(written).bundle();
      assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo(jsonFormat(b));
    }
  }

  @Test
  void write_conformanceBundles_equalJsonFormatsOutputAndReadEqualsJsonFormatsParse()
      throws Exception {
    List<Path> bundles = conformanceBundles();
    int compared = 0;
    for (Path p : bundles) {
      byte[] json = Files.readAllBytes(p);
      Bundle expected;
      try {
        Bundle.Builder b = Bundle.newBuilder();
        JsonFormat.parser().merge(new String(json, StandardCharsets.UTF_8), b);
        expected = b.build();
      } catch (InvalidProtocolBufferException e) {
        continue; // not a bundle JsonFormat reads (a defect the case is about)
      }
      SigstoreBundle.Parsed parsed;
      try {
        parsed = SigstoreBundle.parse(json);
      } catch (VerificationException e) {
        // Refused for what JsonFormat does not check: media type, base64 form, signature count.
        assertThat(e.reason())
            .as(p + ": " + e.getMessage())
            .isIn(Reason.MALFORMED, Reason.UNSUPPORTED);
        continue;
      }
      assertThat(parsed.bundle()).as(p.toString()).isEqualTo(expected);
      assertThat(new String(BundleJson.write(expected), StandardCharsets.UTF_8))
          .as(p.toString())
          .isEqualTo(jsonFormat(expected));
      compared++;
    }
    assertThat(compared).as("conformance bundles compared").isGreaterThan(40);
  }

  @Test
  void write_keylessConformanceBundle_isReadBySigstoreJavasOwnParser() throws Exception {
    Path happy = SigstoreConformanceTest.CASES.resolve("happy-path-v0.3/bundle.sigstore.json");
    assumeTrue(Files.isRegularFile(happy), "../shared fixtures not present");
    Bundle b = SigstoreBundle.parse(Files.readAllBytes(happy)).bundle();

    dev.sigstore.bundle.Bundle theirs =
        dev.sigstore.bundle.Bundle.from(
            new StringReader(new String(BundleJson.write(b), StandardCharsets.UTF_8)));

    assertThat(theirs.getCertPath().getCertificates()).isNotEmpty();
    assertThat(theirs.getEntries()).hasSize(b.getVerificationMaterial().getTlogEntriesCount());
    // And what sigstore-java writes back reads here with the same signature and log entries.
    Bundle back = SigstoreBundle.parse(theirs.toJson().getBytes(StandardCharsets.UTF_8)).bundle();
    assertThat(back.getMessageSignature()).isEqualTo(b.getMessageSignature());
    assertThat(back.getVerificationMaterial().getTlogEntriesList())
        .isEqualTo(b.getVerificationMaterial().getTlogEntriesList());
  }

  @Test
  void write_stringsNeedingEscapes_areEscapedAsGsonDoes() throws Exception {
    String s = "a<b>&='\"\\\t\b\n\r\f\u0001\u001f\u007f\u00e9\u2028\u2029\uD83D\uDE00/";
    Bundle b =
        Bundle.newBuilder()
            .setMediaType(s)
            .setVerificationMaterial(
                VerificationMaterial.newBuilder()
                    .setPublicKey(PublicKeyIdentifier.newBuilder().setHint(s)))
            .build();

    assertThat(new String(BundleJson.write(b), StandardCharsets.UTF_8)).isEqualTo(jsonFormat(b));
  }

  @Test
  void write_emptyMessagesAndAnUnknownEnumNumber_printAsJsonFormatPrintsThem() throws Exception {
    Bundle b =
        Bundle.newBuilder()
            .setVerificationMaterial(
                VerificationMaterial.newBuilder().setPublicKey(PublicKeyIdentifier.newBuilder()))
            .setMessageSignature(
                MessageSignature.newBuilder()
                    .setMessageDigest(
                        HashOutput.newBuilder()
                            .setAlgorithmValue(77)
                            .setDigest(ByteString.copyFrom(new byte[] {1, 2}))))
            .build();

    assertThat(new String(BundleJson.write(b), StandardCharsets.UTF_8)).isEqualTo(jsonFormat(b));
  }

  @Test
  void read_protoFieldNames_readAsTheirJsonNames() throws Exception {
    // (mediaType itself is read by SigstoreBundle under its JSON name, before the schema.)
    String json =
        "{\"mediaType\": \""
            + SigstoreBundle.MEDIA_TYPE_V03
            + "\", \"verification_material\": {\"public_key\": {\"hint\": \"k\"}},"
            + " \"message_signature\": {\"message_digest\": {\"algorithm\": 1, \"digest\": \"AQI=\"},"
            + " \"signature\": \"AwQ=\"}}";

    Bundle b = SigstoreBundle.parse(json.getBytes(StandardCharsets.UTF_8)).bundle();

    assertThat(b.getVerificationMaterial().getPublicKey().getHint()).isEqualTo("k");
    assertThat(b.getMessageSignature().getMessageDigest().getAlgorithm().name())
        .isEqualTo("SHA2_256");
    assertThat(b.getMessageSignature().getSignature().toByteArray()).containsExactly(3, 4);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        // a field under both its names
        "\"verificationMaterial\": {\"publicKey\": {}}, \"verification_material\": {\"publicKey\": {}}",
        // two members of a oneof
        "\"messageSignature\": {}, \"dsseEnvelope\": {}",
        // a string field given a number
        "\"verificationMaterial\": {\"publicKey\": {\"hint\": 5}}",
        // an enum value that does not exist, by name and by number
        "\"messageSignature\": {\"messageDigest\": {\"algorithm\": \"MD5\"}}",
        "\"messageSignature\": {\"messageDigest\": {\"algorithm\": 99}}",
        // an int64 that is not one
        "\"verificationMaterial\": {\"tlogEntries\": [{\"logIndex\": \"1x\"}]}",
        "\"verificationMaterial\": {\"tlogEntries\": [{\"logIndex\": true}]}",
        // a repeated field that is not an array, or holds null
        "\"verificationMaterial\": {\"tlogEntries\": {}}",
        "\"verificationMaterial\": {\"tlogEntries\": [null]}",
        // a message that is not an object, an unknown field
        "\"dsseEnvelope\": []",
        "\"dsseEnvelope\": {\"payloadType\": \"t\", \"extra\": 1}"
      })
  void read_outsideTheSchema_isMalformedNamingTheField(String fields) {
    String json = "{\"mediaType\": \"" + SigstoreBundle.MEDIA_TYPE_V03 + "\", " + fields + "}";

    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> SigstoreBundle.parse(json.getBytes(StandardCharsets.UTF_8)));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).startsWith("bundle.");
  }

  @Test
  void read_nullFields_areAbsentAsInJsonFormat() throws Exception {
    String json =
        "{\"mediaType\": \""
            + SigstoreBundle.MEDIA_TYPE_V03
            + "\", \"verificationMaterial\": null, \"dsseEnvelope\": {\"payload\": null,"
            + " \"payloadType\": \"t\", \"signatures\": [{\"sig\": \"AQI=\"}]}}";

    Bundle b = SigstoreBundle.parse(json.getBytes(StandardCharsets.UTF_8)).bundle();

    assertThat(b.hasVerificationMaterial()).isFalse();
    assertThat(b.getDsseEnvelope().getPayload().isEmpty()).isTrue();
    assertThat(b.getDsseEnvelope().getPayloadType()).isEqualTo("t");
  }

  private static String jsonFormat(Bundle b) throws InvalidProtocolBufferException {
    return JsonFormat.printer().print(b) + "\n";
  }

  private static List<Path> conformanceBundles() throws IOException {
    Path cases = SigstoreConformanceTest.CASES;
    assumeTrue(Files.isDirectory(cases), "../shared fixtures not present");
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(cases)) {
      s.filter(p -> p.getFileName().toString().equals("bundle.sigstore.json"))
          .sorted()
          .forEach(out::add);
    }
    return out;
  }

  private static byte[] resource(String name) throws IOException, URISyntaxException {
    var url = BundleJsonTest.class.getResource(name);
    assertThat(url).as(name).isNotNull();
    return Files.readAllBytes(Path.of(url.toURI()));
  }
}
