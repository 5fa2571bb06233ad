/**
 * The feedback store (seed 003): feedback is recorded, never learned by the server. Every record is
 * durable before the server answers 2xx and chained to the one before it by SHA-256, so a dropped,
 * changed or reordered record is detected when the store is read or exported.
 */
package dev.custody.serve.feedback;
