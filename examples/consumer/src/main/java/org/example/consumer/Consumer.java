package org.example.consumer;

import dev.custody.core.BundleSigner;
import dev.custody.core.KeyBundleVerifier;
import dev.custody.core.ModelSigning;
import dev.custody.core.SigningKey;
import dev.custody.core.VerificationException;
import dev.custody.core.VerificationKey;
import dev.custody.core.VerifiedManifest;
import dev.custody.core.chain.Stage;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.TrustPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Uses pipeline-verify (and pipeline-core through it) as a library: signs a directory, verifies
 * it, and has the chain verifier refuse it, since it is no chain of custody.
 *
 * <p>Usage: {@code Consumer WORK_DIR}
 */
public final class Consumer {
  private Consumer() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    Path model = Files.createDirectories(work.resolve("model"));
    Files.writeString(model.resolve("weights.bin"), "not a real model");

    SigningKey key = SigningKey.generate();
    key.save(work.resolve("signer.key"), null);
    ModelSigning.sign(model, model.resolve("model.sig"), BundleSigner.create(key), List.of());
    KeyBundleVerifier verifier =
        KeyBundleVerifier.builder()
            .trust(VerificationKey.fromPem(work.resolve("signer.key.pub")))
            .build();
    VerifiedManifest v = ModelSigning.verify(model, model.resolve("model.sig"), verifier, List.of());
    System.out.println("verified " + v.rootDigest());

    TrustPolicy.Builder trust = TrustPolicy.builder();
    for (Stage stage : Stage.values()) {
      trust.trustKey(stage, key.publicKey());
    }
    try {
      ChainVerifier.builder(trust.build()).build().verify(model);
      throw new IllegalStateException("a directory without a chain of custody verified");
    } catch (VerificationException e) {
      System.out.println("refused: " + e.reason());
    }
  }
}
