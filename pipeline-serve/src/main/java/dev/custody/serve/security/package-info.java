/**
 * Who may call the model server and how often: bearer tokens stored only as SHA-256 digests in a
 * {@link dev.custody.serve.security.TokenFile}, checked in constant time by {@link
 * dev.custody.serve.security.Tokens}; per-client and per-address token buckets ({@link
 * dev.custody.serve.security.RateLimiter}); and the server's TLS settings ({@link
 * dev.custody.serve.security.TlsConfig}). Nothing here depends on the HTTP stack; tokens and
 * passwords never appear in a message, a log line or a {@code toString}.
 */
package dev.custody.serve.security;
