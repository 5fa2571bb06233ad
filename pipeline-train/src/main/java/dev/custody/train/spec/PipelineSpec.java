package dev.custody.train.spec;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.YamlTree;
import dev.custody.core.chain.FeatureSchema;
import dev.custody.train.internal.Bytes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A pipeline spec: one strict YAML file naming the data (with pinned SHA-256s), its format and
 * schema, the split, the trainer, the data screens and the release gates. Unknown keys, wrong types
 * and missing fields are {@link dev.custody.core.Reason#SPEC_INVALID} errors that name the key and
 * its line:column.
 *
 * <p>The spec's {@link #digest() digest} is the SHA-256 of the exact file bytes that were parsed;
 * {@link #open()} hands those same bytes out again, for provenance.
 *
 * <p>Relative data paths are resolved against {@link #baseDirectory()}, the directory of the spec
 * file.
 */
public final class PipelineSpec {
  private final byte[] bytes;
  private final Sha256 digest;
  private final String sourceName;
  private final Path baseDirectory;
  private final String name;
  private final int version;
  private final Data data;
  private final Format format;
  private final FeatureSchema schema;
  private final Split split;
  private final TrainerSpec trainer;
  private final List<ScreenSpec> screens;
  private final Gates gates;
  private final FeedbackSpec feedback;
  private final CrossValidation crossValidation;

  PipelineSpec(
      byte[] bytes,
      String sourceName,
      Path baseDirectory,
      String name,
      int version,
      Data data,
      Format format,
      FeatureSchema schema,
      Split split,
      TrainerSpec trainer,
      List<ScreenSpec> screens,
      Gates gates,
      FeedbackSpec feedback,
      CrossValidation crossValidation) {
    this.bytes = bytes.clone();
    this.digest = Bytes.sha256(this.bytes);
    this.sourceName = sourceName;
    this.baseDirectory = baseDirectory;
    this.name = name;
    this.version = version;
    this.data = data;
    this.format = format;
    this.schema = schema;
    this.split = split;
    this.trainer = trainer;
    this.screens = List.copyOf(screens);
    this.gates = gates;
    this.feedback = feedback;
    this.crossValidation = crossValidation;
  }

  /**
   * Reads and parses a spec file. The file is read once; the digest and the parse are of those
   * bytes.
   *
   * @throws PipelineException {@code SPEC_INVALID} naming the key and line:column
   * @throws IOException if the file cannot be read
   */
  public static PipelineSpec load(Path file) throws PipelineException, IOException {
    byte[] yaml = Bytes.readLimited(file, YamlTree.MAX_BYTES, Reason.SPEC_INVALID);
    Path abs = file.toAbsolutePath().normalize();
    return parse(yaml, abs.getParent(), String.valueOf(file.getFileName()));
  }

  /**
   * Parses spec bytes.
   *
   * @param yaml the exact spec bytes (UTF-8 YAML)
   * @param baseDirectory the directory relative data paths are resolved against
   * @param sourceName the name error messages use for the spec (its file name)
   * @throws PipelineException {@code SPEC_INVALID} naming the key and line:column
   */
  public static PipelineSpec parse(byte[] yaml, Path baseDirectory, String sourceName)
      throws PipelineException {
    Objects.requireNonNull(baseDirectory, "baseDirectory");
    return new SpecParser(sourceName).parse(yaml, baseDirectory);
  }

  /** SHA-256 of the exact spec bytes. */
  public Sha256 digest() {
    return digest;
  }

  /** The exact spec bytes that were parsed and digested. */
  public InputStream open() {
    return new ByteArrayInputStream(bytes);
  }

  /** The name error messages use for this spec. */
  public String sourceName() {
    return sourceName;
  }

  /** The directory that relative data paths are resolved against. */
  public Path baseDirectory() {
    return baseDirectory;
  }

  /** The model name. */
  public String name() {
    return name;
  }

  /** The model version: a positive integer that increases with each release. */
  public int version() {
    return version;
  }

  /** Where the data comes from. */
  public Data data() {
    return data;
  }

  /** How the data files are laid out. */
  public Format format() {
    return format;
  }

  /** Which columns are the id, the label and the features. */
  public FeatureSchema schema() {
    return schema;
  }

  /** The train/test split. */
  public Split split() {
    return split;
  }

  /** The trainer and its parameters, defaults filled in. */
  public TrainerSpec trainer() {
    return trainer;
  }

  /**
   * The data screens that run at ingest, in run order (duplicates, conflicts, outliers, labelNoise,
   * labelChanges); screens the spec does not name do not run.
   */
  public List<ScreenSpec> screens() {
    return screens;
  }

  /** The configured screen of that type, if the spec names it. */
  public <T extends ScreenSpec> Optional<T> screen(Class<T> type) {
    return screens.stream().filter(type::isInstance).map(type::cast).findFirst();
  }

  /** The release gates (evaluated after training). */
  public Gates gates() {
    return gates;
  }

  /** The feedback dataset and its defences, if the spec names one. */
  public Optional<FeedbackSpec> feedback() {
    return Optional.ofNullable(feedback);
  }

  @Override
  public String toString() {
    return "PipelineSpec[" + name + " v" + version + ", " + digest + "]";
  }

  /** Data file layout. */
  public enum Format {
    /** RFC 4180 CSV with a header row; CRLF or LF; optional UTF-8 BOM. */
    CSV("csv"),
    /** {@code label<TAB>text} per line, no header; quotes are ordinary characters. */
    TSV_TEXT("tsv-text");

    private final String word;

    Format(String word) {
      this.word = word;
    }

    /** The word used in the spec. */
    public String word() {
      return word;
    }

    static Format of(String word) {
      for (Format f : values()) {
        if (f.word.equals(word)) {
          return f;
        }
      }
      throw new IllegalArgumentException(word);
    }
  }

  /** A pinned data file. */
  public sealed interface Source permits LocalFile, RemoteFile {
    /** The SHA-256 the file's bytes must have. */
    Sha256 sha256();

    /** The path or URL as written in the spec or lock. */
    String display();
  }

  /**
   * A file on disk.
   *
   * @param path the path as written (relative paths resolve against the spec or lock directory)
   * @param sha256 the pinned digest
   */
  public record LocalFile(String path, Sha256 sha256) implements Source {
    public LocalFile {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(sha256, "sha256");
    }

    @Override
    public String display() {
      return path;
    }
  }

  /**
   * A file downloaded over HTTP(S) into the local cache and checked before use.
   *
   * @param url an {@code https} (or, when allowed, {@code http}) URL
   * @param sha256 the pinned digest
   */
  public record RemoteFile(URI url, Sha256 sha256) implements Source {
    public RemoteFile {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(sha256, "sha256");
    }

    @Override
    public String display() {
      return url.toString();
    }
  }

  /** Where the data comes from: a list of pinned files, or a lock file that lists them. */
  public sealed interface Data permits FileList, LockFile {}

  /**
   * Data files listed in the spec.
   *
   * @param files the files, in order; their rows are concatenated
   */
  public record FileList(List<Source> files) implements Data {
    public FileList {
      files = List.copyOf(files);
    }
  }

  /**
   * A lock file (YAML or JSON: {@code files: [{path | url, sha256}]}) that pins the data files;
   * relative paths in it resolve against the lock file's directory.
   *
   * @param path the lock file, relative to the spec directory
   * @param sha256 the lock file's pinned digest, or null when the spec does not pin it (its digest
   *     is then still recorded in the dataset summary)
   */
  public record LockFile(String path, Sha256 sha256) implements Data {
    public LockFile {
      Objects.requireNonNull(path, "path");
    }

    /** The lock file's pinned digest, if the spec pins it. */
    public Optional<Sha256> pinned() {
      return Optional.ofNullable(sha256);
    }
  }

  /**
   * The {@code evaluation.crossValidation} section: k-fold cross-validation of the trainer on the
   * training split, whose fold metrics go into the gate attestation.
   *
   * @return empty when the spec asks for none
   */
  public Optional<CrossValidation> crossValidation() {
    return Optional.ofNullable(crossValidation);
  }

  /**
   * K-fold cross-validation on the training split, stratified and seeded ({@code evaluation:
   * {crossValidation: {folds: 5, seed: 42, minimum: {accuracy: 0.8}}}}).
   *
   * @param folds the number of folds, in [2, 20]
   * @param seed the seed of the fold assignment (default: the split's seed)
   * @param minimum metric ({@code accuracy}, {@code auc}) → minimum of its mean over the folds: the
   *     {@code cv-METRIC} gates; empty for none
   */
  public record CrossValidation(int folds, long seed, Map<String, Double> minimum) {
    public CrossValidation {
      minimum = Collections.unmodifiableMap(new LinkedHashMap<>(minimum));
    }
  }

  /**
   * The train/test split.
   *
   * @param testFraction the fraction of rows held out, in (0, 1)
   * @param seed the split's random seed
   * @param stratify whether each class is held out in proportion ({@code split.stratify}, default
   *     true: every Custody model is a classifier), as the data package's {@code Split.stratified}
   *     does it
   */
  public record Split(double testFraction, long seed, boolean stratify) {}

  /**
   * The release gates, kept as data for the evaluation stage.
   *
   * @param minimum metric name → minimum value in [0, 1] on the held-out test split (names as in
   *     {@link GoldenGate#minimum()}); empty when the spec sets none
   * @param golden a golden set with minimum metrics, or null
   * @param canary a canary set whose rows must keep their label, or null
   * @param maxChange a maximum change of metrics against a baseline model, or null
   */
  public record Gates(
      Map<String, Double> minimum, GoldenGate golden, CanaryGate canary, MaxChangeGate maxChange) {
    public Gates {
      minimum = Collections.unmodifiableMap(new LinkedHashMap<>(minimum));
    }

    /** Whether the spec configures no gate at all. */
    public boolean isEmpty() {
      return minimum.isEmpty() && golden == null && canary == null && maxChange == null;
    }

    /** The golden-set gate, if any. */
    public Optional<GoldenGate> goldenGate() {
      return Optional.ofNullable(golden);
    }

    /** The canary gate, if any. */
    public Optional<CanaryGate> canaryGate() {
      return Optional.ofNullable(canary);
    }

    /** The max-change gate, if any. */
    public Optional<MaxChangeGate> maxChangeGate() {
      return Optional.ofNullable(maxChange);
    }
  }

  /**
   * A golden set (same format and schema as the data) and the minimum metrics the model must reach
   * on it.
   *
   * @param data the pinned golden file
   * @param minimum metric name → minimum value in [0, 1]; names are {@code accuracy}, {@code auc},
   *     {@code macroF1}, or {@code precision:LABEL}, {@code recall:LABEL}, {@code f1:LABEL}
   */
  public record GoldenGate(Source data, Map<String, Double> minimum) {
    public GoldenGate {
      Objects.requireNonNull(data, "data");
      minimum = Collections.unmodifiableMap(new LinkedHashMap<>(minimum));
    }
  }

  /**
   * A canary set (same format and schema as the data): every row must keep its label.
   *
   * @param data the pinned canary file
   */
  public record CanaryGate(Source data) {
    public CanaryGate {
      Objects.requireNonNull(data, "data");
    }
  }

  /**
   * The largest allowed drop of each metric against a baseline model (loaded only through
   * pipeline-verify).
   *
   * @param baseline the baseline model directory, relative to the spec directory
   * @param metrics metric name → largest allowed drop, in [0, 1]
   */
  public record MaxChangeGate(String baseline, Map<String, Double> metrics) {
    public MaxChangeGate {
      Objects.requireNonNull(baseline, "baseline");
      metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }
  }
}
