package dev.custody.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;

/** Real ES256-signed JWTs with the claims a test needs (what an OIDC provider hands out). */
public final class Jwts {
  private Jwts() {}

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  /** A JWT over {@code claims}, signed with a fresh P-256 key. */
  public static String signed(Map<String, Object> claims) throws Exception {
    String header =
        B64.encodeToString("{\"alg\":\"ES256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload = B64.encodeToString(new ObjectMapper().writeValueAsBytes(claims));
    String input = header + "." + payload;
    return input + "." + B64.encodeToString(sign(input.getBytes(StandardCharsets.US_ASCII)));
  }

  private static byte[] sign(byte[] input) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair kp = g.generateKeyPair();
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
    s.initSign(kp.getPrivate());
    s.update(input);
    return s.sign();
  }

  /** Claims of a GitHub Actions token for a workflow of {@code repo} on main. */
  public static Map<String, Object> github(String repo, String workflowFile) {
    return Map.of(
        "iss",
        "https://token.actions.githubusercontent.com",
        "aud",
        "sigstore",
        "sub",
        "repo:" + repo + ":ref:refs/heads/main",
        "repository",
        repo,
        "job_workflow_ref",
        repo + "/.github/workflows/" + workflowFile + "@refs/heads/main",
        "exp",
        4102444800L);
  }
}
