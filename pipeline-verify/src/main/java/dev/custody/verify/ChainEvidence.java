package dev.custody.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Readers for the predicates of the chain's attestations ({@code docs/chain-format.md}), applied
 * only to statements whose signatures already verified. Each reader takes what the verification
 * order needs and refuses a predicate that lacks it ({@link Reason#MALFORMED}) or has another type
 * ({@link Reason#UNSUPPORTED}).
 */
final class ChainEvidence {
  static final String PROVENANCE_TYPE = "https://slsa.dev/provenance/v1";
  static final String TRAIN_BUILD_TYPE = "https://custody.dev/train/v1";
  static final String DATASET_TYPE = "https://custody.dev/dataset/v1";
  static final String GATE_TYPE = "https://custody.dev/gate/v1";
  static final String SUMMARY_TYPE = "https://slsa.dev/verification_summary/v1";

  static final String DATASET_ATTESTATION = "dataset-attestation";
  static final String DATASET = "dataset";
  static final String DATA_PREFIX = "data:";
  static final String JAR_PREFIX = "jar:";
  static final String DIR_PREFIX = "dir:";
  static final String CONTENT_DIGEST = "model-content-digest";

  private ChainEvidence() {}

  /** One {@code data:} entry of the provenance. */
  record DataEntry(String name, String uri, Sha256 digest) {}

  /** What the chain needs from the training provenance. */
  record Provenance(
      Sha256 datasetAttestation,
      Sha256 dataset,
      List<DataEntry> data,
      Map<String, Sha256> jars,
      List<String> classpathDirectories,
      Sha256 contentDigest) {}

  /** A data file of the dataset attestation. */
  record DataFile(String source, Sha256 digest) {}

  /** One gate of the gate attestation. */
  record GateEntry(String name, String metric, String comparator, String threshold, String observed, boolean passed) {
    String describe() {
      return name + " (" + metric + " " + observed + " " + comparator + " " + threshold + ")";
    }
  }

  /** What the chain needs from the gate attestation. */
  record Gate(boolean passed, Sha256 provenance, List<GateEntry> gates) {}

  /** What the chain needs from the reproduction summary. */
  record Reproduction(String result, Sha256 contentDigest, Sha256 reproducedContentDigest) {}

  static Provenance provenance(Statement st) throws VerificationException {
    String where = "provenance predicate";
    requireType(st, PROVENANCE_TYPE, "provenance");
    JsonNode p = st.predicate();
    JsonNode build = JsonFields.object(p, "buildDefinition", where);
    String buildType = JsonFields.text(build, "buildType", where + ".buildDefinition");
    if (!TRAIN_BUILD_TYPE.equals(buildType)) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "provenance: expected buildType " + TRAIN_BUILD_TYPE + ", found " + JsonFields.shown(buildType));
    }
    JsonNode deps = JsonFields.array(build, "resolvedDependencies", where + ".buildDefinition");
    Sha256 attestation = null;
    Sha256 dataset = null;
    List<DataEntry> data = new ArrayList<>();
    List<String> directories = new ArrayList<>();
    Map<String, Sha256> jars = new TreeMap<>();
    for (int i = 0; i < deps.size(); i++) {
      String at = where + ".buildDefinition.resolvedDependencies[" + i + "]";
      JsonNode d = deps.get(i);
      if (!d.isObject()) {
        throw JsonFields.malformed(at, "an object", d);
      }
      String name = JsonFields.text(d, "name", at);
      Sha256 digest = JsonFields.digestSet(d, "digest", at);
      if (name.equals(DATASET_ATTESTATION)) {
        attestation = once(attestation, digest, at, name);
      } else if (name.equals(DATASET)) {
        dataset = once(dataset, digest, at, name);
      } else if (name.startsWith(DATA_PREFIX)) {
        data.add(new DataEntry(name, d.path("uri").asText(""), digest));
      } else if (name.startsWith(JAR_PREFIX)) {
        if (jars.put(name.substring(JAR_PREFIX.length()), digest) != null) {
          throw new VerificationException(Reason.MALFORMED, at + ": " + JsonFields.shown(name) + " is listed twice");
        }
      } else if (name.startsWith(DIR_PREFIX)) {
        directories.add(name.substring(DIR_PREFIX.length()));
      }
    }
    if (attestation == null || dataset == null) {
      throw new VerificationException(
          Reason.MALFORMED,
          where + ".buildDefinition.resolvedDependencies: expected entries '" + DATASET_ATTESTATION + "' and '"
              + DATASET + "', found " + (attestation == null ? "no '" + DATASET_ATTESTATION + "'" : "no '" + DATASET + "'"));
    }
    if (data.isEmpty()) {
      throw new VerificationException(
          Reason.MALFORMED, where + ".buildDefinition.resolvedDependencies: expected at least one 'data:' entry, found none");
    }
    JsonNode run = JsonFields.object(p, "runDetails", where);
    JsonNode byproducts = JsonFields.array(run, "byproducts", where + ".runDetails");
    Sha256 content = null;
    for (int i = 0; i < byproducts.size(); i++) {
      String at = where + ".runDetails.byproducts[" + i + "]";
      JsonNode b = byproducts.get(i);
      if (b.isObject() && CONTENT_DIGEST.equals(b.path("name").asText())) {
        content = once(content, JsonFields.digestSet(b, "digest", at), at, CONTENT_DIGEST);
      }
    }
    if (content == null) {
      throw new VerificationException(
          Reason.MALFORMED, where + ".runDetails.byproducts: expected a '" + CONTENT_DIGEST + "' entry, found none");
    }
    return new Provenance(attestation, dataset, List.copyOf(data), jars, List.copyOf(directories), content);
  }

  static List<DataFile> datasetFiles(Statement st) throws VerificationException {
    String where = "dataset predicate";
    requireType(st, DATASET_TYPE, "dataset attestation");
    JsonNode files = JsonFields.array(st.predicate(), "files", where);
    List<DataFile> out = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      String at = where + ".files[" + i + "]";
      JsonNode f = files.get(i);
      if (!f.isObject()) {
        throw JsonFields.malformed(at, "an object", f);
      }
      out.add(new DataFile(JsonFields.text(f, "source", at), JsonFields.digestSet(f, "digest", at)));
    }
    if (out.isEmpty()) {
      throw new VerificationException(Reason.MALFORMED, where + ".files: expected at least one file, found none");
    }
    return out;
  }

  static Gate gate(Statement st) throws VerificationException {
    String where = "gate predicate";
    requireType(st, GATE_TYPE, "gate attestation");
    JsonNode p = st.predicate();
    boolean passed = JsonFields.bool(p, "passed", where);
    Sha256 provenance = JsonFields.digestSet(p, "provenance", where);
    JsonNode gates = JsonFields.array(p, "gates", where);
    List<GateEntry> out = new ArrayList<>();
    for (int i = 0; i < gates.size(); i++) {
      String at = where + ".gates[" + i + "]";
      JsonNode g = gates.get(i);
      if (!g.isObject()) {
        throw JsonFields.malformed(at, "an object", g);
      }
      out.add(
          new GateEntry(
              JsonFields.text(g, "name", at),
              g.path("metric").asText("?"),
              g.path("comparator").asText("?"),
              g.path("threshold").asText("?"),
              g.path("observed").asText("?"),
              JsonFields.bool(g, "passed", at)));
    }
    return new Gate(passed, provenance, List.copyOf(out));
  }

  static Reproduction reproduction(Statement st) throws VerificationException {
    String where = "reproduction predicate";
    requireType(st, SUMMARY_TYPE, "reproduction summary");
    JsonNode p = st.predicate();
    String result = JsonFields.text(p, "verificationResult", where);
    JsonNode custody = JsonFields.object(p, "custody", where);
    return new Reproduction(
        result,
        JsonFields.hex(custody, "contentDigest", where + ".custody"),
        JsonFields.hex(custody, "reproducedContentDigest", where + ".custody"));
  }

  private static void requireType(Statement st, String type, String what) throws VerificationException {
    if (!type.equals(st.predicateType())) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          what + ": expected predicate type " + type + ", found " + JsonFields.shown(st.predicateType()));
    }
  }

  private static Sha256 once(Sha256 previous, Sha256 value, String at, String name) throws VerificationException {
    if (previous != null) {
      throw new VerificationException(Reason.MALFORMED, at + ": '" + name + "' is listed twice");
    }
    return value;
  }
}
