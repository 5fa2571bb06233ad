/**
 * The defences between a feedback dataset and the training table (seed 003): quarantine, trust
 * weights, the influence cap per item, the contested canary and the per-source impact test. {@link
 * dev.custody.train.feedback.FeedbackDefences} applies them; each reports into the dataset
 * attestation.
 */
package dev.custody.train.feedback;
