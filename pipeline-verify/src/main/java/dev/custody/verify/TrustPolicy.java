package dev.custody.verify;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.custody.core.KeyBundleVerifier;
import dev.custody.core.KeylessBundleVerifier;
import dev.custody.core.ModelSigning;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import dev.custody.core.VerificationKey;
import dev.custody.core.VerifiedModel;
import dev.custody.core.VerifiedStatement;
import dev.custody.core.Yaml;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Who is trusted to sign each stage's evidence, and what a model must carry to be used. Loaded from
 * strict YAML (see the README for the format) or built in code.
 *
 * <h3>Security guarantees</h3>
 *
 * Each stage has its own signers: a signature is checked only against the keys or identities the
 * policy names for <em>that</em> stage, so a key trusted to sign datasets cannot vouch for a model.
 * A policy that leaves a stage without signers is refused when it is built or loaded; there is no
 * "accept any signer".
 */
public final class TrustPolicy {
  /** The stages whose evidence is signed. */
  public enum Stage {
    /** Dataset attestations: which bytes were ingested and how they were screened. */
    INGEST,
    /** Model signatures and training provenance. */
    TRAIN,
    /** Gate (evaluation) attestations. */
    EVALUATE,
    /** Verification summaries of independent re-runs. */
    REPRODUCE;

    String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Signers trusted for one stage: public keys and/or keyless identities. */
  private record StageTrust(List<VerificationKey> keys, KeylessBundleVerifier keyless) {
    boolean empty() {
      return keys.isEmpty() && keyless == null;
    }
  }

  private final Map<Stage, StageTrust> stages;
  private final boolean requireGate;
  private final boolean requireReproduction;
  private final int minModelVersion;
  private final ModelAllowList allowList;
  private final Path dependencyLock;

  private TrustPolicy(Builder b) {
    this.stages = new EnumMap<>(b.stages);
    this.requireGate = b.requireGate;
    this.requireReproduction = b.requireReproduction;
    this.minModelVersion = b.minModelVersion;
    this.allowList = b.allowList;
    this.dependencyLock = b.dependencyLock;
  }

  /** A builder: trust for ingest, train and evaluate is required; a gate is required by default. */
  public static Builder builder() {
    return new Builder();
  }

  /** Verifies a DSSE bundle of {@code stage} whose statement must name {@code subject}. */
  public VerifiedStatement verifyStatement(Stage stage, byte[] bundle, Sha256 subject)
      throws VerificationException {
    StageTrust t = trust(stage);
    VerificationException keyFailure = null;
    if (!t.keys().isEmpty()) {
      try {
        VerifiedStatement vs = KeyBundleVerifier.builder().trust(t.keys()).build().verifyStatement(bundle);
        requireSubject(stage, vs.statement(), subject);
        return vs;
      } catch (VerificationException e) {
        if (t.keyless() == null || e.reason() != Reason.UNSUPPORTED) {
          throw e;
        }
        keyFailure = e; // a certificate bundle: try the keyless signers
      }
    }
    try {
      VerifiedStatement vs = t.keyless().verifyStatement(bundle, subject);
      requireSubject(stage, vs.statement(), subject);
      return vs;
    } catch (VerificationException e) {
      if (keyFailure != null) {
        e.addSuppressed(keyFailure);
      }
      throw e;
    }
  }

  /** Verifies a model's OpenSSF Model Signing signature against the TRAIN stage's signers. */
  public VerifiedModel verifyModel(Path model, Path signature, List<String> ignores)
      throws IOException, VerificationException {
    StageTrust t = trust(Stage.TRAIN);
    if (!t.keys().isEmpty()) {
      try {
        return ModelSigning.verify(model, signature, KeyBundleVerifier.builder().trust(t.keys()).build(), ignores);
      } catch (VerificationException e) {
        if (t.keyless() == null || e.reason() != Reason.UNSUPPORTED) {
          throw e;
        }
      }
    }
    return ModelSigning.verify(model, signature, t.keyless(), ignores);
  }

  /** Whether a passed gate attestation is required. */
  public boolean requireGate() {
    return requireGate;
  }

  /** Whether a verification summary of an independent re-run is required. */
  public boolean requireReproduction() {
    return requireReproduction;
  }

  /** The lowest model version accepted (rollback protection). */
  public int minModelVersion() {
    return minModelVersion;
  }

