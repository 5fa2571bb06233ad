/**
 * Stage 4, fit: seeded Tribuo training of the spec's trainer on a training table, and the digest of
 * the fitted model's content (independent of its serialized bytes). The only package that builds
 * Tribuo trainers.
 */
package dev.custody.train.fit;
