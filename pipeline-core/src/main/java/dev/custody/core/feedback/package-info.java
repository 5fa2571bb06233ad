/**
 * The feedback record format (seed 003): what the server records for each feedback claim, its
 * canonical line (the journal's line, the hash-chain input and one line of an exported feedback
 * dataset), and the strict reader of that line. The stores live in {@code pipeline-serve}; the
 * train stage reads exported lines with the same reader.
 */
package dev.custody.core.feedback;