  /** The classes a model may name. */
  public ModelAllowList allowList() {
    return allowList;
  }

  /** A signed dependency lock the training classpath must equal, if the policy names one. */
  public java.util.Optional<Path> dependencyLock() {
    return java.util.Optional.ofNullable(dependencyLock);
  }

  private StageTrust trust(Stage stage) throws VerificationException {
    StageTrust t = stages.get(stage);
    if (t == null || t.empty()) {
      throw new VerificationException(
          Reason.UNTRUSTED_SIGNER, "the trust policy names no signer for stage " + stage.yamlName());
    }
    return t;
  }

  private static void requireSubject(Stage stage, Statement st, Sha256 subject) throws VerificationException {
    for (Statement.Subject s : st.subjects()) {
      if (s.digest().containsKey("sha256") && s.sha256().matches(subject)) {
        return;
      }
    }
    throw new VerificationException(
        Reason.DIGEST_MISMATCH,
        stage.yamlName() + " evidence: expected a statement about " + subject + ", found subjects "
            + st.subjects().stream().map(x -> x.name() + "=" + x.digest().get("sha256")).toList());
  }

  /** Builds a {@link TrustPolicy}. */
  public static final class Builder {
    private final Map<Stage, StageTrust> stages = new EnumMap<>(Stage.class);
    private boolean requireGate = true;
    private boolean requireReproduction;
    private int minModelVersion = 1;
    private ModelAllowList allowList = ModelAllowList.defaults();
    private Path dependencyLock;

    private Builder() {}

    /** Trusts {@code key} to sign {@code stage}'s evidence. */
    public Builder trustKey(Stage stage, VerificationKey key) {
      StageTrust t = stages.getOrDefault(stage, new StageTrust(List.of(), null));
      List<VerificationKey> keys = new ArrayList<>(t.keys());
      keys.add(Objects.requireNonNull(key, "key"));
      stages.put(stage, new StageTrust(List.copyOf(keys), t.keyless()));
      return this;
    }

    /** Trusts keyless signatures of {@code stage} by the signers {@code verifier} requires. */
    public Builder trustKeyless(Stage stage, KeylessBundleVerifier verifier) {
      StageTrust t = stages.getOrDefault(stage, new StageTrust(List.of(), null));
      stages.put(stage, new StageTrust(t.keys(), Objects.requireNonNull(verifier, "verifier")));
      return this;
    }

    /** Whether a passed gate attestation is required (default: yes). */
    public Builder requireGate(boolean require) {
      this.requireGate = require;
      return this;
    }

    /** Whether a verification summary of an independent re-run is required (default: no). */
    public Builder requireReproduction(boolean require) {
      this.requireReproduction = require;
      return this;
    }

    /** The lowest model version accepted (default 1). */
    public Builder minModelVersion(int version) {
      if (version < 1) {
        throw new IllegalArgumentException("minModelVersion must be at least 1, got " + version);
      }
      this.minModelVersion = version;
      return this;
    }

    /** The classes a model may name (default: {@link ModelAllowList#defaults()}). */
    public Builder allowList(ModelAllowList allowList) {
      this.allowList = Objects.requireNonNull(allowList, "allowList");
      return this;
    }

    /** A signed dependency lock the training classpath must equal. */
    public Builder dependencyLock(Path lock) {
      this.dependencyLock = lock;
      return this;
    }

    /**
     * @throws IllegalStateException if ingest, train or evaluate (or reproduce, when required)
     *     has no signer: a policy that trusts nobody is a mistake, not a default
     */
    public TrustPolicy build() {
      List<Stage> needed = new ArrayList<>(List.of(Stage.INGEST, Stage.TRAIN, Stage.EVALUATE));
      if (requireReproduction) {
        needed.add(Stage.REPRODUCE);
      }
      List<String> missing = new ArrayList<>();
      for (Stage s : needed) {
        StageTrust t = stages.get(s);
        if (t == null || t.empty()) {
          missing.add(s.yamlName());
        }
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            "the trust policy names no signer for stage(s) " + String.join(", ", missing)
                + ": give each keys or keyless identities");
      }
      return new TrustPolicy(this);
    }
  }

  // ---- YAML ----

