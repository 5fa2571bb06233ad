package dev.custody.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Sha256;
import dev.custody.core.SigningKey;
import dev.custody.train.data.ParsedRow;
import dev.custody.train.data.RowReader;
import dev.custody.train.data.TrainingTable;
import dev.custody.train.fit.ModelContent;
import dev.custody.train.fit.TribuoTables;
import dev.custody.train.spec.PipelineSpec;
import dev.custody.verify.ChainVerifier;
import dev.custody.verify.Features;
import dev.custody.verify.Prediction;
import dev.custody.verify.TrustPolicy;
import dev.custody.verify.VerifiedModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tribuo.classification.Label;

/**
 * Training and serving cannot disagree: on the real credit data, for every model type Custody
 * trains, the features ingest builds for each row equal {@code FeatureEncoder.encode} of that row's
 * raw cells, and {@link VerifiedModel#predict} on the raw rows of a model loaded through its
 * verified chain equals Tribuo's predictions on ingest's examples.
 */
class TrainServeAgreementTest {
  @TempDir static Path tmp;

  static Stream<Arguments> trainers() {
    return Stream.of(
        Arguments.of("logistic", "{type: logistic}"),
        Arguments.of("logistic-lbfgs", "{type: logistic-lbfgs}"),
        Arguments.of("cart", Chain.FAST_TRAINER),
        Arguments.of(
            "random-forest",
            "{type: random-forest, params: {trees: 5, maxDepth: 3, minLeaf: 100, featureFraction: 0.5, seed: 42}}"),
        Arguments.of("hist-cart", "{type: hist-cart, params: {maxDepth: 5, minLeaf: 100}}"),
        Arguments.of(
            "hist-forest",
            "{type: hist-forest, params: {trees: 5, maxDepth: 3, minLeaf: 100, featureFraction: 0.5, seed: 42}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("trainers")
  void predict_rawCreditRows_equalsTribuoOnIngestedExamples(String name, String trainer)
      throws Exception {
    Path csv = Chain.creditCsv();
    SigningKey key = SigningKey.generate();
    TrustPolicy policy = Chain.trusting(key.publicKey());
    Path work = tmp.resolve(name);
    Files.createDirectories(work);
    PipelineSpec spec = Chain.creditSpec(work, name, csv, trainer, "");
    TrainedModel trained =
        Pipeline.builder().build().run(spec, policy, Chain.signers(key), work.resolve("model"));

    VerifiedModel model = ChainVerifier.builder(policy).build().verify(trained.directory()).load();

    assertThat(model.digest())
        .isEqualTo(Sha256.of(Files.readAllBytes(trained.directory().resolve("model.tribuo"))));
    assertThat(model.card()).isEqualTo(trained.card());
    assertThat(model.schema()).isEqualTo(spec.schema());
    assertThat(ModelContent.digest(model.tribuoModel())).isEqualTo(trained.card().contentDigest());

    byte[] bytes = Files.readAllBytes(csv);
    List<ParsedRow> ingested = new RowReader(spec.schema(), spec.format()).read(bytes, "credit");
    List<Map<String, String>> raw =
        rawRows(new String(bytes, StandardCharsets.UTF_8), spec.schema().columns());
    assertThat(raw).hasSameSizeAs(ingested).hasSize(30_000);

    TreeSet<String> names = new TreeSet<>();
    List<TrainingTable.Row> rows = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      TrainingTable.Row row = ingested.get(i).row();
      Features encoded = model.encoder().encode(raw.get(i));
      assertThat(encoded.names()).as("row %d", i).isEqualTo(row.names());
      assertThat(encoded.values())
          .as("row %d", i)
          .containsExactly(row.values().stream().mapToDouble(d -> d).toArray());
      names.addAll(row.names());
      rows.add(row);
    }
    TrainingTable table = new TrainingTable(List.copyOf(names), List.of("0", "1"), rows);
    List<org.tribuo.Prediction<Label>> tribuo =
        model.tribuoModel().predict(TribuoTables.examples(table));

    List<Prediction> served = model.predictAll(raw);

    for (int i = 0; i < served.size(); i++) {
      org.tribuo.Prediction<Label> expected = tribuo.get(i);
      assertThat(served.get(i).label()).as("row %d", i).isEqualTo(expected.getOutput().getLabel());
      Map<String, Double> scores = new HashMap<>();
      expected.getOutputScores().forEach((label, l) -> scores.put(label, l.getScore()));
      assertThat(served.get(i).scores()).as("row %d", i).isEqualTo(scores);
    }
    assertThat(model.predict(raw.get(0))).isEqualTo(served.get(0));
  }

  /**
   * The credit CSV's rows as column → raw cell, for the schema's columns (the file has no quotes).
   */
  private static List<Map<String, String>> rawRows(String text, List<String> columns) {
    assertThat(text).doesNotContain("\"");
    String[] lines = text.split("\r?\n", -1);
    List<String> header = List.of(lines[0].split(",", -1));
    List<Map<String, String>> out = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isEmpty()) {
        continue;
      }
      String[] cells = lines[i].split(",", -1);
      Map<String, String> row = new HashMap<>();
      for (String c : columns) {
        row.put(c, cells[header.indexOf(c)]);
      }
      out.add(row);
    }
    return out;
  }
}
