/**
 * Serving: the verifying model server, {@link dev.custody.serve.ModelServer}.
 *
 * <p>It serves only a {@link dev.custody.serve.ServedModel}: a chain that {@link
 * dev.custody.verify.ChainVerifier} accepted under the trust policy and the model {@link
 * dev.custody.verify.VerifiedChain#load()} read from the verified bytes. The API is the Open
 * Inference Protocol (KServe V2) REST, its model-repository extension for reloads, and MLflow's
 * {@code /invocations}; its OpenAPI document is the resource {@code dataplane.json} beside these
 * classes, served at {@code /v2/docs/dataplane.json}. Every request is classified once into an
 * {@link dev.custody.serve.EndpointKind} and passed through the builder's {@link
 * dev.custody.serve.RequestFilter} (authentication and rate limits go there) before its endpoint
 * runs.
 */
package dev.custody.serve;
