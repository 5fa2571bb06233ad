package dev.custody.serve;

/**
 * What a request is for, decided once per request before anything else runs ({@link RequestFilter}
 * sees it), so that authentication and rate limits can treat each kind apart.
 */
public enum EndpointKind {
  /** {@code /v2/health/live}, {@code /v2/health/ready}. */
  HEALTH,
  /** Server and model metadata, model readiness and the OpenAPI document. */
  METADATA,
  /** {@code .../infer} and {@code /invocations}. */
  INFERENCE,
  /**
   * {@code .../feedback}: a client's claim about one row's label, recorded in the feedback store
   * (never learned from by the server); it needs a token of role infer or admin, like inference.
   */
  FEEDBACK,
  /** The model repository extension: {@code /v2/repository/models/{name}/load}. */
  ADMIN,
  /** {@code /metrics}. */
  METRICS
}
