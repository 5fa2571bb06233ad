package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.Reason;
import dev.custody.core.chain.ChainLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code custody inspect} on a model made by a real {@code custody run}. */
class InspectCommandTest {
  @TempDir static Path work;
  static ReportFixture f;

  @BeforeAll
  static void model() throws Exception {
    f = ReportFixture.create(work);
  }

  @Test
  void inspect_modelDirectory_showsEveryBundleDecodedAndSaysNotVerified() {
    Cli r = Cli.run("inspect", f.model().toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("verified: false")
        .contains("not verified: signers are what the files claim; run custody verify")
        .contains("- file: model.sig")
        .contains("- file: attestations/dataset.sigstore.json")
        .contains("- file: attestations/provenance.sigstore.json")
        .contains("- file: attestations/gate.sigstore.json")
        .containsPattern("claimedSigner: key [0-9a-f]{64}")
        .contains("predicateType: https://custody.dev/gate/v1")
        .contains("- name credit-small-dataset, sha256 ")
        .containsPattern(
            "- name test-accuracy, metric accuracy, comparator >=, threshold 0.5, observed 0\\.\\d+, passed true")
        .contains("screen: duplicates")
        .contains("flagged: 3")
        .contains("flaggedRowsNotShown: 0")
        .contains("accuracy: 0.");
  }

  @Test
  void inspect_hostileDataInABundle_isEscapedForTheTerminal() {
    Cli r = Cli.run("inspect", f.model().toString());

    assertThat(r.out())
        .contains("id <script>alert(1)</script>&amp;\\u{202e}")
        .doesNotContain("\u202e");
  }

  @Test
  void inspect_json_printsOneDocumentWithTheFlaggedRows() throws Exception {
    Cli r = Cli.run("inspect", f.model().toString(), "--json");

    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode doc = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "inspect output");
    assertThat(doc.path("ok").asBoolean()).isTrue();
    assertThat(doc.path("command").asText()).isEqualTo("custody inspect");
    assertThat(doc.path("verified").asBoolean()).isFalse();
    assertThat(doc.path("card").path("name").asText()).isEqualTo("credit-small");
    assertThat(doc.path("bundles")).hasSize(4);
    JsonNode screen = doc.path("bundles").get(1).path("summary").path("screens").get(0);
    assertThat(screen.path("flagged").asLong()).isEqualTo(3);
    // Two duplicates in the first 2,000 rows of the credit data, and the hostile row last.
    assertThat(screen.path("flaggedRows").get(2).path("id").asText())
        .isEqualTo(ReportFixture.HOSTILE_ID);
    assertThat(
            doc.path("bundles")
                .get(3)
                .path("summary")
                .path("gates")
                .get(0)
                .path("threshold")
                .asDouble())
        .isEqualTo(0.5);
  }

  @Test
  void inspect_oneBundleFile_showsThatBundle() {
    Cli r = Cli.run("inspect", f.model().resolve(ChainLayout.PROVENANCE).toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("kind: bundle")
        .contains("predicateType: https://slsa.dev/provenance/v1")
        .contains("spec: credit-small.yaml")
        .contains("seed: 42");
  }

  @Test
  void inspect_truncatedBundle_failsMalformedNamingTheFile() throws Exception {
    byte[] gate = Files.readAllBytes(f.model().resolve(ChainLayout.GATE));
    Path cut = work.resolve("cut.sigstore.json");
    Files.write(cut, Arrays.copyOf(gate, gate.length / 2));

    Cli r = Cli.run("inspect", cut.toString(), "--json");

    assertThat(r.exit()).isEqualTo(Reason.MALFORMED.exitCode());
    assertThat(r.err()).startsWith("custody inspect: MALFORMED: cut.sigstore.json: ");
    JsonNode doc = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "inspect output");
    assertThat(doc.path("ok").asBoolean()).isFalse();
    assertThat(doc.path("reason").asText()).isEqualTo("MALFORMED");
  }

  @Test
  void inspect_directoryWithoutAModel_failsChainIncomplete() throws Exception {
    Path empty = Files.createDirectories(work.resolve("empty"));

    Cli r = Cli.run("inspect", empty.toString());

    assertThat(r.exit()).isEqualTo(Reason.CHAIN_INCOMPLETE.exitCode());
    assertThat(r.err()).contains("expected a model directory");
  }

  @Test
  void inspect_withPolicy_verifiesTheChainFirst() {
    Cli r = Cli.run("inspect", f.model().toString(), "--policy", f.policy().toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("verified: true").doesNotContain("not verified");
  }

  @Test
  void inspect_withPolicyAndTamperedGate_failsClosed() throws Exception {
    Path copy = work.resolve("tampered");
    ChainFixture.copy(f.model(), copy);
    Path gate = copy.resolve(ChainLayout.GATE);
    String text = Files.readString(gate);
    // One character of the base64 signature changed: the DSSE signature no longer verifies.
    int at = text.indexOf("\"sig\": \"") + 10;
    char c = text.charAt(at);
    Files.writeString(
        gate, text.substring(0, at) + (c == 'A' ? 'B' : 'A') + text.substring(at + 1));

    Cli r = Cli.run("inspect", copy.toString(), "--policy", f.policy().toString());

    assertThat(r.exit()).isNotZero().isNotEqualTo(1);
    assertThat(r.out()).doesNotContain("verified: true");
  }
}
