package dev.custody.examples;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the one place in the examples that calls an API listed in {@code config/forbidden-apis.txt}
 * (forbiddenapis skips code carrying an annotation of this simple name): {@link NaivePipeline}, the
 * victim of the attack demos, which deserializes a model file without verifying it. Custody's own
 * path never does; say in {@link #value()} why the call is there.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD})
@interface SuppressForbidden {
  /** Why the forbidden call is here. */
  String value();
}
