package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.serve.ModelServer;
import dev.custody.verify.TrustPolicy;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server on a text model trained and signed by {@code custody run}: a row none of whose tokens
 * the model knows (Tribuo's predict would throw) is the client's fault, answered 400, not 500.
 */
class ServeTextModelTest {
  @TempDir static Path dir;
  static Path model;
  static Path policy;

  @BeforeAll
  static void train() throws Exception {
    Path key = dir.resolve("signer.key");
    assertThat(Cli.run("keygen", "-o", key.toString()).exit()).isZero();
    policy = dir.resolve("policy.yaml");
    Files.writeString(
        policy,
        String.join(
            "\n",
            "version: 1",
            "stages:",
            "  ingest: {keys: [signer.key.pub]}",
            "  train: {keys: [signer.key.pub]}",
            "  evaluate: {keys: [signer.key.pub]}",
            "  reproduce: {keys: [signer.key.pub]}",
            "require: {gatePassed: false}",
            ""));
    StringBuilder tsv = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      tsv.append("ham\tsee you at lunch today number ").append(i).append('\n');
      tsv.append("spam\tclaim your free prize now call ").append(i).append('\n');
    }
    Path data = dir.resolve("texts.tsv");
    Files.writeString(data, tsv.toString());
    Path spec = dir.resolve("texts.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "name: texts",
            "version: 1",
            "data:",
            "  - path: texts.tsv",
            "    sha256: " + dev.custody.core.Sha256.of(Files.readAllBytes(data)).hex(),
            "format: tsv-text",
            "schema:",
            "  label: {column: label, allowed: [ham, spam]}",
            "  text: [text]",
            "split: {testFraction: 0.25, seed: 7}",
            "trainer: {type: logistic, params: {epochs: 5, seed: 7}}",
            ""));
    model = dir.resolve("texts-v1");
    Cli run = Cli.run("run", spec.toString(), "--key", key.toString(), "-o", model.toString());
    assertThat(run.exit()).as(run.err()).isZero();
  }

  @Test
  void infer_rowWithNoKnownToken_returns400NamingTheRow() throws Exception {
    try (ModelServer server =
        ModelServer.builder(model, TrustPolicy.load(policy)).port(0).build().start()) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      String body =
          "{\"inputs\": [{\"name\": \"text\", \"datatype\": \"BYTES\", \"shape\": [2],"
              + " \"data\": [\"free prize\", \"zzzz qqqq\"]}]}";
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(server.uri().resolve("/v2/models/texts/infer"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      JsonNode e = Json.parse(r.body().getBytes(StandardCharsets.UTF_8), "error");
      assertThat(e.get("reason").asText()).isEqualTo("INVALID_INPUT");
      assertThat(e.get("error").asText())
          .startsWith("row 1, column 'text': ")
          .contains("expected at least one feature the model was trained on");

      HttpResponse<String> ok =
          client.send(
              HttpRequest.newBuilder(server.uri().resolve("/v2/models/texts/infer"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.replace("zzzz qqqq", "lunch")))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      assertThat(ok.body()).contains("\"data\":[\"spam\",\"ham\"]");
    }
  }
}
