package dev.custody.verify;

import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a model must contain, taken from its signed training record (model card and provenance): the
 * label set and the feature names. {@link ModelLoader} refuses a model whose label set or feature
 * names differ, in either direction. Both are sets: Tribuo numbers features by name, so the order
 * of a feature list carries no meaning.
 *
 * @param labels the labels the model predicts, as signed
 * @param featureNames the feature names the model was trained on, as signed
 */
record ModelExpectations(SortedSet<String> labels, SortedSet<String> featureNames) {
  /**
   * Copies and validates both sets.
   *
   * @throws IllegalArgumentException if either is empty or holds a null or empty name
   */
  public ModelExpectations {
    labels = copy("labels", labels);
    featureNames = copy("featureNames", featureNames);
  }

  /**
   * The expectations for the given labels and feature names, in any order.
   *
   * @throws IllegalArgumentException if either is empty, or holds a duplicate, null or empty name
   */
  static ModelExpectations of(Collection<String> labels, Collection<String> featureNames) {
    return new ModelExpectations(
        distinct("labels", labels), distinct("featureNames", featureNames));
  }

  private static SortedSet<String> distinct(String what, Collection<String> names) {
    Objects.requireNonNull(names, what);
    TreeSet<String> set = new TreeSet<>();
    for (String name : names) {
      if (name == null || !set.add(name)) {
        throw new IllegalArgumentException(what + " has a duplicate or null name: " + name);
      }
    }
    return set;
  }

  private static SortedSet<String> copy(String what, SortedSet<String> names) {
    Objects.requireNonNull(names, what);
    TreeSet<String> set = new TreeSet<>();
    for (String name : names) {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException(what + " holds a null or empty name");
      }
      set.add(name);
    }
    if (set.isEmpty()) {
      throw new IllegalArgumentException(what + " is empty");
    }
    return Collections.unmodifiableSortedSet(set);
  }
}
