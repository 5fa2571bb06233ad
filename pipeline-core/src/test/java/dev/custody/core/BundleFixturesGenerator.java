package dev.custody.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the committed bundle fixtures of {@code src/test/resources/dev/custody/core/} (see the
 * README there). Opt-in, never part of a normal build:
 *
 * <pre>
 * ./mvnw -B -o -pl pipeline-core test -Dtest=BundleFixturesGenerator -Dcustody.regenerate=true
 * </pre>
 *
 * Each run makes new keys, so every fixture changes; commit them together. {@link
 * BundleFixturesTest} checks what each one must do.
 */
class BundleFixturesGenerator {
  /**
   * The statement every fixture signs: a model_signing manifest of a one-file model, with the empty
   * {@code ignore_paths} Custody wrote before issue 12 (it now leaves the key out, as model_signing
   * does), so the committed fixtures keep their bytes.
   */
  static Statement statement() {
    Statement s =
        ModelManifest.of(
                "model",
                List.of(
                    new ModelManifest.Resource(
                        "weights.bin", Sha256.of("weights".getBytes(StandardCharsets.UTF_8)))),
                List.of(),
                false)
            .toStatement();
    ObjectNode predicate = (ObjectNode) s.predicate();
    ((ObjectNode) predicate.get("serialization")).putArray("ignore_paths");
    return new Statement(s.subjects(), s.predicateType(), predicate);
  }

  @Test
  @EnabledIfSystemProperty(named = "custody.regenerate", matches = "true")
  void regenerate() throws Exception {
    Path dir =
        Path.of(System.getProperty("custody.root", ".."))
            .resolve("pipeline-core/src/test/resources/dev/custody/core");
    Files.createDirectories(dir);
    SigningKey trusted = SigningKey.generate(); // only its public half is kept
    SigningKey attacker = SigningKey.generate();
    Files.writeString(
        dir.resolve(BundleFixturesTest.TRUSTED_KEY),
        trusted.publicKey().toPem(),
        StandardCharsets.US_ASCII);

    // Control: the trusted key signs, named by its hint as model_signing v1.1+ writes it.
    write(dir, BundleFixturesTest.CONTROL, BundleSigner.create(trusted).signStatement(statement()));

    // The attacker signs and embeds its own key the way model_signing v0.3-v1.0 did.
    byte[] byAttacker = BundleSigner.create(attacker).signStatement(statement());
    write(
        dir, "bundle-embeds-untrusted-key.sigstore.json", embed(byAttacker, attacker.publicKey()));

    // The attacker signs but embeds the trusted key: the embedded key must not stand in for a
    // signature check.
    write(
        dir,
        "bundle-embeds-trusted-key-signed-by-other.sigstore.json",
        embed(byAttacker, trusted.publicKey()));
  }

  /**
   * Replaces {@code publicKey.hint} by model_signing v0.3-v1.0's {@code rawBytes}/{@code
   * keyDetails}.
   */
  private static byte[] embed(byte[] bundle, VerificationKey key) throws PipelineException {
    ObjectNode root = (ObjectNode) Json.parse(bundle, "bundle");
    ObjectNode pk = (ObjectNode) root.path("verificationMaterial").path("publicKey");
    pk.remove("hint");
    pk.put(
        "rawBytes",
        Base64.getEncoder().encodeToString(key.toPem().getBytes(StandardCharsets.US_ASCII)));
    pk.put("keyDetails", key.curve().keyDetails());
    return Json.writePretty(root);
  }

  private static void write(Path dir, String name, byte[] content) throws Exception {
    Files.write(dir.resolve(name), content);
  }
}
