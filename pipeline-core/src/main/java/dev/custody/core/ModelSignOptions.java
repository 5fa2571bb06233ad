package dev.custody.core;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@link ModelSigning#sign(java.nio.file.Path, java.nio.file.Path, BundleSigner,
 * ModelSignOptions)} leaves out and follows, as model_signing's {@code sign} options: by default
 * the git paths ({@code .git}, {@code .gitattributes}, {@code .github}, {@code .gitignore}) are
 * ignored and a symbolic link is refused. Every rule is recorded in the signature, so verification
 * applies the same ones.
 */
public final class ModelSignOptions {
  private final List<String> ignore;
  private final boolean ignoreGitPaths;
  private final boolean allowSymlinks;

  private ModelSignOptions(Builder b) {
    this.ignore = List.copyOf(b.ignore);
    this.ignoreGitPaths = b.ignoreGitPaths;
    this.allowSymlinks = b.allowSymlinks;
  }

  /** A new builder: git paths ignored, links refused, nothing else left out. */
  public static Builder builder() {
    return new Builder();
  }

  /** Paths relative to the model that are left out and recorded as ignored. */
  public List<String> ignore() {
    return ignore;
  }

  /** Whether the git paths are left out (model_signing's {@code --ignore-git-paths}, default). */
  public boolean ignoreGitPaths() {
    return ignoreGitPaths;
  }

  /** Whether a link inside the model is hashed as the file it points to. */
  public boolean allowSymlinks() {
    return allowSymlinks;
  }

  /** Builds {@link ModelSignOptions}. */
  public static final class Builder {
    private final List<String> ignore = new ArrayList<>();
    private boolean ignoreGitPaths = true;
    private boolean allowSymlinks;

    private Builder() {}

    /** Also leaves out these paths, relative to the model. */
    public Builder ignore(List<String> paths) {
      ignore.addAll(paths);
      return this;
    }

    /**
     * Signs the git paths like any other file (model_signing's {@code --no-ignore-git-paths}): a
     * Hugging Face repository's {@code .gitattributes} becomes a signed resource.
     */
    public Builder includeGitPaths() {
      ignoreGitPaths = false;
      return this;
    }

    /**
     * Hashes a symbolic link as the regular file it points to and records {@code allow_symlinks:
     * true}. A link that leads out of the model, or nowhere, is refused all the same.
     */
    public Builder allowSymlinks() {
      allowSymlinks = true;
      return this;
    }

    /** The options. */
    public ModelSignOptions build() {
      return new ModelSignOptions(this);
    }
  }
}
