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
  /** The model repository extension: {@code /v2/repository/models/{name}/load}. */
  ADMIN,
  /** {@code /metrics}. */
  METRICS
}
