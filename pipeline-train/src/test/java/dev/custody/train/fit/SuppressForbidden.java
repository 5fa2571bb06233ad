package dev.custody.train.fit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks test code allowed to call an API that forbidden-apis bans, such as Tribuo's {@code
 * Model.deserialize}: the plugin honours any annotation named {@code SuppressForbidden}. Main code
 * of this module never deserializes a model; only pipeline-verify's safe loader does.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.FIELD})
@interface SuppressForbidden {}
