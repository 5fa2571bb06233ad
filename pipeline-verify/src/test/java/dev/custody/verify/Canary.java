package dev.custody.verify;

/**
 * A class no model may make the loader initialize. Its static initializer records that it ran in
 * {@link CanaryWitness}; the crafted model fixtures name it. Never reference it from code: a class
 * literal would load it (though not initialize it).
 */
final class Canary {
  static {
    CanaryWitness.ran = true;
  }

  private Canary() {}
}
