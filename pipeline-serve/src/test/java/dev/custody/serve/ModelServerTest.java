package dev.custody.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.serve.TestChains.Golden;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every endpoint of a real server on a loopback port, serving golden chain {@code a} (v2). */
class ModelServerTest {
  @TempDir static Path work;
  static Path chains;
  static ModelServer server;
  static Http http;
  static final java.io.StringWriter ACCESS = new java.io.StringWriter(); // thread-safe
  static List<Golden> golden;
  static String digest;

  @BeforeAll
  static void start() throws Exception {
    chains = TestChains.copyTo(work.resolve("chains"));
    server =
        ModelServer.builder(chains.resolve("a"), TestChains.policy(chains))
            .port(0)
            .accessLog(ACCESS)
            .build()
            .start();
    http = new Http(server);
    golden = TestChains.predictions(chains, "a");
    digest = server.model().rootDigest().toString();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void healthLive_running_returnsLiveTrue() throws Exception {
    HttpResponse<String> r = http.get("/v2/health/live");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Http.json(r).get("live").asBoolean()).isTrue();
  }

  @Test
  void healthReady_started_returnsReadyTrue() throws Exception {
    HttpResponse<String> r = http.get("/v2/health/ready");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Http.json(r).get("ready").asBoolean()).isTrue();
  }

  @Test
  void serverMetadata_returnsNameVersionAndExtensions() throws Exception {
    JsonNode m = Http.json(http.get("/v2"));
    assertThat(m.get("name").asText()).isEqualTo("custody");
    assertThat(m.get("version").asText()).isNotBlank().doesNotContain("${");
    assertThat(m.get("extensions").toString()).contains("model_repository");
  }

  @Test
  void modelMetadata_signedSchema_listsInputsOutputsAndVerifiedChain() throws Exception {
    for (String path : List.of("/v2/models/credit-rf", "/v2/models/credit-rf/versions/2")) {
      HttpResponse<String> r = http.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      JsonNode m = Http.json(r);
      assertThat(m.get("name").asText()).isEqualTo("credit-rf");
      assertThat(m.get("versions").toString()).isEqualTo("[\"2\"]");
      assertThat(m.get("platform").asText()).isEqualTo("tribuo");
      List<String> inputs = new ArrayList<>();
      m.get("inputs")
          .forEach(
              i ->
                  inputs.add(
                      i.get("name").asText() + ":" + i.get("datatype").asText() + i.get("shape")));
      assertThat(inputs)
          .containsExactly(
              "LIMIT_BAL:FP64[-1]",
              "AGE:FP64[-1]",
              "PAY_0:FP64[-1]",
              "BILL_AMT1:FP64[-1]",
              "PAY_AMT1:FP64[-1]",
              "SEX:BYTES[-1]");
      assertThat(m.get("outputs").get(0).toString())
          .isEqualTo("{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[-1]}");
      assertThat(m.get("outputs").get(1).get("shape").toString()).isEqualTo("[-1,2]");
      JsonNode p = m.get("parameters");
      assertThat(p.get("model_root_digest").asText()).isEqualTo(digest);
      assertThat(p.get("content_digest").asText())
          .isEqualTo(server.model().chain().contentDigest().toString());
      assertThat(p.get("dataset_digest").asText())
          .isEqualTo(server.model().chain().datasetDigest().toString());
      assertThat(p.get("signer").asText()).isEqualTo(server.model().signer());
      assertThat(p.get("gate").get("status").asText()).isEqualTo("passed");
      assertThat(p.get("gate").get("results")).isNotEmpty();
      assertThat(p.get("reproduction").get("status").asText()).isEqualTo("PASSED");
      assertThat(p.get("classes").toString()).isEqualTo("[\"0\",\"1\"]");
    }
  }

  @ParameterizedTest
  @CsvSource({
    "/v2/models/other, unknown model",
    "/v2/models/credit-rf/versions/1, unknown version",
    "/v2/models/credit-rf/versions/1/ready, unknown version",
    "/v2/models/other/infer, unknown model",
    "/v2/nothing, no such path",
    "/, no such path"
  })
  void get_unknownModelVersionOrPath_returns404(String path, String message) throws Exception {
    HttpResponse<String> r =
        path.endsWith("/infer")
            ? http.postJson(path, Requests.infer(Requests.ROW))
            : http.get(path);
    assertThat(r.statusCode()).isEqualTo(404);
    assertError(r, "NOT_FOUND", message);
  }

  @Test
  void modelReady_served_returnsReady() throws Exception {
    HttpResponse<String> r = http.get("/v2/models/credit-rf/versions/2/ready");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Http.json(r).get("ready").asBoolean()).isTrue();
  }

  @Test
  void infer_goldenRows_returnsTrainingTimePredictionsExactly() throws Exception {
    for (boolean asText : new boolean[] {false, true}) {
      List<Map<String, String>> rows = new ArrayList<>();
      golden.forEach(g -> rows.add(g.row()));
      HttpResponse<String> r =
          http.postJson("/v2/models/credit-rf/infer", Requests.infer(rows, asText, "req-7"));

      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("Custody-Model-Digest")).hasValue(digest);
      JsonNode body = Http.json(r);
      assertThat(body.get("id").asText()).isEqualTo("req-7");
      assertThat(body.get("model_name").asText()).isEqualTo("credit-rf");
      assertThat(body.get("model_version").asText()).isEqualTo("2");
      JsonNode label = body.get("outputs").get(0);
      JsonNode probs = body.get("outputs").get(1);
      assertThat(label.get("name").asText()).isEqualTo("label");
      assertThat(label.get("datatype").asText()).isEqualTo("BYTES");
      assertThat(label.get("shape").toString()).isEqualTo("[" + rows.size() + "]");
      assertThat(probs.get("datatype").asText()).isEqualTo("FP64");
      assertThat(probs.get("shape").toString()).isEqualTo("[" + rows.size() + ",2]");
      assertThat(probs.get("parameters").get("classes").toString()).isEqualTo("[\"0\",\"1\"]");
      for (int i = 0; i < golden.size(); i++) {
        assertThat(label.get("data").get(i).asText()).isEqualTo(golden.get(i).label());
        assertThat(probs.get("data").get(2 * i).asDouble())
            .isEqualTo(golden.get(i).scores().get("0"));
        assertThat(probs.get("data").get(2 * i + 1).asDouble())
            .isEqualTo(golden.get(i).scores().get("1"));
      }
    }
  }

  @Test
  void infer_onlyLabelRequested_returnsOnlyLabel() throws Exception {
    String body =
        Requests.infer(Requests.ROW).replaceFirst("\\}$", ",\"outputs\":[{\"name\":\"label\"}]}");
    JsonNode r = Http.json(http.postJson("/v2/models/credit-rf/versions/2/infer", body));
    assertThat(r.get("outputs")).hasSize(1);
    assertThat(r.get("outputs").get(0).get("name").asText()).isEqualTo("label");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "AGE out of range | AGE | 300 | row 0, column 'AGE': value out of range",
        "AGE NaN | AGE | NaN | row 0, column 'AGE': expected a finite number",
        "AGE Infinity | AGE | Infinity | row 0, column 'AGE': expected a finite number",
        "AGE -Infinity | AGE | -Infinity | row 0, column 'AGE': expected a finite number",
        "SEX not allowed | SEX | 3 | row 0, column 'SEX': expected one of [1, 2]",
        "AGE not a number | AGE | old | row 0, column 'AGE': expected a number"
      })
  void infer_valueTheSchemaRefuses_returns400NamingRowAndColumn(
      String name, String column, String value, String message) throws Exception {
    HttpResponse<String> r =
        http.postJson(
            "/v2/models/credit-rf/infer",
            Requests.infer(List.of(Requests.ROW, Requests.rowWith(column, value)), true, null));
    assertThat(r.statusCode()).isEqualTo(400);
    assertError(r, "INVALID_INPUT", message.replace("row 0", "row 1"));
    assertThat(r.headers().firstValue("Custody-Model-Digest")).hasValue(digest);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown column | \"SEX\" | \"COLOR\" | input \"COLOR\": unknown column",
        "wrong datatype | \"BYTES\",\"shape\":[1],\"data\":[\"2\"] | \"INT64\",\"shape\":[1],\"data\":[2] | input 'SEX': expected datatype BYTES",
        "number as string under FP64 | 24.0 | \"24\" | row 0, column 'AGE': expected a FP64 number, found a JSON string",
        "different lengths | \"shape\":[1],\"data\":[\"2\"] | \"shape\":[2],\"data\":[\"2\",\"1\"] | inputs of different lengths",
        "shape and data disagree | \"shape\":[1],\"data\":[\"2\"] | \"shape\":[1],\"data\":[\"2\",\"1\"] | shape says 1 rows",
        "unknown field | {\"inputs\" | {\"model\":1,\"inputs\" | unknown field \"model\""
      })
  void infer_badRequestShape_returns400(String name, String from, String to, String message)
      throws Exception {
    String body = Requests.infer(Requests.ROW).replace(from, to);
    assertThat(body).as("the edit applies").isNotEqualTo(Requests.infer(Requests.ROW));
    HttpResponse<String> r = http.postJson("/v2/models/credit-rf/infer", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertError(r, "INVALID_INPUT", message);
  }

  /** Requests the streaming reader leaves to the tree reader are answered as before. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "number in a BYTES input | \"data\":[\"2\"] | \"data\":[2] | 400 | INVALID_INPUT | row 0, column 'SEX': expected a string, found a JSON number",
        "nested array in data | \"data\":[24.0] | \"data\":[[24.0]] | 400 | INVALID_INPUT | row 0, column 'AGE': expected a FP64 number, found a JSON array",
        "object in data | \"data\":[24.0] | \"data\":[{}] | 400 | INVALID_INPUT | row 0, column 'AGE': expected a FP64 number, found a JSON object",
        "null in data | \"data\":[24.0] | \"data\":[null] | 400 | INVALID_INPUT | row 0, column 'AGE': expected a FP64 number, found a JSON null",
        "duplicate top-level key | {\"inputs\" | {\"id\":\"a\",\"id\":\"b\",\"inputs\" | 400 | MALFORMED | Duplicate field 'id'",
        "duplicate input key | \"name\":\"AGE\", | \"name\":\"AGE\",\"name\":\"AGE\", | 400 | MALFORMED | Duplicate field 'name'",
        "duplicate key in parameters | {\"inputs\" | {\"parameters\":{\"a\":1,\"a\":2},\"inputs\" | 400 | MALFORMED | Duplicate field 'a'",
        "input given twice | {\"inputs\":[ | {\"inputs\":[{\"name\":\"AGE\",\"datatype\":\"FP64\",\"shape\":[1],\"data\":[24.0]}, | 400 | INVALID_INPUT | input 'AGE': given twice",
        "trailing tokens | ]}]} | ]}]}{} | 400 | MALFORMED | not valid JSON",
        "shape beyond max rows | \"shape\":[1],\"data\":[24.0] | \"shape\":[100000],\"data\":[24.0] | 413 | TOO_MANY_ROWS | expected at most",
        "data before name | {\"name\":\"AGE\",\"datatype\":\"FP64\",\"shape\":[1],\"data\":[24.0]} | {\"data\":[24.0],\"shape\":[1],\"datatype\":\"FP64\",\"name\":\"AGE\"} | 200 | | ",
        "shape after data | \"shape\":[1],\"data\":[24.0] | \"data\":[24.0],\"shape\":[1] | 200 | | ",
        "shape [N, 1] | \"shape\":[1],\"data\":[24.0] | \"shape\":[1,1],\"data\":[24.0] | 200 | | ",
        "integers as INT64 | \"FP64\",\"shape\":[1],\"data\":[24.0] | \"INT64\",\"shape\":[1],\"data\":[24] | 200 | | "
      })
  void infer_streamingEdge_answersAsTheTreeReader(
      String name, String from, String to, int status, String reason, String message)
      throws Exception {
    String body = Requests.infer(Requests.ROW).replace(from, to);
    assertThat(body).as("the edit applies").isNotEqualTo(Requests.infer(Requests.ROW));
    HttpResponse<String> r = http.postJson("/v2/models/credit-rf/infer", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    if (status != 200) {
      assertError(r, reason, message);
    }
  }

  /**
   * The streaming reader reads exactly the rows, id and outputs the tree reader does, or leaves the
   * request to it (null): never a different reading.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "as sent | x | x | true",
        "id and outputs | {\"inputs\" | {\"id\":\"r\",\"outputs\":[{\"name\":\"label\"}],\"inputs\" | true",
        "negative zero | 24.0 | -0 | true",
        "integer under FP64 | 24.0 | 24 | true",
        "exponent under FP64 | 24.0 | 2.4e1 | true",
        "long under INT64 | \"FP64\",\"shape\":[1],\"data\":[24.0] | \"INT64\",\"shape\":[1],\"data\":[4294967296] | true",
        "shape [N, 1] | \"shape\":[1],\"data\":[24.0] | \"shape\":[1,1],\"data\":[24.0] | true",
        "request parameters | {\"inputs\" | {\"parameters\":{},\"inputs\" | false",
        "input parameters | \"name\":\"AGE\", | \"name\":\"AGE\",\"parameters\":{}, | false",
        "output parameters | {\"inputs\" | {\"outputs\":[{\"name\":\"label\",\"parameters\":{}}],\"inputs\" | false",
        "shape after data | \"shape\":[1],\"data\":[24.0] | \"data\":[24.0],\"shape\":[1] | false",
        "big integer under FP64 | 24.0 | 123456789012345678901234567890 | false",
        "long under INT32 | \"FP64\",\"shape\":[1],\"data\":[24.0] | \"INT32\",\"shape\":[1],\"data\":[4294967296] | false",
        "second shape dimension not 1 | \"shape\":[1],\"data\":[24.0] | \"shape\":[1,2],\"data\":[24.0] | false",
        "id not a string | {\"inputs\" | {\"id\":1,\"inputs\" | false",
        "duplicate id | {\"inputs\" | {\"id\":\"a\",\"id\":\"a\",\"inputs\" | false",
        "string under FP64 | 24.0 | \"24\" | false",
        "number under BYTES | \"data\":[\"2\"] | \"data\":[2] | false",
        "unknown output | {\"inputs\" | {\"outputs\":[{\"name\":\"x\"}],\"inputs\" | false",
        "space inside a key | \"shape\":[1], | \" shape\" :\t[ 1 ]\t , | false",
        "whitespace around tokens | \"shape\":[1], | \"shape\" :\t[ 1 ]\t , | true",
        "negative fraction | 24.0 | -24.5 | true",
        "fraction of 16 digits | 24.0 | 24.00000000000001 | true",
        "fraction of 20 digits | 24.0 | 0.1000000000000000055511 | true",
        "exponent with sign | 24.0 | 240E-1 | true",
        "ten digits under INT32 | \"FP64\",\"shape\":[1],\"data\":[24.0] | \"INT32\",\"shape\":[1],\"data\":[2147483647] | true",
        "nineteen digits under INT64 | \"FP64\",\"shape\":[1],\"data\":[24.0] | \"INT64\",\"shape\":[1],\"data\":[1000000000000000000] | false",
        "escape in a string | \"data\":[\"2\"] | \"data\":[\"\\u0032\"] | false",
        "escape in an id | {\"inputs\" | {\"id\":\"a\\nb\",\"inputs\" | false",
        "non-ASCII id | {\"inputs\" | {\"id\":\"\u00e9\",\"inputs\" | false",
        "unknown datatype | \"FP64\",\"shape\":[1],\"data\":[24.0] | \"FP16\",\"shape\":[1],\"data\":[24.0] | false",
        "leading zero | 24.0 | 024.0 | false",
        "fraction without digits | 24.0 | 24. | false",
        "trailing comma in data | \"data\":[24.0] | \"data\":[24.0,] | false",
        "trailing comma in an input | \"data\":[24.0]} | \"data\":[24.0],} | false",
        "empty outputs | {\"inputs\" | {\"outputs\":[],\"inputs\" | true"
      })
  void read_request_readsAsTheTreeReaderOrLeavesItToIt(
      String name, String from, String to, boolean streamed) throws Exception {
    byte[] body = Requests.infer(Requests.ROW).replace(from, to).getBytes(StandardCharsets.UTF_8);
    Inference.Columns columns = server.model().columns();

    Inference.Request s = InferenceStream.read(body, columns, 1_000);

    if (streamed) {
      Inference.Request tree = Inference.read(Json.parse(body, "t"), columns, 1_000);
      assertThat(s).isEqualTo(tree);
    } else {
      assertThat(s).isNull();
    }
  }

  /**
   * Random edits of valid requests (structure characters, digits, escapes, non-ASCII, control
   * bytes): whatever the fast reader reads, the tree reader reads the same; everything else it
   * leaves to the tree reader, which answers as it always did.
   */
  @Test
  void read_editedRequests_readsAsTheTreeReaderOrLeavesItToIt() {
    Inference.Columns columns = server.model().columns();
    List<String> seeds =
        List.of(
            Requests.infer(Requests.ROW),
            Requests.infer(List.of(Requests.ROW, Requests.rowWith("AGE", "31.25")), false, "r-1"),
            Requests.infer(List.of(Requests.ROW), true, "t")
                .replace("{\"inputs\"", "{\"outputs\":[{\"name\":\"label\"}],\"inputs\""),
            Requests.infer(Requests.ROW)
                .replace(
                    "\"FP64\",\"shape\":[1],\"data\":[24.0]",
                    "\"INT64\",\"shape\":[1],\"data\":[24]")
                .replace(",", " ,\n"));
    String alphabet = "{}[],:\"\\ \t\n0123456789.eE+-aAx\u00e9\u0000";
    java.util.Random random = new java.util.Random(9);
    int read = 0;
    int edited = 0;
    for (int i = 0; i < 20_000; i++) {
      StringBuilder b = new StringBuilder(seeds.get(i % seeds.size()));
      for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
        int at = random.nextInt(b.length());
        char c = alphabet.charAt(random.nextInt(alphabet.length()));
        switch (random.nextInt(3)) {
          case 0 -> b.setCharAt(at, c);
          case 1 -> b.insert(at, c);
          default -> b.deleteCharAt(at);
        }
      }
      byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);

      Inference.Request fast = InferenceStream.read(body, columns, 1_000);

      Inference.Request tree;
      try {
        tree = Inference.read(Json.parse(body, "t"), columns, 1_000);
      } catch (dev.custody.core.PipelineException | ApiException e) {
        tree = null;
      }
      if (fast != null) {
        assertThat(fast).as(b.toString()).isEqualTo(tree);
        read++;
        edited += seeds.contains(b.toString()) ? 0 : 1;
      }
    }
    assertThat(edited).as("edited requests the fast reader read").isGreaterThan(200);
    assertThat(read).as("requests the fast reader read").isLessThan(20_000);
  }

  /**
   * Requests the fast reader reads are answered byte for byte as the tree reader's reading of them
   * is: status, body, content type and model digest.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "as sent | x | x",
        "id and outputs | {\"inputs\" | {\"id\":\"r\",\"outputs\":[{\"name\":\"probabilities\"}],\"inputs\"",
        "fractions and exponents | 24.0 | 2.4125e1",
        "integers | \"FP64\",\"shape\":[1],\"data\":[24.0] | \"INT64\",\"shape\":[1],\"data\":[24]",
        "whitespace | \"shape\":[1], | \"shape\" : [ 1 , 1 ] ,"
      })
  void infer_fastReadRequest_answersAsTheTreeReading(String name, String from, String to)
      throws Exception {
    String body = Requests.infer(Requests.ROW).replace(from, to);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ServedModel m = server.model();
    assertThat(InferenceStream.read(bytes, m.columns(), 1_000)).as("read fast").isNotNull();
    Inference.Request tree = Inference.read(Json.parse(bytes, "t"), m.columns(), 1_000);
    // The general path: a Prediction per row, its scores looked up in the model's class order.
    List<dev.custody.verify.Prediction> general = Inference.predict(m, tree.rows());
    List<String> classes = m.classes();
    double[] probabilities = new double[general.size() * classes.size()];
    for (int i = 0; i < general.size(); i++) {
      for (int k = 0; k < classes.size(); k++) {
        probabilities[i * classes.size() + k] =
            general.get(i).scores().getOrDefault(classes.get(k), 0.0);
      }
    }
    String expected =
        StandardCharsets.UTF_8
            .decode(
                Inference.response(
                    m,
                    tree,
                    new Inference.Predictions(
                        general.stream()
                            .map(dev.custody.verify.Prediction::label)
                            .toArray(String[]::new),
                        probabilities)))
            .toString();

    HttpResponse<String> r = http.postJson("/v2/models/credit-rf/infer", body);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(expected);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(r.headers().firstValue("Custody-Model-Digest")).hasValue(digest);
  }

  @Test
  void model_randomForest_predictsThroughCompiledTrees() {
    // infer_goldenRows_returnsTrainingTimePredictionsExactly then holds for the compiled form.
    assertThat(server.model().compiled()).isTrue();
  }

  @Test
  void infer_missingColumn_returns400NamingIt() throws Exception {
    String body = Requests.infer(Requests.ROW);
    JsonNode root = Json.parse(body.getBytes(StandardCharsets.UTF_8), "t");
    ((com.fasterxml.jackson.databind.node.ArrayNode) root.get("inputs")).remove(1); // AGE
    HttpResponse<String> r =
        http.postJson(
            "/v2/models/credit-rf/infer", new String(Json.write(root), StandardCharsets.UTF_8));
    assertThat(r.statusCode()).isEqualTo(400);
    assertError(r, "INVALID_INPUT", "missing input 'AGE'");
  }

  @Test
  void infer_malformedJson_returns400Malformed() throws Exception {
    HttpResponse<String> r = http.postJson("/v2/models/credit-rf/infer", "{\"inputs\": [");
    assertThat(r.statusCode()).isEqualTo(400);
    assertError(r, "MALFORMED", "not valid JSON");
  }

  @Test
  void infer_nonFiniteJsonNumber_returns400() throws Exception {
    String body = Requests.infer(Requests.ROW).replace("24.0", "NaN");
    HttpResponse<String> r = http.postJson("/v2/models/credit-rf/infer", body);
    assertThat(r.statusCode()).isEqualTo(400);
    assertError(r, "MALFORMED", "not valid JSON");
  }

  @Test
  void infer_textPlain_returns415() throws Exception {
    HttpResponse<String> r =
        http.post("/v2/models/credit-rf/infer", "text/plain", Requests.infer(Requests.ROW));
    assertThat(r.statusCode()).isEqualTo(415);
    assertError(r, "UNSUPPORTED_MEDIA_TYPE", "expected Content-Type application/json");
  }

  @Test
  void infer_get_returns405WithAllow() throws Exception {
    HttpResponse<String> r = http.get("/v2/models/credit-rf/infer");
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("POST");
    assertError(r, "METHOD_NOT_ALLOWED", "expected POST");
  }

  @Test
  void health_post_returns405WithAllow() throws Exception {
    HttpResponse<String> r = http.postJson("/v2/health/live", "{}");
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET");
  }

  @Test
  void infer_tooManyRows_returns413() throws Exception {
    List<Map<String, String>> rows = Collections.nCopies(1_001, Requests.ROW);
    HttpResponse<String> r =
        http.postJson("/v2/models/credit-rf/infer", Requests.infer(rows, false, null));
    assertThat(r.statusCode()).isEqualTo(413);
    assertError(r, "TOO_MANY_ROWS", "expected at most 1000 rows, found 1001");
  }

  @Test
  void invocations_dataframeSplit_returnsGoldenPredictions() throws Exception {
    StringBuilder data = new StringBuilder();
    for (Golden g : golden) {
      data.append(data.length() == 0 ? "" : ",").append('[');
      for (int j = 0; j < Requests.COLUMNS.size(); j++) {
        String v = g.row().get(Requests.COLUMNS.get(j));
        data.append(j == 0 ? "" : ",")
            .append(Requests.NUMERIC.contains(Requests.COLUMNS.get(j)) ? v : "\"" + v + "\"");
      }
      data.append(']');
    }
    String body =
        "{\"dataframe_split\": {\"columns\": "
            + new String(Json.write(Requests.COLUMNS), StandardCharsets.UTF_8)
            + ", \"data\": ["
            + data
            + "]}}";
    assertGoldenMlflow(http.postJson("/invocations", body));
  }

  @Test
  void invocations_dataframeRecords_returnsGoldenPredictions() throws Exception {
    List<String> records = new ArrayList<>();
    for (Golden g : golden) {
      records.add(new String(Json.write(g.row()), StandardCharsets.UTF_8));
    }
    assertGoldenMlflow(
        http.postJson(
            "/invocations", "{\"dataframe_records\": [" + String.join(",", records) + "]}"));
  }

  @Test
  void invocations_csv_returnsGoldenPredictions() throws Exception {
    StringBuilder csv = new StringBuilder(String.join(",", Requests.COLUMNS)).append("\r\n");
    for (Golden g : golden) {
      List<String> cells = new ArrayList<>();
      Requests.COLUMNS.forEach(c -> cells.add("\"" + g.row().get(c) + "\""));
      csv.append(String.join(",", cells)).append("\r\n");
    }
    assertGoldenMlflow(http.post("/invocations", "text/csv; charset=utf-8", csv.toString()));
  }

  @Test
  void invocations_otherContentType_returns415() throws Exception {
    HttpResponse<String> r = http.post("/invocations", "application/xml", "<a/>");
    assertThat(r.statusCode()).isEqualTo(415);
    assertError(r, "UNSUPPORTED_MEDIA_TYPE", "application/json or text/csv");
  }

  @Test
  void invocations_tensorInput_returns400SayingWhatIsRead() throws Exception {
    HttpResponse<String> r = http.postJson("/invocations", "{\"instances\": [[1, 2]]}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertError(r, "INVALID_INPUT", "expected \"dataframe_split\" or \"dataframe_records\"");
  }

  @Test
  void docs_openApi_describesEveryRoute() throws Exception {
    HttpResponse<String> r = http.get("/v2/docs/dataplane.json");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode doc = Http.json(r);
    assertThat(doc.get("openapi").asText()).startsWith("3.");
    List<String> paths = new ArrayList<>();
    doc.get("paths").fieldNames().forEachRemaining(paths::add);
    assertThat(paths)
        .containsExactlyInAnyOrder(
            "/v2/health/live",
            "/v2/health/ready",
            "/v2",
            "/v2/docs/dataplane.json",
            "/v2/models/{name}",
            "/v2/models/{name}/versions/{version}",
            "/v2/models/{name}/ready",
            "/v2/models/{name}/versions/{version}/ready",
            "/v2/models/{name}/infer",
            "/v2/models/{name}/versions/{version}/infer",
            "/v2/models/{name}/feedback",
            "/v2/models/{name}/versions/{version}/feedback",
            "/invocations",
            "/v2/repository/models/{name}/load",
            "/metrics");
    // Each documented path is served: none answers 404.
    for (String p : paths) {
      String concrete = p.replace("{name}", "credit-rf").replace("{version}", "2");
      HttpResponse<String> a = http.get(concrete);
      assertThat(a.statusCode()).as(concrete).isNotEqualTo(404);
    }
  }

  @Test
  void metrics_afterRequests_exposeEveryFamilyAndCount() throws Exception {
    http.get("/v2/health/live");
    http.postJson("/v2/models/credit-rf/infer", Requests.infer(Requests.ROW));
    http.postJson("/v2/models/credit-rf/infer", "{}");
    HttpResponse<String> r = http.get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
    String m = r.body();
    assertThat(m)
        .contains(
            "custody_requests_total{endpoint=\"infer\",model=\"credit-rf\",outcome=\"2xx\",version=\"2\"}")
        .contains(
            "custody_requests_total{endpoint=\"infer\",model=\"credit-rf\",outcome=\"INVALID_INPUT\",version=\"2\"}")
        .contains("custody_request_duration_seconds_bucket{endpoint=\"infer\",le=\"0.005\"}")
        .contains("custody_rejections_total{reason=\"INVALID_INPUT\"}")
        .contains(
            "custody_model_info{digest=\""
                + digest
                + "\",name=\"credit-rf\",signer=\""
                + server.model().signer()
                + "\",version=\"2\"} 1")
        .contains("jvm_memory_used_bytes");
    assertThat(
            count(
                m,
                "custody_requests_total{endpoint=\"health_live\",model=\"\",outcome=\"2xx\",version=\"\"}"))
        .isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void accessLog_requestWithTokenAndBody_logsJsonLineWithoutEither() throws Exception {
    String secretValue = "row-secret-" + System.nanoTime();
    HttpResponse<String> r =
        http.send(
            http.request("/v2/models/credit-rf/infer?token=query-secret")
                .header("Authorization", "Bearer token-secret-123")
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        Requests.infer(Requests.rowWith("SEX", secretValue))))
                .build());
    assertThat(r.statusCode()).isEqualTo(400);
    // The line is written once the answer is sent: wait for it.
    String line = null;
    for (int i = 0; i < 400 && line == null; i++) {
      line =
          ACCESS
              .toString()
              .lines()
              .filter(l -> l.contains("\"status\":400") && l.contains("/infer"))
              .findFirst()
              .orElse(null);
      if (line == null) {
        Thread.sleep(10);
      }
    }
    assertThat(line).isNotNull();
    assertThat(ACCESS.toString())
        .doesNotContain("token-secret-123")
        .doesNotContain("query-secret")
        .doesNotContain(secretValue);
    JsonNode j = Json.parse(line.getBytes(StandardCharsets.UTF_8), "access log line");
    assertThat(j.get("method").asText()).isEqualTo("POST");
    assertThat(j.get("path").asText()).isEqualTo("/v2/models/credit-rf/infer");
    assertThat(j.get("client").asText()).isEqualTo("127.0.0.1");
    assertThat(j.get("reason").asText()).isEqualTo("INVALID_INPUT");
    assertThat(j.get("modelDigest").asText()).isEqualTo(digest);
    assertThat(j.get("durationMs").asDouble()).isGreaterThanOrEqualTo(0.0);
    assertThat(j.get("time").asText()).endsWith("Z");
  }

  static void assertGoldenMlflow(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Custody-Model-Digest")).hasValue(digest);
    JsonNode p = Http.json(r).get("predictions");
    assertThat(p).hasSize(golden.size());
    for (int i = 0; i < golden.size(); i++) {
      assertThat(p.get(i).get("label").asText()).isEqualTo(golden.get(i).label());
      for (String c : List.of("0", "1")) {
        assertThat(p.get(i).get("probabilities").get(c).asDouble())
            .isCloseTo(golden.get(i).scores().get(c), within(0.0));
      }
    }
  }

  static void assertError(HttpResponse<String> r, String reason, String message) throws Exception {
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode e = Http.json(r);
    assertThat(e.get("reason").asText()).isEqualTo(reason);
    assertThat(e.get("error").asText()).contains(message);
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  static double count(String metrics, String series) {
    return metrics
        .lines()
        .filter(l -> l.startsWith(series + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
        .findFirst()
        .orElse(-1);
  }
}
