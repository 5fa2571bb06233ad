package dev.custody.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.sigstore.json.ProtoJson;
import dev.sigstore.proto.trustroot.v1.SigningConfig;
import dev.sigstore.trustroot.SigstoreConfigurationException;
import dev.sigstore.trustroot.SigstoreSigningConfig;
import dev.sigstore.tuf.FileSystemTufStore;
import dev.sigstore.tuf.SigstoreTufClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A Sigstore instance as a client sees it: a trusted root to verify against and, for signing, a
 * signing config naming its Fulcio, Rekor, timestamp authority and OIDC URLs. Read from a {@code
 * ClientTrustConfig} file (media type {@value #MEDIA_TYPE}, the file model_signing's {@code
 * --trust_config} and cosign read), or fetched for the public-good instance through its TUF
 * repository. Staging and private instances are just other files.
 *
 * <p>The file is read strictly: a top-level key other than {@code mediaType}, {@code trustedRoot}
 * and {@code signingConfig}, another media type, or no trusted root is refused.
 */
public final class TrustConfig {
  /** The ClientTrustConfig media type read. */
  public static final String MEDIA_TYPE =
      "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json";

  /** The signing config media type sigstore-java 2.0.0 reads. */
  static final String SIGNING_CONFIG_MEDIA_TYPE =
      "application/vnd.dev.sigstore.signingconfig.v0.2+json";

  private static final Set<String> KEYS = Set.of("mediaType", "trustedRoot", "signingConfig");

  private final String source;
  private final TrustedRootMaterial trustedRoot;
  private final SigningConfig signingConfig; // null: verification only

  private TrustConfig(String source, TrustedRootMaterial trustedRoot, SigningConfig signingConfig) {
    this.source = source;
    this.trustedRoot = trustedRoot;
    this.signingConfig = signingConfig;
  }

