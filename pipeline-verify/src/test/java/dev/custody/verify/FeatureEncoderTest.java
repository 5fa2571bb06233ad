package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.custody.core.Reason;
import dev.custody.core.chain.FeatureSchema;
import dev.custody.core.chain.FeatureSchema.CategoricalColumn;
import dev.custody.core.chain.FeatureSchema.LabelColumn;
import dev.custody.core.chain.FeatureSchema.NumericColumn;
import dev.custody.core.chain.FeatureSchema.TextColumn;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FeatureEncoderTest {
  private static final FeatureSchema TABULAR =
      new FeatureSchema(
          "ID",
          new LabelColumn("y", List.of("no", "yes")),
          List.of(
              new NumericColumn("age", 18, 120),
              new NumericColumn("balance", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY)),
          List.of(new CategoricalColumn("housing", List.of("own", "rent", "free"))),
          List.of());
  private static final FeatureSchema MIXED =
      new FeatureSchema(
          null,
          new LabelColumn("label", List.of("ham", "spam")),
          List.of(new NumericColumn("len", 0, 1000)),
          List.of(),
          List.of(new TextColumn("text")));
  private static final FeatureSchema TEXT_ONLY =
      new FeatureSchema(
          null,
          new LabelColumn("label", List.of("ham", "spam")),
          List.of(),
          List.of(),
          List.of(new TextColumn("text")));

  private final FeatureEncoder tabular = FeatureEncoder.of(TABULAR);

  @Test
  void encode_numericAndCategorical_givesSortedFeatures() throws Exception {
    Features f = tabular.encode(Map.of("age", "42", "balance", "-1.5e3", "housing", "rent"));

    assertThat(f.names()).containsExactly("age", "balance", "housing@rent");
    assertThat(f.values()).containsExactly(42.0, -1500.0, 1.0);
  }

  @Test
  void encode_categoricalSortingBeforeNumeric_keepsNamesSorted() throws Exception {
    FeatureSchema schema =
        new FeatureSchema(
            null,
            new LabelColumn("y", List.of("a", "b")),
            List.of(new NumericColumn("zeta", 0, 1), new NumericColumn("beta", 0, 1)),
            List.of(new CategoricalColumn("gamma", List.of("x", "a"))),
            List.of());

    Features f = FeatureEncoder.of(schema).encode(Map.of("zeta", "1", "beta", "0", "gamma", "x"));

    assertThat(f.names()).containsExactly("beta", "gamma@x", "zeta").isSorted();
    assertThat(f.values()).containsExactly(0.0, 1.0, 1.0);
  }

  @Test
  void encodeFeatureValues_inSchemaOrder_givesWhatTheMapGives() throws Exception {
    // featureColumns(): numeric, then categorical: age, balance, housing.
    Object[][] rows = {
      {"42", "-1.5e3", "rent"}, {42.0, -0.0, "own"}, {18L, 7, "free"}, {120.0, 1e300, "own"}
    };
    for (Object[] values : rows) {
      Map<String, Object> row =
          Map.of("age", values[0], "balance", values[1], "housing", values[2]);

      Features fromValues = tabular.encodeFeatureValues(values.clone());
      Features fromMap = tabular.encode(row);

      assertThat(fromValues.names()).isEqualTo(fromMap.names());
      assertThat(fromValues.values()).isEqualTo(fromMap.values());
    }
  }

  @Test
  void encodeFeatureValues_refusesAsTheMapDoes() {
    Object[][] bad = {
      {"17", "0", "own"}, {Double.NaN, "0", "own"}, {"42", "0", "castle"}, {"42", true, "own"}
    };
    for (Object[] values : bad) {
      Map<String, Object> row =
          Map.of("age", values[0], "balance", values[1], "housing", values[2]);

      InvalidInputException fromValues =
          catchThrowableOfType(
              InvalidInputException.class, () -> tabular.encodeFeatureValues(values));
      InvalidInputException fromMap =
          catchThrowableOfType(InvalidInputException.class, () -> tabular.encode(row));

      assertThat(fromValues).isNotNull();
      assertThat(fromValues.getMessage()).isEqualTo(fromMap.getMessage());
    }
    InvalidInputException missing =
        catchThrowableOfType(
            InvalidInputException.class,
            () -> tabular.encodeFeatureValues(new Object[] {"42", null, "own"}));
    assertThat(missing.getMessage()).contains("missing column", "balance", "found none");
  }

  @Test
  void encodeFeatureValues_wrongCount_isTheCallersMistake() {
    IllegalArgumentException e =
        catchThrowableOfType(
            IllegalArgumentException.class,
            () -> tabular.encodeFeatureValues(new Object[] {"42", "0"}));

    assertThat(e).hasMessage("expected 3 feature values, found 2");
  }

  @Test
  void encode_numbersAsJavaNumbers_encodeLikeTheirText() throws Exception {
    Features fromText = tabular.encode(Map.of("age", "42", "balance", "0.25", "housing", "own"));

    Features fromNumbers =
        tabular.encode(Map.of("age", 42, "balance", new BigDecimal("0.25"), "housing", "own"));

    assertThat(fromNumbers).isEqualTo(fromText);
  }

  @Test
  void encode_doubles_encodeLikeTheirText() throws Exception {
    Features fromText =
        tabular.encode(Map.of("age", "42.5", "balance", "-1.5E-3", "housing", "own"));

    Features fromDoubles =
        tabular.encode(Map.of("age", 42.5, "balance", -1.5e-3, "housing", "own"));

    assertThat(fromDoubles).isEqualTo(fromText);
  }

  @Test
  void encode_negativeZeroDouble_isZero() throws Exception {
    Features f = tabular.encode(Map.of("age", 18.0, "balance", -0.0, "housing", "own"));

    assertThat(Double.doubleToRawLongBits(f.value(1))).isEqualTo(Double.doubleToRawLongBits(0.0));
  }

  @Test
  void encode_negativeZero_isZero() throws Exception {
    Features f = tabular.encode(Map.of("age", "18", "balance", "-0", "housing", "own"));

    assertThat(Double.doubleToRawLongBits(f.value(1))).isEqualTo(Double.doubleToRawLongBits(0.0));
  }

  @Test
  void encode_idAndLabelPresent_areIgnored() throws Exception {
    Map<String, Object> row =
        Map.of("ID", "r1", "y", "yes", "age", "30", "balance", "1", "housing", "free");

    assertThat(tabular.encode(row))
        .isEqualTo(tabular.encode(Map.of("age", "30", "balance", "1", "housing", "free")));
  }

  @Test
  void encode_text_countsLowerCasedTokens() throws Exception {
    Features f = FeatureEncoder.of(MIXED).encode(Map.of("len", "3", "text", "Call now!! call :-)"));

    assertThat(f.names()).containsExactly("len", "text@!!", "text@:-)", "text@call", "text@now");
    assertThat(f.values()).containsExactly(3.0, 1.0, 1.0, 2.0, 1.0);
  }

  @Test
  void tokens_lettersDigitsAndOtherRuns_areSeparateTokens() {
    assertThat(FeatureEncoder.tokens("Win £1000 NOW!!  ok"))
        .containsExactly("win", "£", "1000", "now", "!!", "ok");
  }

  @Test
  void encodeCells_numericColumns_areReportedInSchemaOrder() throws Exception {
    String[] cells = {"33", "2.50e1", "own"};
    double[] numeric = new double[2];

    tabular.encodeCells(i -> cells[i], numeric);

    assertThat(numeric).containsExactly(33.0, 25.0);
  }

  static Stream<Arguments> badRows() {
    return Stream.of(
        arguments(
            "missing feature column",
            row("age", "30", "balance", "1"),
            "housing",
            "missing column: expected a value for every feature column [age, balance, housing], found none"),
        arguments(
            "unknown column",
            row("age", "30", "balance", "1", "housing", "own", "extra", "x"),
            "extra",
            "unknown column: expected only the schema's columns [ID, y, age, balance, housing], found [\"extra\"]"),
        arguments(
            "empty number",
            row("age", "", "balance", "1", "housing", "own"),
            "age",
            "expected a number, found an empty value"),
        arguments(
            "not a number",
            row("age", "thirty", "balance", "1", "housing", "own"),
            "age",
            "expected a number, found \"thirty\""),
        arguments(
            "hex number",
            row("age", "0x1F", "balance", "1", "housing", "own"),
            "age",
            "expected a number, found \"0x1F\""),
        arguments(
            "non-finite text",
            row("age", "30", "balance", "-Infinity", "housing", "own"),
            "balance",
            "expected a finite number, found \"-Infinity\""),
        arguments(
            "non-finite Java number",
            row("age", "30", "balance", Double.NaN, "housing", "own"),
            "balance",
            "expected a finite number, found \"NaN\""),
        arguments(
            "infinite Java double",
            row("age", "30", "balance", Double.NEGATIVE_INFINITY, "housing", "own"),
            "balance",
            "expected a finite number, found \"-Infinity\""),
        arguments(
            "overflow",
            row("age", "30", "balance", "1e400", "housing", "own"),
            "balance",
            "expected a number within double range, found \"1e400\""),
        arguments(
            "underflow",
            row("age", "30", "balance", "1e-400", "housing", "own"),
            "balance",
            "expected a number within double range, found \"1e-400\""),
        arguments(
            "below min",
            row("age", "17.5", "balance", "1", "housing", "own"),
            "age",
            "value out of range: expected a value in [18, 120], found 17.5"),
        arguments(
            "above max",
            row("age", 121, "balance", "1", "housing", "own"),
            "age",
            "value out of range: expected a value in [18, 120], found 121"),
        arguments(
            "above max as a Java double",
            row("age", 120.5, "balance", "1", "housing", "own"),
            "age",
            "value out of range: expected a value in [18, 120], found 120.5"),
        arguments(
            "category outside allowed",
            row("age", "30", "balance", "1", "housing", "Own"),
            "housing",
            "expected one of [own, rent, free], found \"Own\""),
        arguments(
            "empty category",
            row("age", "30", "balance", "1", "housing", ""),
            "housing",
            "expected one of [own, rent, free], found an empty value"),
        arguments(
            "null value",
            row("age", null, "balance", "1", "housing", "own"),
            "age",
            "missing column: expected a value for every feature column [age, balance, housing], found null"),
        arguments(
            "value of another type",
            row("age", true, "balance", "1", "housing", "own"),
            "age",
            "expected a string or a finite number, found a Boolean"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRows")
  void encode_badRow_throwsDataInvalidNamingTheColumn(
      String name, Map<String, Object> row, String column, String detail) {
    InvalidInputException e =
        catchThrowableOfType(InvalidInputException.class, () -> tabular.encode(row));

    assertThat(e).as(name).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.DATA_INVALID);
    assertThat(e.column()).isEqualTo(column);
    assertThat(e.detail()).isEqualTo(detail);
    assertThat(e.getMessage()).isEqualTo("column '" + column + "': " + detail);
  }

  @Test
  void encode_textWithoutTokens_throwsNoFeatures() {
    InvalidInputException e =
        catchThrowableOfType(
            InvalidInputException.class,
            () -> FeatureEncoder.of(TEXT_ONLY).encode(Map.of("text", " \t ")));

    assertThat(e.reason()).isEqualTo(Reason.DATA_INVALID);
    assertThat(e.getMessage())
        .isEqualTo(
            "column 'text': row has no features: expected at least one token, found \" \t \"");
  }

  @Test
  void encodeCells_firstBadColumn_isReportedByPosition() {
    String[] cells = {"30", "x", "nowhere"};

    InvalidInputException e =
        catchThrowableOfType(
            InvalidInputException.class, () -> tabular.encodeCells(i -> cells[i], null));

    assertThat(e.featureColumn()).isEqualTo(1);
    assertThat(e.column()).isEqualTo("balance");
  }

  private static Map<String, Object> row(Object... kv) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void decimalScanAcceptsExactlyWhatTheDecimalGrammarAccepts() {
    Pattern grammar = Pattern.compile("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?");
    String alphabet = "0159+-.eE x";
    SplittableRandom random = new SplittableRandom(13);
    List<String> cells = new ArrayList<>(List.of("", "-", "+", ".", "e1", "1e", "-0"));
    cells.addAll(List.of("123456789012345", "1234567890123456", "+7", "1.", ".5", "1e+5", "1E-5"));
    for (int t = 0; t < 20_000; t++) {
      StringBuilder b = new StringBuilder();
      for (int k = random.nextInt(0, 7); k > 0; k--) {
        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      cells.add(b.toString());
    }
    for (String cell : cells) {
      int digits = FeatureEncoder.decimalDigits(cell);
      assertThat(digits >= 0).as("\"%s\"", cell).isEqualTo(grammar.matcher(cell).matches());
      if (digits > 0) {
        // A plain integer of at most 15 digits: exact as a double.
        assertThat(cell.replaceFirst("^[-+]", "")).hasSize(digits).matches("[0-9]{1,15}");
      }
    }
  }
}
