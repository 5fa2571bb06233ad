/**
 * Stage 1, spec: the pipeline spec (YAML) parsed strictly into {@link
 * dev.custody.train.spec.PipelineSpec}, with the trainer and screen parameters it names. Imports no
 * other stage.
 */
package dev.custody.train.spec;
