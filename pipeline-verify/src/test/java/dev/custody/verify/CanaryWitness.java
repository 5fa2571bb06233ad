package dev.custody.verify;

/** Set by {@code Canary}'s static initializer: true means a model made the JVM initialize it. */
final class CanaryWitness {
  static final String CANARY = "dev.custody.verify.Canary";

  static volatile boolean ran;

  private CanaryWitness() {}
}
