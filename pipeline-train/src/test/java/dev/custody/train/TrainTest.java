package dev.custody.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Json;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.SigningKey;
import dev.custody.core.chain.ChainLayout;
import dev.custody.train.spec.Fixtures;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.TrustPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Pipeline.train} trains only from a dataset attestation that verifies under the policy's
 * INGEST signers for the data as it is now; every refusal exports nothing.
 */
class TrainTest {
  @TempDir Path dir;
  Path csv;
  SigningKey key;
  TrustPolicy policy;
  PipelineSpec spec;
  Path attestation;

  @BeforeEach
  void ingested() throws Exception {
    csv = dir.resolve("credit.csv");
    Files.copy(Chain.creditCsv(), csv);
    key = SigningKey.generate();
    policy = Chain.trusting(key.publicKey());
    spec = Chain.creditSpec(dir, "credit-cart", csv, Chain.FAST_TRAINER, "");
    attestation = dir.resolve("credit-cart-dataset.sigstore.json");
    DatasetAttestation d = Pipeline.create().ingest(spec, Chain.signers(key), attestation);
    assertThat(d.datasetDigest()).isEqualTo(d.summary().keptRoot());
  }

  @Test
  void train_attestationVerifiesForTheseBytes_exportsAndCopiesTheExactAttestation()
      throws Exception {
    TrainedModel m =
        Pipeline.create().train(spec, attestation, policy, Chain.signers(key), dir.resolve("m"));

    assertThat(Files.readAllBytes(m.directory().resolve(ChainLayout.DATASET_ATTESTATION)))
        .isEqualTo(Files.readAllBytes(attestation));
    assertThat(m.card().dataset().hex())
        .isEqualTo("e83e97d1c98e742894155f90a036157302e34e1344e63b0aafd669d9d9324e0c");
  }

  @Test
  void train_tamperedAttestation_refusedAsSignatureInvalid() throws Exception {
    ObjectNode bundle = (ObjectNode) Json.parse(Files.readAllBytes(attestation), "bundle");
    ObjectNode env = (ObjectNode) bundle.path("dsseEnvelope");
    String payload =
        new String(
            Base64.getDecoder().decode(env.path("payload").asText()), StandardCharsets.UTF_8);
    String forged = payload.replace("\"count\":30000", "\"count\":29999");
    assertThat(forged).isNotEqualTo(payload);
    env.put("payload", Base64.getEncoder().encodeToString(forged.getBytes(StandardCharsets.UTF_8)));
    Files.write(attestation, Json.write(bundle));

    PipelineException e = refused(spec);

    assertThat(e.reason()).isEqualTo(Reason.SIGNATURE_INVALID);
  }

  @Test
  void train_attestationSignedByUntrustedKey_refusedNamingTheKey() throws Exception {
    SigningKey other = SigningKey.generate();
    Files.delete(attestation);
    Pipeline.create().ingest(spec, Chain.signers(other), attestation);

    PipelineException e = refused(spec);

    assertThat(e.reason()).isEqualTo(Reason.UNTRUSTED_SIGNER);
    assertThat(e.getMessage()).contains(other.publicKey().hint());
  }

  @Test
  void train_oneValueChangedAndSpecRepinned_refusedAsDataNoLongerMatching() throws Exception {
    changeOneValue();
    PipelineSpec repinned = Chain.creditSpec(dir, "credit-cart", csv, Chain.FAST_TRAINER, "");

    PipelineException e = refused(repinned);

    assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH);
    assertThat(e.getMessage()).startsWith("the data no longer matches the dataset attestation");
  }

  @Test
  void train_oneValueChangedUnderTheSamePin_refusedByIngest() throws Exception {
    changeOneValue();

    PipelineException e = refused(spec);

    assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH);
    assertThat(e.getMessage())
        .startsWith("digest mismatch: credit.csv expected sha256:" + Fixtures.CREDIT_SHA256);
  }

  @Test
  void train_attestationOfTheSameDataUnderAnotherSpec_refused() throws Exception {
    PipelineSpec other =
        Chain.creditSpec(
            dir, "credit-cart", csv, "{type: cart, params: {maxDepth: 2, minLeaf: 100}}", "");

    PipelineException e = refused(other);

    assertThat(e.reason()).isEqualTo(Reason.DIGEST_MISMATCH);
    assertThat(e.getMessage())
        .startsWith("the dataset attestation was made with spec sha256:" + spec.digest().hex())
        .endsWith(other.digest().toString());
  }

  @Test
  void train_existingModelDirectory_refusedBeforeReadingAnything() throws Exception {
    Path existing = Files.createDirectory(dir.resolve("existing"));

    assertThat(
            catchThrowableOfType(
                java.nio.file.FileAlreadyExistsException.class,
                () ->
                    Pipeline.create()
                        .train(spec, attestation, policy, Chain.signers(key), existing)))
        .hasMessageContaining("refusing to replace a model directory");
    try (var files = Files.list(existing)) {
      assertThat(files).isEmpty();
    }
  }

  /** Row 100's LIMIT_BAL (a real value) becomes another real value. */
  private void changeOneValue() throws Exception {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    String[] cells = lines.get(100).split(",", -1);
    cells[1] = String.valueOf(Long.parseLong(cells[1]) + 10_000);
    lines.set(100, String.join(",", cells));
    Files.writeString(csv, String.join("\r\n", lines), StandardCharsets.UTF_8);
  }

  private PipelineException refused(PipelineSpec s) {
    Path out = dir.resolve("out");
    PipelineException e =
        catchThrowableOfType(
            PipelineException.class,
            () -> Pipeline.create().train(s, attestation, policy, Chain.signers(key), out));
    assertThat(e).as("training must be refused").isNotNull();
    assertThat(out).doesNotExist();
    return e;
  }
}
