package dev.custody.verify;

import dev.custody.core.PipelineException;
import dev.custody.core.Sha256;
import dev.custody.core.SigningKey;
import dev.custody.core.VerificationKey;
import dev.custody.core.chain.ChainLayout;
import dev.custody.core.chain.Stage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The committed golden chains under {@code dev/custody/verify/chains/} (see the README there):
 * where they are, their test-only keys and policy, and verifiers built from that policy.
 */
final class GoldenChains {
  /** {@code credit-rf} version 2 with gate, reproduction and a signed dependency lock. */
  static final String A = "a";

  /** The same model line, version 1, another seed. */
  static final String B = "b";

  /** Version 2 trained on data whose row 17 differs from {@link #A}'s. */
  static final String ONE_ROW_CHANGED = "one-row-changed";

  static final String NAME = "credit-rf";

  /** Every file of a chain, in the order the tamper matrix goes through them. */
  static final List<String> FILES =
      List.of(
          ChainLayout.MODEL_FILE,
          ChainLayout.CARD_FILE,
          ChainLayout.SIGNATURE_FILE,
          ChainLayout.DATASET_ATTESTATION,
          ChainLayout.PROVENANCE,
          ChainLayout.GATE,
          ChainLayout.REPRODUCTION);

  private static final Path ROOT = locate();
  private static final Map<Stage, SigningKey> KEYS = new EnumMap<>(Stage.class);
  private static SigningKey attacker;

  private GoldenChains() {}

  private static Path locate() {
    try {
      return Path.of(GoldenChains.class.getResource("chains/README.md").toURI()).getParent();
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("the golden chains are not on the test classpath", e);
    }
  }

  /** The directory holding the golden chains. */
  static Path root() {
    return ROOT;
  }

  /** The committed chain {@code name} (read-only: copy it before changing anything). */
  static Path chain(String name) {
    return ROOT.resolve(name);
  }

  /** A committed attack fixture under {@code attacks/}. */
  static Path attack(String name) {
    return ROOT.resolve("attacks").resolve(name);
  }

  /** The committed policy: one key per stage, gate and reproduction required, the signed lock. */
  static Path policy() {
    return ROOT.resolve("policy.yaml");
  }

  /** A verifier of the committed policy. */
  static ChainVerifier verifier() {
    try {
      return ChainVerifier.builder(TrustPolicy.load(policy())).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (PipelineException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The committed policy built in code, with {@code minModelVersion}. */
  static TrustPolicy policy(int minModelVersion) {
    return policyBuilder()
        .requireReproduction()
        .dependencyLock(ROOT.resolve("deps.lock.json"))
        .minModelVersion(minModelVersion)
        .build();
  }

  /** A policy builder that trusts each committed stage key for its stage, and nothing more. */
  static TrustPolicy.Builder policyBuilder() {
    try {
      TrustPolicy.Builder b = TrustPolicy.builder();
      for (Stage s : Stage.values()) {
        b.trustKey(s, VerificationKey.fromPem(ROOT.resolve("keys").resolve(lower(s) + ".pub")));
      }
      return b;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (PipelineException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The test-only private key of {@code stage}. */
  static synchronized SigningKey key(Stage stage) {
    return KEYS.computeIfAbsent(stage, s -> load(lower(s) + ".key"));
  }

  /** A test-only key the policy does not trust. */
  static synchronized SigningKey attacker() {
    if (attacker == null) {
      attacker = load("attacker.key");
    }
    return attacker;
  }

  /** The digest of a chain's dataset, as its card states it. */
  static Sha256 datasetDigest(String chain) {
    try {
      return dev.custody.core.chain.ModelCard.parse(
              Files.readAllBytes(chain(chain).resolve(ChainLayout.CARD_FILE)))
          .dataset();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (PipelineException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Loads a committed private key through an owner-only copy: git does not keep file modes, and
   * {@link SigningKey#load} refuses a key others can read.
   */
  private static SigningKey load(String file) {
    try {
      Path tmp =
          Files.createTempFile(
              "custody-test-key-",
              ".pem",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        Files.write(tmp, Files.readAllBytes(ROOT.resolve("keys").resolve(file)));
        return SigningKey.load(tmp, null);
      } finally {
        Files.delete(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (PipelineException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Copies a chain (small files) into {@code to}, which must not exist. */
  static Path copy(Path from, Path to) throws IOException {
    try (var walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }

  private static String lower(Stage s) {
    return s.name().toLowerCase(Locale.ROOT);
  }
}
