package dev.custody.serve;

import java.util.List;

/**
 * A request's place in the API, found from its method and path alone: which endpoint, of which
 * kind, and the model name and version the path names. {@link #of} is the one classification of
 * every request.
 *
 * @param endpoint the endpoint, as metrics and the access log name it
 * @param kind what the endpoint is for
 * @param model the model name in the path, or null
 * @param version the model version in the path, or null
 */
record Route(Endpoint endpoint, EndpointKind kind, String model, String version) {
  /** The endpoints, each with its kind and the one method it answers. */
  enum Endpoint {
    HEALTH_LIVE("health_live", EndpointKind.HEALTH, "GET"),
    HEALTH_READY("health_ready", EndpointKind.HEALTH, "GET"),
    SERVER_METADATA("server_metadata", EndpointKind.METADATA, "GET"),
    MODEL_METADATA("model_metadata", EndpointKind.METADATA, "GET"),
    MODEL_READY("model_ready", EndpointKind.METADATA, "GET"),
    DOCS("docs", EndpointKind.METADATA, "GET"),
    INFER("infer", EndpointKind.INFERENCE, "POST"),
    INVOCATIONS("invocations", EndpointKind.INFERENCE, "POST"),
    FEEDBACK("feedback", EndpointKind.FEEDBACK, "POST"),
    LOAD("repository_load", EndpointKind.ADMIN, "POST"),
    METRICS("metrics", EndpointKind.METRICS, "GET"),
    /** No such path: answered 404 before any filter runs. */
    UNKNOWN("unknown", null, null);

    final String label;
    final EndpointKind kind;
    final String method;

    Endpoint(String label, EndpointKind kind, String method) {
      this.label = label;
      this.kind = kind;
      this.method = method;
    }
  }

  private static final String MODELS = "/v2/models/";
  private static final String INFER = "/infer";

  /**
   * Classifies a request.
   *
   * @param path the request path, without query string
   * @return the route; {@link Endpoint#UNKNOWN} when no endpoint has this path
   */
  static Route of(String path) {
    // Before the switch on the fixed paths, whose string hash is of a new string per request.
    // The path of nearly every request, /v2/models/{name}/infer, read without splitting it: the
    // split's list and segments measured about 3% of a one-row request's Java samples.
    if (path.startsWith(MODELS) && path.endsWith(INFER)) {
      int end = path.length() - INFER.length();
      if (end > MODELS.length() && path.indexOf('/', MODELS.length()) == end) {
        return model(Endpoint.INFER, path.substring(MODELS.length(), end), null);
      }
    }
    Endpoint fixed =
        switch (path) {
          case "/v2", "/v2/" -> Endpoint.SERVER_METADATA;
          case "/v2/health/live" -> Endpoint.HEALTH_LIVE;
          case "/v2/health/ready" -> Endpoint.HEALTH_READY;
          case "/v2/docs/dataplane.json" -> Endpoint.DOCS;
          case "/invocations" -> Endpoint.INVOCATIONS;
          case "/metrics" -> Endpoint.METRICS;
          default -> null;
        };
    if (fixed != null) {
      return fixed(fixed);
    }
    List<String> s = List.of(path.split("/", -1));
    // ["", "v2", "models", name, ...] and ["", "v2", "repository", "models", name, "load"]
    if (s.size() == 6
        && s.get(0).isEmpty()
        && s.get(1).equals("v2")
        && s.get(2).equals("repository")
        && s.get(3).equals("models")
        && !s.get(4).isEmpty()
        && s.get(5).equals("load")) {
      return new Route(Endpoint.LOAD, EndpointKind.ADMIN, s.get(4), null);
    }
    if (s.size() < 4
        || !s.get(0).isEmpty()
        || !s.get(1).equals("v2")
        || !s.get(2).equals("models")
        || s.get(3).isEmpty()) {
      return fixed(Endpoint.UNKNOWN);
    }
    String name = s.get(3);
    List<String> rest = s.subList(4, s.size());
    String version = null;
    if (rest.size() >= 2 && rest.get(0).equals("versions") && !rest.get(1).isEmpty()) {
      version = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    if (rest.isEmpty()) {
      return model(Endpoint.MODEL_METADATA, name, version);
    }
    if (rest.size() == 1 && rest.get(0).equals("ready")) {
      return model(Endpoint.MODEL_READY, name, version);
    }
    if (rest.size() == 1 && rest.get(0).equals("infer")) {
      return model(Endpoint.INFER, name, version);
    }
    if (rest.size() == 1 && rest.get(0).equals("feedback")) {
      return model(Endpoint.FEEDBACK, name, version);
    }
    return fixed(Endpoint.UNKNOWN);
  }

  private static Route fixed(Endpoint e) {
    return new Route(e, e.kind, null, null);
  }

  private static Route model(Endpoint e, String name, String version) {
    return new Route(e, e.kind, name, version);
  }
}
