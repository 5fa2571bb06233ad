package dev.custody.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.BundleSigner;
import dev.custody.core.Shared;
import dev.custody.core.SigningKey;
import dev.custody.core.chain.Stage;
import dev.custody.serve.ModelServer;
import dev.custody.serve.ServerLimits;
import dev.custody.train.Pipeline;
import dev.custody.train.StageSigners;
import dev.custody.train.TrainedModel;
import dev.custody.train.evaluate.RowPrediction;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.TrustPolicy;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: every held-out row of the credit example, sent to the server as its raw CSV values, gets
 * exactly the label and probabilities the evaluator computed at training time, through the Open
 * Inference Protocol and through MLflow's {@code dataframe_split} and CSV formats.
 *
 * <p>The model is {@code examples/credit-rf.yaml} itself, trained and signed by the real pipeline
 * (30,000 rows, screens and gates included: about 10 s), with a throwaway key; the server verifies
 * its chain and serves it on a loopback port. Probabilities are compared with {@code
 * Double.equals}: a JSON double written by the server and read by Jackson is the same double.
 */
class CreditServeParityTest {
  /** The server's default row limit. */
  private static final int BATCH = ServerLimits.defaults().maxRows();

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path work;

  private static TrustPolicy policy;
  private static TrainedModel trained;
  private static List<String> columns;
  private static List<HeldOut> heldOut;
  private static ModelServer server;
  private static final HttpClient client = HttpClient.newHttpClient();

  /** A held-out row: its raw feature cells and what the evaluator predicted for it. */
  private record HeldOut(Map<String, String> cells, RowPrediction expected) {}

  /** A served answer: the label and the probability of each class, in the server's class order. */
  private record Answer(String label, List<Double> probabilities) {}

