package dev.custody.core;

import java.util.ArrayList;
import java.util.List;

/**
 * What the verifier adds to the rules a model signature records, as model_signing's {@code verify}
 * options. The strict default: no path left out beyond the signature's own {@code ignore_paths}, no
 * symbolic link followed, and a file the signature does not list fails verification.
 */
public final class ModelVerifyOptions {
  private final List<String> ignore;
  private final boolean allowSymlinks;
  private final boolean ignoreUnsignedFiles;

  private ModelVerifyOptions(Builder b) {
    this.ignore = List.copyOf(b.ignore);
    this.allowSymlinks = b.allowSymlinks;
    this.ignoreUnsignedFiles = b.ignoreUnsignedFiles;
  }

  /** A new builder with the strict defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Paths relative to the model that the verifier also leaves out. */
  public List<String> ignore() {
    return ignore;
  }

  /** Whether links may be followed (only where the signature records {@code allow_symlinks}). */
  public boolean allowSymlinks() {
    return allowSymlinks;
  }

  /** Whether files the signature does not list are tolerated (and reported) instead of failing. */
  public boolean ignoreUnsignedFiles() {
    return ignoreUnsignedFiles;
  }

  /** Builds {@link ModelVerifyOptions}. */
  public static final class Builder {
    private final List<String> ignore = new ArrayList<>();
    private boolean allowSymlinks;
    private boolean ignoreUnsignedFiles;

    private Builder() {}

    /** Also leaves out these paths, relative to the model. */
    public Builder ignore(List<String> paths) {
      ignore.addAll(paths);
      return this;
    }

    /**
     * Follows a symbolic link inside the model as the signer did, when the signature records {@code
     * allow_symlinks: true} (model_signing's {@code --allow_symlinks}); without it every link is
     * refused. A link out of the model, or nowhere, is refused all the same.
     */
    public Builder allowSymlinks() {
      allowSymlinks = true;
      return this;
    }

    /**
     * Tolerates files present but not in the signature (model_signing's {@code
     * --ignore_unsigned_files}): they are neither read nor verified, and are listed in {@link
     * VerifiedManifest#unsignedFiles()}.
     */
    public Builder ignoreUnsignedFiles() {
      ignoreUnsignedFiles = true;
      return this;
    }

    /** The options. */
    public ModelVerifyOptions build() {
      return new ModelVerifyOptions(this);
    }
  }
}
