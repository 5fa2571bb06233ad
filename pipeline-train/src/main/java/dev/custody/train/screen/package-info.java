/**
 * Stage 3, screen: the poison screens (duplicates, label conflicts and changes, outliers, label
 * noise) run on the parsed rows, their report, and the dataset summary the dataset attestation
 * signs. Imports only {@code spec} and {@code data}.
 */
package dev.custody.train.screen;