  @BeforeAll
  static void trainTheCreditExample() throws Exception {
    Shared.require("data/default_credit_card.csv");
    SigningKey key = SigningKey.generate();
    TrustPolicy.Builder trust = TrustPolicy.builder();
    for (Stage stage : Stage.values()) {
      trust.trustKey(stage, key.publicKey());
    }
    policy = trust.build();
    PipelineSpec spec = PipelineSpec.load(Examples.root().resolve("examples/credit-rf.yaml"));
    trained =
        Pipeline.builder()
            .build()
            .run(spec, policy, StageSigners.of(BundleSigner.create(key)), work.resolve("model"));
    columns = spec.schema().featureColumns();
    heldOut = heldOut(spec, trained.testPredictions());
    server = ModelServer.builder(trained.directory(), policy).port(0).build().start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void run_creditExample_keepsThePredictionsItsSignedMetricsCameFrom() {
    assertThat(heldOut).hasSize(3_000); // ceil(10% of 30,000)
    long correct =
        heldOut.stream()
            .filter(h -> h.expected().label().equals(h.expected().row().label()))
            .count();
    assertThat(correct / (double) heldOut.size()).isEqualTo(trained.metrics().accuracy());
    assertThat(heldOut)
        .allSatisfy(h -> assertThat(h.expected().scores()).containsOnlyKeys("0", "1"));
  }

  @Test
  void infer_everyHeldOutRow_answersExactlyWhatTheEvaluatorComputed() throws Exception {
    JsonNode metadata = JSON.readTree(get("/v2/models/credit-rf").body());
    Map<String, String> datatypes = new HashMap<>();
    metadata
        .get("inputs")
        .forEach(i -> datatypes.put(i.get("name").asText(), i.get("datatype").asText()));
    assertThat(datatypes).containsOnlyKeys(columns);

    List<String> classes = null;
    List<Answer> served = new ArrayList<>();
    for (int from = 0; from < heldOut.size(); from += BATCH) {
      List<HeldOut> batch = heldOut.subList(from, Math.min(from + BATCH, heldOut.size()));
      ObjectNode request = JSON.createObjectNode().put("id", "held-out-" + from);
      ArrayNode inputs = request.putArray("inputs");
      for (String c : columns) {
        ObjectNode input = inputs.addObject().put("name", c).put("datatype", datatypes.get(c));
        input.putArray("shape").add(batch.size());
        ArrayNode data = input.putArray("data");
        for (HeldOut h : batch) {
          String cell = h.cells().get(c);
          // BYTES as the CSV's text; numbers as the JSON number the cell is (all integers here).
          if (datatypes.get(c).equals("BYTES")) {
            data.add(cell);
          } else {
            data.add(Long.parseLong(cell));
          }
        }
      }
      JsonNode body =
          answered(
              post(
                  "/v2/models/credit-rf/infer",
                  "application/json",
                  JSON.writeValueAsString(request)));
      assertThat(body.get("id").asText()).isEqualTo("held-out-" + from);
      JsonNode labels = output(body, "label").get("data");
      JsonNode probabilities = output(body, "probabilities");
      classes = new ArrayList<>();
      for (JsonNode c : probabilities.get("parameters").get("classes")) {
        classes.add(c.asText());
      }
      JsonNode data = probabilities.get("data");
      assertThat(labels.size()).isEqualTo(batch.size());
      assertThat(data.size()).isEqualTo(batch.size() * classes.size());
      for (int i = 0; i < batch.size(); i++) {
        List<Double> p = new ArrayList<>();
        for (int k = 0; k < classes.size(); k++) {
          p.add(data.get(i * classes.size() + k).doubleValue());
        }
        served.add(new Answer(labels.get(i).asText(), p));
      }
    }

    assertThat(served).containsExactlyElementsOf(expected(classes));
  }

  @Test
  void invocations_dataframeSplit_everyHeldOutRowAnswersExactlyWhatTheEvaluatorComputed()
      throws Exception {
    List<JsonNode> predictions = new ArrayList<>();
    for (int from = 0; from < heldOut.size(); from += BATCH) {
      ObjectNode split = JSON.createObjectNode();
      ObjectNode frame = split.putObject("dataframe_split");
      columns.forEach(frame.putArray("columns")::add);
      ArrayNode data = frame.putArray("data");
      for (HeldOut h : heldOut.subList(from, Math.min(from + BATCH, heldOut.size()))) {
        ArrayNode row = data.addArray();
        columns.forEach(c -> row.add(h.cells().get(c))); // each cell as the CSV's text
      }
      answered(post("/invocations", "application/json", JSON.writeValueAsString(split)))
          .get("predictions")
          .forEach(predictions::add);
    }

    assertMlflowAnswers(predictions);
  }

  @Test
  void invocations_csv_everyHeldOutRowAnswersExactlyWhatTheEvaluatorComputed() throws Exception {
    List<JsonNode> predictions = new ArrayList<>();
    for (int from = 0; from < heldOut.size(); from += BATCH) {
      // The feature columns of the file's lines (the server refuses columns the schema lacks).
      StringBuilder csv = new StringBuilder(String.join(",", columns)).append('\n');
      for (HeldOut h : heldOut.subList(from, Math.min(from + BATCH, heldOut.size()))) {
        csv.append(String.join(",", columns.stream().map(h.cells()::get).toList())).append('\n');
      }
      answered(post("/invocations", "text/csv", csv.toString()))
          .get("predictions")
          .forEach(predictions::add);
    }

    assertMlflowAnswers(predictions);
  }

  /** MLflow records: {@code {"label": .., "probabilities": {class: p}}}, one per held-out row. */
  private static void assertMlflowAnswers(List<JsonNode> predictions) {
    List<String> classes = List.of("0", "1");
    List<Answer> served = new ArrayList<>();
    for (JsonNode p : predictions) {
      assertThat(p.get("probabilities").size()).isEqualTo(classes.size());
      served.add(
          new Answer(
              p.get("label").asText(),
              classes.stream().map(c -> p.get("probabilities").get(c).doubleValue()).toList()));
    }
    assertThat(served).containsExactlyElementsOf(expected(classes));
  }

  /** The evaluator's answers, the probabilities in {@code classes} order. */
  private static List<Answer> expected(List<String> classes) {
    assertThat(classes).containsExactlyInAnyOrder("0", "1");
    return heldOut.stream()
        .map(
            h ->
                new Answer(
                    h.expected().label(),
                    classes.stream().map(c -> h.expected().scores().get(c)).toList()))
        .toList();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(server.uri().resolve(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path, String contentType, String body)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(server.uri().resolve(path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The body of a 200 answer from the model just trained (its digest in the header). */
  private static JsonNode answered(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Custody-Model-Digest"))
        .contains(trained.rootDigest().toString());
    return JSON.readTree(response.body());
  }

  private static JsonNode output(JsonNode response, String name) {
    for (JsonNode o : response.get("outputs")) {
      if (o.get("name").asText().equals(name)) {
        return o;
      }
    }
    throw new AssertionError("no output '" + name + "' in " + response);
  }

  /**
   * The raw feature cells of each held-out row, read from the example's one data file at the row's
   * source line; the label cell there must be the row's true label.
   */
  private static List<HeldOut> heldOut(PipelineSpec spec, List<RowPrediction> predictions)
      throws Exception {
    PipelineSpec.FileList files = (PipelineSpec.FileList) spec.data();
    assertThat(files.files()).hasSize(1);
    PipelineSpec.LocalFile file = (PipelineSpec.LocalFile) files.files().get(0);
    String text =
        Files.readString(spec.baseDirectory().resolve(file.path()), StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("\""); // plain comma-separated cells
    String[] lines = text.split("\r?\n", -1);
    List<String> header = List.of(lines[0].split(",", -1));
    String labelColumn = spec.schema().label().column();
    List<HeldOut> out = new ArrayList<>();
    for (RowPrediction p : predictions) {
      List<String> cells = List.of(lines[Math.toIntExact(p.row().sourceLine() - 1)].split(",", -1));
      assertThat(cells.get(header.indexOf(labelColumn)))
          .as("line %d", p.row().sourceLine())
          .isEqualTo(p.row().label());
      Map<String, String> raw = new HashMap<>();
      for (String c : spec.schema().featureColumns()) {
        raw.put(c, cells.get(header.indexOf(c)));
      }
      out.add(new HeldOut(raw, p));
    }
    return out;
  }
}
