package dev.custody.verify;

import dev.custody.core.InputFiles;
import dev.custody.core.KeyBundleVerifier;
import dev.custody.core.KeylessBundleVerifier;
import dev.custody.core.PipelineException;
import dev.custody.core.Printable;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import dev.custody.core.VerificationKey;
import dev.custody.core.VerifiedStatement;
import dev.custody.core.YamlReader;
import dev.custody.core.YamlReader.Obj;
import dev.custody.core.YamlTree;
import dev.custody.core.YamlTree.Node;
import dev.custody.core.chain.Stage;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
  /** Signers trusted for one stage: public keys and/or keyless identities. */
  private record StageTrust(List<VerificationKey> keys, KeylessBundleVerifier keyless) {
    boolean empty() {
      return keys.isEmpty() && keyless == null;
    }
  }

  /** Longest message of a refused allow-list entry quoted in an error. */
  private static final int MAX_SHOWN = 200;

  private final Map<Stage, StageTrust> stages;
  private final boolean requireGate;
  private final boolean requireReproduction;
  private final int minModelVersion;
  private final ModelAllowList allowList;
  private final Path dependencyLock;
  private final java.util.Set<Sha256> allowedJarDigests;

  private TrustPolicy(Builder b) {
    this.stages = new EnumMap<>(b.stages);
    this.requireGate = b.requireGate;
    this.requireReproduction = b.requireReproduction;
    this.minModelVersion = b.minModelVersion;
    this.allowList = b.allowList;
    this.dependencyLock = b.dependencyLock;
    this.allowedJarDigests = java.util.Set.copyOf(b.allowedJarDigests);
  }

  /**
   * A builder: signers for ingest and train are required, and for evaluate while a gate is required
   * (the default).
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Verifies a DSSE bundle of {@code stage} whose statement must name {@code subject}, against the
   * signers the policy trusts for that stage only.
   *
   * @throws VerificationException {@link Reason#UNTRUSTED_SIGNER} if the bundle is signed by
   *     someone the policy does not trust for {@code stage} (the message names the stage that does
   *     trust the key, if any); {@link Reason#DIGEST_MISMATCH} if the statement is not about {@code
   *     subject}; otherwise as {@link KeyBundleVerifier#verifyStatement} and {@link
   *     KeylessBundleVerifier#verifyStatement}
   */
  public VerifiedStatement verifyStatement(Stage stage, byte[] bundle, Sha256 subject)
      throws VerificationException {
    Objects.requireNonNull(subject, "subject");
    VerifiedStatement vs = verify(stage, bundle, subject);
    requireSubject(stage, vs.statement(), subject);
    return vs;
  }

  /**
   * Verifies a DSSE bundle of {@code stage} whatever its subjects (a dependency lock names one
   * subject per jar). A keyless bundle's statement is read only once its signature has verified;
   * its log entry is then checked for the first subject it names.
   */
  VerifiedStatement verifyStatement(Stage stage, byte[] bundle) throws VerificationException {
    return verify(stage, bundle, null);
  }

  private VerifiedStatement verify(Stage stage, byte[] bundle, Sha256 subject)
      throws VerificationException {
    StageTrust t = trust(stage);
    VerificationException keyFailure = null;
    if (!t.keys().isEmpty()) {
      try {
        return KeyBundleVerifier.builder().trust(t.keys()).build().verifyStatement(bundle);
      } catch (VerificationException e) {
        if (t.keyless() == null || e.reason() != Reason.UNSUPPORTED) {
          throw otherStage(stage, t.keys(), bundle, e);
        }
        keyFailure = e; // a certificate bundle: try the keyless signers
      }
    }
    try {
      return subject != null
          ? t.keyless().verifyStatement(bundle, subject)
          : t.keyless().verifyStatement(bundle);
    } catch (VerificationException e) {
      if (keyFailure != null) {
        e.addSuppressed(keyFailure);
      }
      throw e;
    }
  }

  /**
   * A key-signed bundle that failed for {@code stage}: if a key trusted for another stage verifies
   * it, say so (the evidence was signed by the wrong stage's key).
   *
   * <p>One more pass, not one per stage: the keys the other stages trust, less those already tried
   * for {@code stage}, go into one verifier, so each distinct key of the policy is tried at most
   * once per bundle (once in all when the bundle names its key), and the stage is then read off the
   * key that verified.
   */
  private VerificationException otherStage(
      Stage stage, List<VerificationKey> trusted, byte[] bundle, VerificationException e) {
    if (e.reason() != Reason.UNTRUSTED_SIGNER && e.reason() != Reason.SIGNATURE_INVALID) {
      return e;
    }
    Set<VerificationKey> others = new LinkedHashSet<>();
    for (Map.Entry<Stage, StageTrust> other : stages.entrySet()) {
      if (other.getKey() != stage) {
        others.addAll(other.getValue().keys());
      }
    }
    others.removeAll(trusted);
    if (others.isEmpty()) {
      return e;
    }
    VerifiedStatement vs;
    try {
      vs = KeyBundleVerifier.builder().trust(others).build().verifyStatement(bundle);
    } catch (VerificationException ignored) {
      return e; // no other stage's key either
    }
    VerificationKey signer = vs.key().orElseThrow();
    for (Map.Entry<Stage, StageTrust> other : stages.entrySet()) {
      if (other.getKey() != stage && other.getValue().keys().contains(signer)) {
        VerificationException wrong =
            new VerificationException(
                Reason.UNTRUSTED_SIGNER,
                yamlName(stage)
                    + " evidence: signed by "
                    + vs.signer()
                    + ", which the policy trusts for stage "
                    + yamlName(other.getKey())
                    + ", not "
                    + yamlName(stage)
                    + " (expected one of "
                    + hints(trusted)
                    + ")");
        wrong.addSuppressed(e);
        return wrong;
      }
    }
    throw new IllegalStateException("key " + signer.hint() + " verified but no stage trusts it");
  }

  private static String hints(List<VerificationKey> keys) {
    return keys.stream().map(VerificationKey::hint).toList().toString();
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

  /**
   * SHA-256 digests of the jars a model may have been trained with: every jar the provenance
   * records must be one of them (empty: no allow-list rule).
   */
  public java.util.Set<Sha256> allowedJarDigests() {
    return allowedJarDigests;
  }

  /** A signed dependency lock the training classpath must equal, if the policy names one. */
  public java.util.Optional<Path> dependencyLock() {
    return java.util.Optional.ofNullable(dependencyLock);
  }

  private StageTrust trust(Stage stage) throws VerificationException {
    StageTrust t = stages.get(stage);
    if (t == null || t.empty()) {
      throw new VerificationException(
          Reason.UNTRUSTED_SIGNER, "the trust policy names no signer for stage " + yamlName(stage));
    }
    return t;
  }

  private static void requireSubject(Stage stage, Statement st, Sha256 subject)
      throws VerificationException {
    for (Statement.Subject s : st.subjects()) {
      if (s.digest().containsKey("sha256") && s.sha256().matches(subject)) {
        return;
      }
    }
    throw new VerificationException(
        Reason.DIGEST_MISMATCH,
        yamlName(stage)
            + " evidence: expected a statement about "
            + subject
            + ", found subjects "
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
    private final java.util.Set<Sha256> allowedJarDigests = new java.util.LinkedHashSet<>();

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

    /**
     * Accepts models without a passed gate attestation (the YAML policy's {@code require:
     * {gatePassed: false}}). By default a gate attestation is required, signed by an EVALUATE
     * signer, about this model, with every gate passed; this relaxation lets a model that no
     * release gate has looked at through, hence the name.
     */
    public Builder insecureAcceptUngatedModels() {
      this.requireGate = false;
      return this;
    }

    /**
     * Requires a {@code PASSED} verification summary of an independent re-run, signed by a
     * REPRODUCE signer (default: not required).
     */
    public Builder requireReproduction() {
      this.requireReproduction = true;
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

    /**
     * Allows models trained with jars of these digests only (the provenance's jars must be a
     * subset).
     */
    public Builder allowJarDigests(java.util.Collection<Sha256> digests) {
      digests.forEach(d -> allowedJarDigests.add(Objects.requireNonNull(d, "digest")));
      return this;
    }

    /** A signed dependency lock the training classpath must equal. */
    public Builder dependencyLock(Path lock) {
      this.dependencyLock = lock;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @throws IllegalStateException if ingest or train, evaluate when a gate is required, or
     *     reproduce when a reproduction is required, has no signer: a policy that trusts nobody is
     *     a mistake, not a default
     */
    public TrustPolicy build() {
      List<Stage> needed = new ArrayList<>(List.of(Stage.INGEST, Stage.TRAIN));
      if (requireGate) {
        needed.add(Stage.EVALUATE);
      }
      if (requireReproduction) {
        needed.add(Stage.REPRODUCE);
      }
      List<String> missing = new ArrayList<>();
      for (Stage s : needed) {
        StageTrust t = stages.get(s);
        if (t == null || t.empty()) {
          missing.add(yamlName(s));
        }
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            "the trust policy names no signer for stage(s) "
                + String.join(", ", missing)
                + ": give each keys or keyless identities");
      }
      return new TrustPolicy(this);
    }
  }

  // ---- YAML ----

  /**
   * Loads a policy file (format in the README, "Trust policy"). Key, trusted-root and lock paths
   * are relative to the directory of the file's real path: a policy reached through a symbolic link
   * trusts the keys beside the policy itself, never files planted beside the link.
   *
   * @throws PipelineException {@link Reason#POLICY_INVALID} naming the file and, for a syntax,
   *     unknown-key or wrong-type error, the key path, line and column; also for a policy path that
   *     is not a regular file (a FIFO, a directory), a stage without signers, a trusted root or
   *     dependency lock that is missing or not a regular file, and an {@code allowClasses} entry
   *     the allow-list refuses, and a key that is missing, not a regular file or not a PEM EC
   *     public key
   * @throws IOException if the policy file itself cannot be read
   */
  public static TrustPolicy load(Path file) throws IOException, PipelineException {
    String shownFile = InputFiles.shown(file);
    YamlReader r = new YamlReader(shownFile, Reason.POLICY_INVALID);
    Obj root =
        r.map(
            YamlTree.read(file, Reason.POLICY_INVALID),
            "version",
            "stages",
            "require",
            "model",
            "dependencies");
    Node versionNode = root.required("version");
    long version = r.integer(versionNode, Long.MIN_VALUE, Long.MAX_VALUE);
    if (version != 1) {
      throw r.error(versionNode, "expected 1, found " + version);
    }
    Path dir = file.toRealPath().getParent();
    Builder b = builder();
    stages(r, root.required("stages"), dir, b);
    Node req = root.optional("require");
    if (req != null) {
      Obj o = r.map(req, "gatePassed", "reproduced");
      Node gate = o.optional("gatePassed");
      Node reproduced = o.optional("reproduced");
      if (gate != null && !r.bool(gate)) {
        b.insecureAcceptUngatedModels();
      }
      if (reproduced != null && r.bool(reproduced)) {
        b.requireReproduction();
      }
    }
    Node model = root.optional("model");
    if (model != null) {
      Obj o = r.map(model, "minVersion", "allowClasses");
      Node min = o.optional("minVersion");
      if (min != null) {
        long v = r.integer(min, Long.MIN_VALUE, Long.MAX_VALUE);
        if (v < 1 || v > Integer.MAX_VALUE) {
          throw r.error(min, "expected at least 1, found " + v);
        }
        b.minModelVersion((int) v);
      }
      Node classes = o.optional("allowClasses");
      if (classes != null) {
        List<String> names = new ArrayList<>();
        for (Node c : r.list(classes)) {
          names.add(r.string(c));
        }
        if (!names.isEmpty()) {
          try {
            b.allowList(
                ModelAllowList.defaults().toBuilder()
                    .allowClass(names.toArray(String[]::new))
                    .build());
          } catch (IllegalArgumentException e) {
            throw r.error(classes, Printable.of(String.valueOf(e.getMessage()), MAX_SHOWN), e);
          }
        }
      }
    }
    Node deps = root.optional("dependencies");
    if (deps != null) {
      Obj o = r.map(deps, "lock", "allow");
      if (o.has("lock") == o.has("allow")) {
        throw r.error(
            deps,
            "expected either lock (a signed dependency lock) or allow (a list of jar SHA-256 digests), found "
                + (o.has("lock") ? "both" : "neither"));
      }
      if (o.has("lock")) {
        Node lockNode = o.required("lock");
        b.dependencyLock(lock(r, lockNode, dir.resolve(r.string(lockNode))));
      } else {
        List<Sha256> digests = new ArrayList<>();
        for (Node d : r.nonEmptyList(o.required("allow"))) {
          digests.add(r.sha256(d));
        }
        b.allowJarDigests(digests);
      }
    }
    try {
      return b.build();
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new PipelineException(Reason.POLICY_INVALID, shownFile + ": " + e.getMessage());
    }
  }

  /**
   * The dependency lock a policy names, checked when the policy is loaded: it must exist and be a
   * regular file (or a link to one). Its real path is kept, so the chain verifier, which never
   * follows a link, reads the file the policy named.
   */
  private static Path lock(YamlReader r, Node node, Path lock)
      throws IOException, PipelineException {
    try {
      InputFiles.requireRegular(
          lock, "a signed dependency lock", Reason.POLICY_INVALID, InputFiles.Links.FOLLOW);
      return lock.toRealPath();
    } catch (NoSuchFileException e) {
      throw r.error(node, "expected a signed dependency lock, found no such file " + shown(lock));
    } catch (PipelineException e) {
      throw r.error(node, e.getMessage(), e);
    }
  }

  private static String shown(Path p) {
    return InputFiles.shown(p);
  }

  /** {@code stages:}: one entry per stage, each trusting keys and/or keyless identities. */
  private static void stages(YamlReader r, Node node, Path dir, Builder b)
      throws IOException, PipelineException {
    String[] names =
        Arrays.stream(Stage.values()).map(TrustPolicy::yamlName).toArray(String[]::new);
    Obj stages = r.map(node, names);
    List<String> missing = new ArrayList<>();
    for (Stage s : List.of(Stage.INGEST, Stage.TRAIN)) {
      if (!stages.has(yamlName(s))) {
        missing.add(yamlName(s));
      }
    }
    if (!missing.isEmpty()) {
      throw r.error(
          node,
          "expected signers (keys or identities) for stage(s) "
              + String.join(", ", missing)
              + ", found none");
    }
    for (Stage stage : Stage.values()) {
      if (stages.has(yamlName(stage))) {
        stage(r, stages.required(yamlName(stage)), stage, dir, b);
      }
    }
  }

  private static void stage(YamlReader r, Node node, Stage stage, Path dir, Builder b)
      throws IOException, PipelineException {
    String noSigner =
        "a stage must trust at least one signer: expected 'keys' or 'identities', found neither";
    if (node instanceof YamlTree.Scalar s && s.isNull()) {
      throw r.error(node, noSigner);
    }
    Obj o = r.map(node, "keys", "identities", "trustedRoot", "trustConfig");
    Node keysNode = o.optional("keys");
    List<Node> keys = keysNode == null ? List.of() : r.list(keysNode);
    Node identitiesNode = o.optional("identities");
    List<Node> identities = identitiesNode == null ? List.of() : r.list(identitiesNode);
    Node trustedRootNode = o.optional("trustedRoot");
    Node trustConfigNode = o.optional("trustConfig");
    Node rootNode = trustedRootNode != null ? trustedRootNode : trustConfigNode;
    if (keys.isEmpty() && identities.isEmpty()) {
      throw r.error(node, noSigner);
    }
    if (trustedRootNode != null && trustConfigNode != null) {
      throw r.error(
          trustConfigNode,
          "expected one of 'trustedRoot' (a trusted_root.json) or 'trustConfig' (a"
              + " ClientTrustConfig), found both");
    }
    if (!identities.isEmpty() && rootNode == null) {
      throw r.error(
          node,
          "'identities' need a 'trustedRoot' (a trusted_root.json) or a 'trustConfig' (a"
              + " ClientTrustConfig)");
    }
    if (identities.isEmpty() && rootNode != null) {
      throw r.error(
          rootNode,
          "'"
              + (trustedRootNode != null ? "trustedRoot" : "trustConfig")
              + "' is given but no 'identities' use it");
    }
    for (Node k : keys) {
      String text = r.string(k);
      if (text.isBlank()) {
        throw r.error(k, "expected a path to a PEM public key, found an empty entry");
      }
      Path key = dir.resolve(text);
      try {
        b.trustKey(stage, VerificationKey.fromPem(key));
      } catch (NoSuchFileException e) {
        throw r.error(k, "expected a PEM public key, found no such key file " + shown(key));
      } catch (PipelineException e) {
        String m = e.getMessage();
        throw r.error(k, m.startsWith(shown(key)) ? m : shown(key) + ": " + m, e);
      }
    }
    if (!identities.isEmpty()) {
      Path root = dir.resolve(r.string(rootNode));
      KeylessBundleVerifier.Builder kb =
          trustedRootNode != null
              ? KeylessBundleVerifier.builder().trustedRoot(root)
              : KeylessBundleVerifier.builder().trustConfig(root);
      for (Node i : identities) {
        Obj id = r.map(i, "identity", "issuer");
        kb.requireSigner(r.string(id.required("identity")), r.string(id.required("issuer")));
      }
      try {
        b.trustKeyless(stage, kb.build());
      } catch (NoSuchFileException e) {
        throw r.error(rootNode, "no such file " + shown(root));
      } catch (IllegalArgumentException e) {
        String m = String.valueOf(e.getMessage());
        throw r.error(rootNode, m.startsWith(shown(root)) ? m : shown(root) + ": " + m, e);
      }
    }
  }

  /** A stage's key under {@code stages:} in the policy YAML: its name in lower case. */
  private static String yamlName(Stage stage) {
    return stage.name().toLowerCase(Locale.ROOT);
  }
}
