/**
 * The feedback stores (seed 003): where the server records feedback, never learns from it. Every
 * record is durable before the server answers 2xx and chained to the one before it by SHA-256, so a
 * dropped, changed or reordered record is detected when the store is read or exported.
 */
package dev.custody.serve.feedback;
