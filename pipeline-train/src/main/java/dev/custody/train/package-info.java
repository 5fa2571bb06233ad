/**
 * Training: the pipeline spec, verified ingest with poison screens, seeded Tribuo training,
 * evaluation and release gates, signed export in the chain-of-custody layout, and reproduction.
 *
 * <p>The entry point is {@link dev.custody.train.Pipeline}; every step checks the signed evidence
 * of the step before it through {@code dev.custody.verify} and signs evidence for the next.
 *
 * <p>This root package only orchestrates. Each stage has its own package, in order {@code spec},
 * {@code data}, {@code screen}, {@code fit}, {@code evaluate}, {@code feedback} (the defences
 * between a feedback dataset and the training table, which train candidates to test sources),
 * {@code export}; a stage imports only from the stages before it, and only this package imports
 * them all. Three packages are shared and are not stages: {@code internal} (file reading and
 * hashing), {@code tree} (Custody's histogram tree trainers, used by the screens and the fit stage)
 * and {@code linear} (Custody's L-BFGS logistic regression trainer).
 */
package dev.custody.train;