  /**
   * Loads a policy file. Key, trusted-root and lock paths are relative to the file's directory.
   *
   * @throws PipelineException {@link Reason#POLICY_INVALID} naming the file, key, line and column
   */
  public static TrustPolicy load(Path file) throws IOException, PipelineException {
    PolicyFile pf = Yaml.read(file, PolicyFile.class, Reason.POLICY_INVALID);
    Path dir = file.toAbsolutePath().getParent();
    Builder b = builder();
    for (Map.Entry<String, StageFile> e : pf.stages().entrySet()) {
      Stage stage;
      try {
        stage = Stage.valueOf(e.getKey().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException ex) {
        throw new PipelineException(
            Reason.POLICY_INVALID,
            file + ": stages: unknown stage '" + e.getKey() + "' (expected ingest, train, evaluate, reproduce)");
      }
      StageFile sf = e.getValue();
      for (String k : sf.keys()) {
        b.trustKey(stage, VerificationKey.fromPem(dir.resolve(k)));
      }
      if (!sf.identities().isEmpty()) {
        if (sf.trustedRoot() == null) {
          throw new PipelineException(
              Reason.POLICY_INVALID, file + ": stages." + e.getKey() + ": identities need a trustedRoot");
        }
        KeylessBundleVerifier.Builder kb = KeylessBundleVerifier.builder().trustedRoot(dir.resolve(sf.trustedRoot()));
        sf.identities().forEach(i -> kb.requireSigner(i.identity(), i.issuer()));
        b.trustKeyless(stage, kb.build());
      }
    }
    RequireFile req = pf.require();
    b.requireGate(req.gatePassed()).requireReproduction(req.reproduced());
    ModelFile mf = pf.model();
    b.minModelVersion(mf.minVersion());
    if (!mf.allowClasses().isEmpty()) {
      b.allowList(ModelAllowList.defaults().toBuilder().allowClass(mf.allowClasses().toArray(String[]::new)).build());
    }
    if (pf.dependencies() != null && pf.dependencies().lock() != null) {
      b.dependencyLock(dir.resolve(pf.dependencies().lock()));
    }
    try {
      return b.build();
    } catch (IllegalStateException e) {
      throw new PipelineException(Reason.POLICY_INVALID, file + ": " + e.getMessage());
    }
  }

  record PolicyFile(
      @JsonProperty(value = "version", required = true) Integer version,
      @JsonProperty(value = "stages", required = true) Map<String, StageFile> stages,
      @JsonProperty("require") RequireFile require,
      @JsonProperty("model") ModelFile model,
      @JsonProperty("dependencies") DependenciesFile dependencies) {
    PolicyFile {
      if (version == null || version != 1) {
        throw new IllegalArgumentException("version: expected 1, found " + version);
      }
      if (stages == null || stages.isEmpty()) {
        throw new IllegalArgumentException("stages: expected signers for ingest, train and evaluate, found none");
      }
      require = require == null ? new RequireFile(null, null) : require;
      model = model == null ? new ModelFile(null, null) : model;
    }
  }

  record StageFile(
      @JsonProperty("keys") List<String> keys,
      @JsonProperty("identities") List<IdentityFile> identities,
      @JsonProperty("trustedRoot") String trustedRoot) {
    StageFile {
      keys = keys == null ? List.of() : keys;
      identities = identities == null ? List.of() : identities;
    }
  }

  record IdentityFile(
      @JsonProperty(value = "identity", required = true) String identity,
      @JsonProperty(value = "issuer", required = true) String issuer) {
    IdentityFile {
      if (identity == null || issuer == null) {
        throw new IllegalArgumentException("an identity needs both 'identity' and 'issuer'");
      }
    }
  }

  record RequireFile(
      @JsonProperty("gatePassed") Boolean gatePassed, @JsonProperty("reproduced") Boolean reproduced) {
    RequireFile {
      gatePassed = gatePassed == null || gatePassed;
      reproduced = reproduced != null && reproduced;
    }
  }

  record ModelFile(
      @JsonProperty("minVersion") Integer minVersion,
      @JsonProperty("allowClasses") List<String> allowClasses) {
    ModelFile {
      minVersion = minVersion == null ? 1 : minVersion;
      if (minVersion < 1) {
        throw new IllegalArgumentException("minVersion: expected at least 1, found " + minVersion);
      }
      allowClasses = allowClasses == null ? List.of() : allowClasses;
    }
  }

  record DependenciesFile(@JsonProperty(value = "lock", required = true) String lock) {}
}
