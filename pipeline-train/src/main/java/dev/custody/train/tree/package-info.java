/**
 * Histogram-based classification trees and random forests that emit standard Tribuo models ({@code
 * TreeModel}, {@code WeightedEnsembleModel}): {@link dev.custody.train.tree.HistCartTrainer} and
 * {@link dev.custody.train.tree.HistForestTrainer}. Features are binned once per dataset and each
 * split is found by scanning per-bin label weights, so a split costs rows × sampled features
 * whatever the number of distinct values. Not a stage: the screens and the fit stage both use it,
 * and it names no stage.
 */
package dev.custody.train.tree;
