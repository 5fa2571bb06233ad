package dev.custody.core.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The reproduction's SLSA verification summary ({@value #TYPE}, stage REPRODUCE): an independent
 * re-run of the signed spec on the verified data gave a model with the same content digest. The
 * subject is the model with root digest {@code R}.
 *
 * <p>One writer, {@link #statement()}, and one strict reader, {@link #read(Statement)}.
 *
 * @param modelName the model's name (the subject's name and {@code resourceUri})
 * @param rootDigest the model root digest {@code R} (the subject's digest)
 * @param timeVerified when the re-run finished
 * @param specDigest the spec digest (the {@code policy} digest)
 * @param provenanceDigest the SHA-256 of the provenance file's bytes (the input attestation)
 * @param result {@code verificationResult}: {@value #PASSED} when the digests matched
 * @param contentDigest the signed model content digest
 * @param reproducedContentDigest the content digest of the re-run
 */
public record ReproductionSummary(
    String modelName,
    Sha256 rootDigest,
    Instant timeVerified,
    Sha256 specDigest,
    Sha256 provenanceDigest,
    String result,
    Sha256 contentDigest,
    Sha256 reproducedContentDigest) {
  /** The predicate type. */
  public static final String TYPE = "https://slsa.dev/verification_summary/v1";

  /** The verifier id of a Custody reproduction. */
  public static final String VERIFIER = "https://custody.dev/reproduce";

  /** The policy URI of a Custody reproduction. */
  public static final String POLICY = "https://custody.dev/reproduce/v1";

  /** The result of a reproduction that gave the same model. */
  public static final String PASSED = "PASSED";

  private static final String LEVEL = "SLSA_BUILD_LEVEL_1";
  private static final String SLSA_VERSION = "1.0";
  private static final String WHERE = "reproduction predicate";
  private static final Set<String> FIELDS =
      Set.of(
          "verifier",
          "timeVerified",
          "resourceUri",
          "policy",
          "inputAttestations",
          "verificationResult",
          "verifiedLevels",
          "slsaVersion",
          "custody");

  /** Validates the summary. */
  public ReproductionSummary {
    Objects.requireNonNull(modelName, "modelName");
    Objects.requireNonNull(rootDigest, "rootDigest");
    Objects.requireNonNull(timeVerified, "timeVerified");
    Objects.requireNonNull(specDigest, "specDigest");
    Objects.requireNonNull(provenanceDigest, "provenanceDigest");
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(contentDigest, "contentDigest");
    Objects.requireNonNull(reproducedContentDigest, "reproducedContentDigest");
  }

  /** Whether the result is {@value #PASSED}. */
  public boolean passed() {
    return PASSED.equals(result);
  }

  /** The statement to sign: subject the model with digest R, this predicate. */
  public Statement statement() {
    ObjectNode predicate = JsonNodeFactory.instance.objectNode();
    predicate.putObject("verifier").put("id", VERIFIER);
    predicate.put("timeVerified", JsonFields.rfc3339(timeVerified));
    predicate.put("resourceUri", modelName);
    ObjectNode policy = predicate.putObject("policy");
    policy.put("uri", POLICY);
    policy.set("digest", JsonFields.digest(specDigest));
    ObjectNode input = predicate.putArray("inputAttestations").addObject();
    input.put("uri", ChainLayout.PROVENANCE);
    input.set("digest", JsonFields.digest(provenanceDigest));
    predicate.put("verificationResult", result);
    predicate.putArray("verifiedLevels").add(LEVEL);
    predicate.put("slsaVersion", SLSA_VERSION);
    ObjectNode custody = predicate.putObject("custody");
    custody.put("contentDigest", contentDigest.hex());
    custody.put("reproducedContentDigest", reproducedContentDigest.hex());
    return new Statement(List.of(Statement.Subject.of(modelName, rootDigest)), TYPE, predicate);
  }

  /**
   * Reads a verified verification summary strictly.
   *
   * @throws VerificationException {@link Reason#UNSUPPORTED} for another predicate type, verifier
   *     or policy; {@link Reason#MALFORMED} naming the JSON path for an unknown, missing or
   *     mistyped field, or an input attestation other than the one provenance
   */
  public static ReproductionSummary read(Statement st) throws VerificationException {
    JsonFields.requireType(st, TYPE, "reproduction summary");
    Statement.Subject subject = JsonFields.subject(st, "reproduction summary");
    JsonNode p = JsonFields.predicate(st, FIELDS, WHERE);
    String verifier =
        JsonFields.text(
            JsonFields.exactObject(p, "verifier", Set.of("id"), WHERE), "id", WHERE + ".verifier");
    if (!VERIFIER.equals(verifier)) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "reproduction summary: expected verifier "
              + VERIFIER
              + ", found "
              + JsonFields.shown(verifier));
    }
    Instant time = JsonFields.instant(p, "timeVerified", WHERE);
    String resource = JsonFields.text(p, "resourceUri", WHERE);
    if (!resource.equals(subject.name())) {
      throw new VerificationException(
          Reason.MALFORMED,
          WHERE
              + ".resourceUri: expected the subject's name "
              + JsonFields.shown(subject.name())
              + ", found '"
              + JsonFields.shown(resource)
              + "'");
    }
    JsonNode policy = JsonFields.exactObject(p, "policy", Set.of("uri", "digest"), WHERE);
    String policyUri = JsonFields.text(policy, "uri", WHERE + ".policy");
    if (!POLICY.equals(policyUri)) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "reproduction summary: expected policy "
              + POLICY
              + ", found "
              + JsonFields.shown(policyUri));
    }
    Sha256 spec = JsonFields.digestSet(policy, "digest", WHERE + ".policy");
    JsonNode inputs = JsonFields.array(p, "inputAttestations", WHERE);
    if (inputs.size() != 1) {
      throw new VerificationException(
          Reason.MALFORMED,
          WHERE + ".inputAttestations: expected exactly one entry, found " + inputs.size());
    }
    JsonNode input =
        JsonFields.element(inputs, 0, Set.of("uri", "digest"), WHERE + ".inputAttestations[0]");
    String uri = JsonFields.text(input, "uri", WHERE + ".inputAttestations[0]");
    if (!ChainLayout.PROVENANCE.equals(uri)) {
      throw new VerificationException(
          Reason.MALFORMED,
          WHERE
              + ".inputAttestations[0].uri: expected "
              + ChainLayout.PROVENANCE
              + ", found '"
              + JsonFields.shown(uri)
              + "'");
    }
    Sha256 provenance = JsonFields.digestSet(input, "digest", WHERE + ".inputAttestations[0]");
    String result = JsonFields.text(p, "verificationResult", WHERE);
    List<String> levels = JsonFields.strings(p, "verifiedLevels", WHERE);
    if (!levels.equals(List.of(LEVEL))) {
      throw new VerificationException(
          Reason.MALFORMED,
          WHERE
              + ".verifiedLevels: expected ["
              + LEVEL
              + "], found "
              + levels.size()
              + " other level(s)");
    }
    String slsa = JsonFields.text(p, "slsaVersion", WHERE);
    if (!SLSA_VERSION.equals(slsa)) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          WHERE + ".slsaVersion: expected " + SLSA_VERSION + ", found " + JsonFields.shown(slsa));
    }
    JsonNode custody =
        JsonFields.exactObject(
            p, "custody", Set.of("contentDigest", "reproducedContentDigest"), WHERE);
    return new ReproductionSummary(
        subject.name(),
        subject.sha256(),
        time,
        spec,
        provenance,
        result,
        JsonFields.hex(custody, "contentDigest", WHERE + ".custody"),
        JsonFields.hex(custody, "reproducedContentDigest", WHERE + ".custody"));
  }
}
