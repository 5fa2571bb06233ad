/**
 * Custody's own linear trainer, {@link dev.custody.train.linear.LbfgsLogisticTrainer}:
 * L2-regularised multinomial logistic regression solved full-batch by L-BFGS, deterministic, on
 * sparse rows. Its model is a stock Tribuo {@code LinearSGDModel}, built by Tribuo's own protobuf
 * reader, so the safe loader's class allow-list gains only the trainer's name (recorded in
 * provenance, never loaded).
 */
package dev.custody.train.linear;
