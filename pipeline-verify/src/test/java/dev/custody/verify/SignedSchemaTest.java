package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.custody.core.Json;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.Statement;
import dev.custody.core.VerificationException;
import dev.custody.core.chain.FeatureSchema;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignedSchemaTest {
  private static Statement dataset(String predicate) throws Exception {
    return new Statement(
        List.of(Statement.Subject.of("dataset", Sha256.of(new byte[0]))),
        "https://custody.dev/dataset/v1",
        Json.parse(predicate.getBytes(StandardCharsets.UTF_8), "test predicate"));
  }

  @Test
  void read_schemaAsIngestWritesIt_givesTheSchema() throws Exception {
    Statement st =
        dataset(
            "{\"schema\": {\"id\": \"ID\", \"label\": {\"column\": \"y\", \"allowed\": [\"0\", \"1\"]},"
                + " \"numeric\": [{\"column\": \"AGE\", \"min\": 18.0, \"max\": null}],"
                + " \"categorical\": [{\"column\": \"SEX\", \"allowed\": [\"1\", \"2\"]}],"
                + " \"text\": [{\"column\": \"note\"}]}}");

    assertThat(SignedSchema.read(st))
        .isEqualTo(
            new FeatureSchema(
                "ID",
                new FeatureSchema.LabelColumn("y", List.of("0", "1")),
                List.of(new FeatureSchema.NumericColumn("AGE", 18, Double.POSITIVE_INFINITY)),
                List.of(new FeatureSchema.CategoricalColumn("SEX", List.of("1", "2"))),
                List.of(new FeatureSchema.TextColumn("note"))));
  }

  @Test
  void read_noSchema_throwsMalformed() throws Exception {
    VerificationException e =
        catchThrowableOfType(VerificationException.class, () -> SignedSchema.read(dataset("{\"files\": []}")));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).isEqualTo("dataset predicate.schema: expected an object, found nothing");
  }

  @Test
  void read_schemaWithoutFeatures_throwsMalformed() throws Exception {
    Statement st =
        dataset(
            "{\"schema\": {\"label\": {\"column\": \"y\", \"allowed\": [\"0\", \"1\"]},"
                + " \"numeric\": [], \"categorical\": [], \"text\": []}}");

    VerificationException e = catchThrowableOfType(VerificationException.class, () -> SignedSchema.read(st));

    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).contains("expected at least one feature column, found none");
  }
}