  /**
   * Reads a ClientTrustConfig file.
   *
   * @throws IllegalArgumentException if the file is not a regular file of at most 4 MiB holding a
   *     ClientTrustConfig with a usable trusted root (and, when present, signing config); the
   *     message says what was expected and what was found
   * @throws java.nio.file.NoSuchFileException if the file does not exist
   * @throws IOException if it cannot be read
   */
  public static TrustConfig read(Path file) throws IOException {
    byte[] json;
    try {
      json =
          InputFiles.read(
              file,
              "a Sigstore ClientTrustConfig",
              TrustedRootMaterial.MAX_BYTES,
              Reason.MALFORMED,
              InputFiles.Links.FOLLOW);
    } catch (PipelineException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return parse(json, InputFiles.shown(file));
  }

  static TrustConfig parse(byte[] json, String where) {
    JsonNode root;
    try {
      root = Json.parse(json, where);
    } catch (PipelineException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException(
          where + ": expected a ClientTrustConfig JSON object, found " + root.getNodeType());
    }
    List<String> unknown = new ArrayList<>();
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        unknown.add(Printable.of(key, 100));
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          where
              + ": expected only mediaType, trustedRoot and signingConfig, found unknown key(s) "
              + unknown);
    }
    JsonNode mediaType = root.get("mediaType");
    if (mediaType == null || !MEDIA_TYPE.equals(mediaType.textValue())) {
      throw new IllegalArgumentException(
          where
              + ": expected mediaType "
              + MEDIA_TYPE
              + ", found "
              + (mediaType == null ? "none" : Printable.of(mediaType.toString(), 200)));
    }
    JsonNode trusted = root.get("trustedRoot");
    if (trusted == null || !trusted.isObject()) {
      throw new IllegalArgumentException(
          where
              + ": expected a trustedRoot object, found "
              + (trusted == null ? "none" : trusted.getNodeType().toString()));
    }
    TrustedRootMaterial material =
        TrustedRootMaterial.parse(trusted.toString(), where + " trustedRoot");
    JsonNode signing = root.get("signingConfig");
    SigningConfig config = null;
    if (signing != null) {
      if (!signing.isObject()) {
        throw new IllegalArgumentException(
            where + ": expected a signingConfig object, found " + signing.getNodeType());
      }
      config = signingConfig(signing.toString(), where + " signingConfig");
    }
    return new TrustConfig(where, material, config);
  }

  /**
   * The Sigstore public-good instance: its trusted root and signing config fetched and verified
   * through its TUF repository by sigstore-java (cached in {@code ~/.sigstore-java/root}). Needs
   * the network on first use and once a day.
   *
   * @throws PipelineException {@link Reason#SIGNING_FAILED} if the TUF repository cannot be reached
   *     or does not verify
   */
  public static TrustConfig publicGood() throws PipelineException {
    Path cache = Path.of(System.getProperty("user.home"), ".sigstore-java", "root");
    String where = "the Sigstore public-good TUF repository (https://tuf-repo-cdn.sigstore.dev)";
    try {
      SigstoreTufClient tuf =
          SigstoreTufClient.builder().usePublicGoodInstance().tufCacheLocation(cache).build();
      tuf.update();
      FileSystemTufStore store = FileSystemTufStore.newFileSystemStore(cache);
      String root = new String(store.readTarget("trusted_root.json"), StandardCharsets.UTF_8);
      String signing =
          new String(store.readTarget("signing_config.v0.2.json"), StandardCharsets.UTF_8);
      return new TrustConfig(
          where,
          TrustedRootMaterial.parse(root, where + " trusted_root.json"),
          signingConfig(signing, where + " signing_config.v0.2.json"));
    } catch (IOException | SigstoreConfigurationException | RuntimeException e) {
      throw new PipelineException(
          Reason.SIGNING_FAILED,
          where
              + ": expected a verified trusted root and signing config, found an error: "
              + SigstoreChecks.firstLine(e)
              + (e.getCause() != null ? ": " + SigstoreChecks.firstLine(e.getCause()) : ""));
    }
  }

  private static SigningConfig signingConfig(String json, String where) {
    SigningConfig.Builder b = SigningConfig.newBuilder();
    try {
      ProtoJson.parser().merge(json, b);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      SigstoreBundle.rethrowError(e);
      throw new IllegalArgumentException("not a Sigstore signing config: " + where, e);
    }
    SigningConfig config = b.build();
    if (!SIGNING_CONFIG_MEDIA_TYPE.equals(config.getMediaType())) {
      throw new IllegalArgumentException(
          where
              + ": expected mediaType "
              + SIGNING_CONFIG_MEDIA_TYPE
              + ", found "
              + Printable.of(config.getMediaType(), 200));
    }
    try {
      SigstoreSigningConfig.from(config);
    } catch (SigstoreConfigurationException | RuntimeException e) {
      throw new IllegalArgumentException(
          "unusable Sigstore signing config " + where + ": " + e.getMessage(), e);
    }
    return config;
  }

  /**
   * Checks that the instance can take a DSSE signature the way sigstore-java 2.0.0 makes one:
   * {@code KeylessSigner.attest} logs it on Rekor v2 only, with an RFC 3161 timestamp.
   *
   * @throws PipelineException {@link Reason#MALFORMED} without a signing config, {@link
   *     Reason#UNSUPPORTED} without a Rekor v2 log or a timestamp authority
   */
  void requireDsseSigning() throws PipelineException {
    signingConfig();
    boolean rekorV2 =
        signingConfig.getRekorTlogUrlsList().stream().anyMatch(u -> u.getMajorApiVersion() == 2);
    if (!rekorV2 || signingConfig.getTsaUrlsCount() == 0) {
      throw new PipelineException(
          Reason.UNSUPPORTED,
          source
              + ": expected a signing config with a Rekor v2 log and a timestamp authority"
              + " (sigstore-java 2.0.0 signs DSSE envelopes only on Rekor v2), found "
              + (rekorV2
                  ? ""
                  : "Rekor API versions "
                      + signingConfig.getRekorTlogUrlsList().stream()
                          .map(u -> String.valueOf(u.getMajorApiVersion()))
                          .distinct()
                          .toList()
                      + (signingConfig.getTsaUrlsCount() == 0 ? " and " : ""))
              + (signingConfig.getTsaUrlsCount() == 0 ? "no timestamp authority" : ""));
    }
  }

  /** Where this configuration came from (a file, or the public-good TUF repository). */
  public String source() {
    return source;
  }

  /** Whether it has a signing config (a verification-only file need not). */
  public boolean canSign() {
    return signingConfig != null;
  }

  TrustedRootMaterial trustedRoot() {
    return trustedRoot;
  }

  /**
   * The signing config as sigstore-java reads it.
   *
   * @throws PipelineException {@link Reason#MALFORMED} if this configuration has none
   */
  SigstoreSigningConfig signingConfig() throws PipelineException {
    try {
      return signingConfigOrThrow();
    } catch (SigstoreConfigurationException e) {
      throw new PipelineException(
          Reason.MALFORMED,
          source
              + ": expected a signingConfig (Fulcio, Rekor and timestamp authority URLs) for"
              + " keyless signing, found none");
    }
  }

  /** As {@link #signingConfig()}, for sigstore-java's {@code SigningConfigProvider}. */
  SigstoreSigningConfig signingConfigOrThrow() throws SigstoreConfigurationException {
    if (signingConfig == null) {
      throw new SigstoreConfigurationException(source + ": no signingConfig");
    }
    return SigstoreSigningConfig.from(signingConfig);
  }
}
