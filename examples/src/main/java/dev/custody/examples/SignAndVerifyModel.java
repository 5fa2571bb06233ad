package dev.custody.examples;

import dev.custody.core.BundleSigner;
import dev.custody.core.KeyBundleVerifier;
import dev.custody.core.ModelSigning;
import dev.custody.core.SigningKey;
import dev.custody.core.VerificationException;
import dev.custody.core.VerificationKey;
import dev.custody.core.VerifiedManifest;
import dev.custody.verify.DeserializationFilter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The library in a dozen lines: sign a model directory, verify it, and watch verification refuse a
 * one-byte change (seed 000, a model altered in transit). The README's library snippet is this.
 *
 * <p>Usage: {@code SignAndVerifyModel MODEL_DIR WORK_DIR}
 */
public final class SignAndVerifyModel {
  private SignAndVerifyModel() {}

  public static void main(String[] args) throws Exception {
    DeserializationFilter.install(); // first thing: before anything creates an ObjectInputStream
    Path modelDir = Path.of(args[0]);
    Path work = Path.of(args[1]);

    SigningKey key = SigningKey.generate(); // a handle: no method exposes private bytes
    key.save(
        work.resolve("signer.key"), null); // 0600, atomic, never overwrites; signer.key.pub too
    ModelSigning.sign(modelDir, modelDir.resolve("model.sig"), BundleSigner.create(key), List.of());

    KeyBundleVerifier verifier =
        KeyBundleVerifier.builder() // build() without a key throws:
            .trust(VerificationKey.fromPem(work.resolve("signer.key.pub"))) // no "accept any"
            .build();
    VerifiedManifest v =
        ModelSigning.verify(modelDir, modelDir.resolve("model.sig"), verifier, List.of());
    System.out.println("verified " + v.rootDigest() + " signed by " + v.signer());

    Path file =
        v.manifest().resources().get(0).name().equals(".")
            ? modelDir
            : modelDir.resolve(v.manifest().resources().get(0).name());
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 1; // the attack: one byte in transit
    Files.write(file, bytes);
    try {
      ModelSigning.verify(modelDir, modelDir.resolve("model.sig"), verifier, List.of());
      throw new IllegalStateException("a tampered model verified");
    } catch (VerificationException e) {
      System.out.println("refused: " + e.reason() + ": " + e.getMessage());
    }
  }
}
