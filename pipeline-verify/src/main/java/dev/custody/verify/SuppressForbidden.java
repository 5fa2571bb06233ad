package dev.custody.verify;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the single call site that may use an API listed in {@code config/forbidden-apis.txt}:
 * forbiddenapis skips code carrying an annotation of this simple name. Keep it on one method, and
 * say in {@link #value()} why that call is safe there.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.CONSTRUCTOR})
@interface SuppressForbidden {
  /** Why the forbidden call is safe at this site. */
  String value();
}
