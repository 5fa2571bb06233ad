/**
 * Stage 5, evaluate: metrics of a fitted model on held-out rows and the spec's release gates
 * (minimums, golden and canary sets, maximum change against a verified baseline).
 */
package dev.custody.train.evaluate;
