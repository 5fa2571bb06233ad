package dev.custody.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * ClientTrustConfig files written at test time around a trusted root read from the shared fixtures
 * (never copied into the repository), with a signing config naming public-good-style services.
 */
public final class TrustConfigs {
  private TrustConfigs() {}

  /** A signing config offering Rekor v2 and a timestamp authority: what DSSE signing needs. */
  public static final String SIGNING_REKOR_V2 =
      signing(
          "{\"url\": \"https://log2025-1.rekor.sigstore.dev\", \"majorApiVersion\": 2,"
              + " \"validFor\": {\"start\": \"2025-09-23T00:00:00Z\"}, \"operator\": \"sigstore.dev\"}",
          "[{\"url\": \"https://timestamp.sigstore.dev/api/v1/timestamp\", \"majorApiVersion\": 1,"
              + " \"validFor\": {\"start\": \"2025-07-04T00:00:00Z\"}, \"operator\": \"sigstore.dev\"}]");

  /** A signing config with a Rekor v1 log only and no timestamp authority. */
  public static final String SIGNING_REKOR_V1_ONLY =
      signing(
          "{\"url\": \"https://rekor.sigstore.dev\", \"majorApiVersion\": 1,"
              + " \"validFor\": {\"start\": \"2021-01-12T11:53:27Z\"}, \"operator\": \"sigstore.dev\"}",
          "[]");

  private static String signing(String rekor, String tsas) {
    return "{\"mediaType\": \"application/vnd.dev.sigstore.signingconfig.v0.2+json\","
        + " \"caUrls\": [{\"url\": \"https://fulcio.sigstore.dev\", \"majorApiVersion\": 1,"
        + " \"validFor\": {\"start\": \"2023-04-14T21:38:40Z\"}, \"operator\": \"sigstore.dev\"}],"
        + " \"oidcUrls\": [{\"url\": \"https://oauth2.sigstore.dev/auth\", \"majorApiVersion\": 1,"
        + " \"validFor\": {\"start\": \"2025-04-16T00:00:00Z\"}, \"operator\": \"sigstore.dev\"}],"
        + " \"rekorTlogUrls\": ["
        + rekor
        + "], \"tsaUrls\": "
        + tsas
        + ", \"rekorTlogConfig\": {\"selector\": \"ANY\"}, \"tsaConfig\": {\"selector\": \"ANY\"}}";
  }

  /**
   * Writes {@code {mediaType, trustedRoot: <root file>, signingConfig}} to {@code target}; a null
   * {@code signingConfig} leaves it out.
   */
  public static Path write(Path target, Path trustedRoot, String signingConfig) throws IOException {
    String root = Files.readString(trustedRoot, StandardCharsets.UTF_8);
    String json =
        "{\"mediaType\": \""
            + TrustConfig.MEDIA_TYPE
            + "\", \"trustedRoot\": "
            + root
            + (signingConfig == null ? "" : ", \"signingConfig\": " + signingConfig)
            + "}";
    Files.writeString(target, json, StandardCharsets.UTF_8);
    return target;
  }
}
