/**
 * Stage 2, data: fetching pinned data files, reading CSV/TSV rows against the spec's schema into
 * canonical rows, their Merkle root, the seeded train/test split and dataset diffs. Imports only
 * {@code spec}.
 */
package dev.custody.train.data;
