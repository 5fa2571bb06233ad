/**
 * The chain-of-custody format of {@code docs/chain-format.md}, as code: the model directory's file
 * names, the stages, the size limits, and one writer and one strict reader for each record (the
 * model card with its signed feature schema, and the dataset, provenance, gate and reproduction
 * predicates). Train writes through this package, verify reads through it, and test fixtures use
 * it, so no two modules describe the same bytes.
 */
package dev.custody.core.chain;
