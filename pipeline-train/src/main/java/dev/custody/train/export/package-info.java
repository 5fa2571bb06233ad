/**
 * Stage 6, export: the signed model directory ({@link dev.custody.train.export.ModelExporter}) in
 * the layout of {@code docs/chain-format.md}, written atomically, and the training classpath
 * recorded in its provenance. The records themselves are written by {@code dev.custody.core.chain}.
 */
package dev.custody.train.export;
