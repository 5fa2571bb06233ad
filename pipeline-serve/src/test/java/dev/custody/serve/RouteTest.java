package dev.custody.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.serve.Route.Endpoint;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every path classifies to one endpoint, model and version: the inference path read without a split
 * and its near misses, which the general reading classifies.
 */
class RouteTest {
  @ParameterizedTest(name = "{0} -> {1} {2} {3}")
  @CsvSource(
      nullValues = "-",
      value = {
        "/v2/models/credit-rf/infer, INFER, credit-rf, -",
        "/v2/models/m/infer, INFER, m, -",
        "/v2/models/infer/infer, INFER, infer, -",
        "/v2/models/m/versions/3/infer, INFER, m, 3",
        "/v2/models//infer, UNKNOWN, -, -",
        "/v2/models/infer, MODEL_METADATA, infer, -",
        "/v2/models/m/infer/, UNKNOWN, -, -",
        "/v2/models/m/x/infer, UNKNOWN, -, -",
        "/v2/models/m/versions//infer, UNKNOWN, -, -",
        "/v2/models/m/versions/infer, MODEL_METADATA, m, infer",
        "/v2/models/m/infer/infer, UNKNOWN, -, -",
        "/v2/models/m/xinfer, UNKNOWN, -, -",
        "//v2/models/m/infer, UNKNOWN, -, -",
        "/v3/models/m/infer, UNKNOWN, -, -",
        "/v2/models/m, MODEL_METADATA, m, -",
        "/v2/models/m/versions/3, MODEL_METADATA, m, 3",
        "/v2/models/m/ready, MODEL_READY, m, -",
        "/v2/models/m/versions/3/ready, MODEL_READY, m, 3",
        "/v2/models/m/feedback, FEEDBACK, m, -",
        "/v2/repository/models/m/load, LOAD, m, -",
        "/v2/repository/models//load, UNKNOWN, -, -",
        "/v2, SERVER_METADATA, -, -",
        "/v2/, SERVER_METADATA, -, -",
        "/v2/health/live, HEALTH_LIVE, -, -",
        "/v2/health/ready, HEALTH_READY, -, -",
        "/v2/docs/dataplane.json, DOCS, -, -",
        "/invocations, INVOCATIONS, -, -",
        "/metrics, METRICS, -, -",
        "/, UNKNOWN, -, -",
      })
  void classifiesEachPathToOneEndpoint(
      String path, Endpoint endpoint, String model, String version) {
    Route r = Route.of(path);
    assertThat(r.endpoint()).isEqualTo(endpoint);
    assertThat(r.kind()).isEqualTo(endpoint.kind);
    assertThat(r.model()).isEqualTo(model);
    assertThat(r.version()).isEqualTo(version);
  }
}
