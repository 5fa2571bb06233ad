package dev.custody.serve.security;

import java.util.Locale;

/** What a client's token allows: inference only, or inference and administration. */
public enum Role {
  /** Inference and model metadata. */
  INFER,
  /** Everything {@link #INFER} allows, and the admin endpoint (model reload). */
  ADMIN;

  /** Whether a client with this role may call an endpoint that requires {@code required}. */
  public boolean allows(Role required) {
    return this == ADMIN || required == INFER;
  }

  /** The word used in token files and on the command line: {@code infer} or {@code admin}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role named {@code word} ({@code infer} or {@code admin}). */
  public static Role ofWord(String word) {
    for (Role r : values()) {
      if (r.word().equals(word)) {
        return r;
      }
    }
    throw new IllegalArgumentException("expected a role infer or admin, found \"" + word + "\"");
  }
}
