/**
 * Stage 6, export: the in-toto statements of the chain of custody (dataset, provenance, gate,
 * reproduction), the training classpath recorded in the provenance, and the model directory written
 * atomically in the layout of {@code docs/chain-format.md}.
 */
package dev.custody.train.export;
