package dev.custody.core.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link FeatureSchema}: the columns a row holds, the fixed feature names, and what it refuses. */
class FeatureSchemaTest {
  private static final FeatureSchema.LabelColumn LABEL =
      new FeatureSchema.LabelColumn("DEFAULT", List.of("0", "1"));
  private static final FeatureSchema.NumericColumn AGE =
      new FeatureSchema.NumericColumn("AGE", 18, 120);

  @Test
  void columns_idThenLabelThenFeatures_eachOnce() {
    FeatureSchema s = Samples.schema();

    assertThat(s.idColumn()).contains("ID");
    assertThat(s.canonicalColumns())
        .containsExactly("DEFAULT", "AGE", "LIMIT_BAL", "BILL_AMT1", "SEX", "NOTE");
    assertThat(s.featureColumns()).containsExactly("AGE", "LIMIT_BAL", "BILL_AMT1", "SEX", "NOTE");
    assertThat(s.columns())
        .containsExactly("ID", "DEFAULT", "AGE", "LIMIT_BAL", "BILL_AMT1", "SEX", "NOTE");
  }

  @Test
  void columns_idAlsoAFeature_isListedOnce() {
    FeatureSchema s = new FeatureSchema("AGE", LABEL, List.of(AGE), List.of(), List.of());

    assertThat(s.columns()).containsExactly("AGE", "DEFAULT");
  }

  @Test
  void columns_noId_startWithTheLabel() {
    FeatureSchema s = new FeatureSchema(null, LABEL, List.of(AGE), List.of(), List.of());

    assertThat(s.idColumn()).isEmpty();
    assertThat(s.columns()).containsExactly("DEFAULT", "AGE");
  }

  @Test
  void fixedFeatureNames_numericThenOneHotInAllowedOrder() {
    assertThat(Samples.schema().fixedFeatureNames())
        .containsExactly("AGE", "LIMIT_BAL", "BILL_AMT1", "SEX@1", "SEX@2");
  }

  @Test
  void new_onlyOneKindOfFeatureColumn_isAccepted() {
    var sex = new FeatureSchema.CategoricalColumn("SEX", List.of("1", "2"));
    var note = new FeatureSchema.TextColumn("NOTE");

    assertThat(new FeatureSchema(null, LABEL, List.of(), List.of(sex), List.of()).featureColumns())
        .containsExactly("SEX");
    assertThat(new FeatureSchema(null, LABEL, List.of(), List.of(), List.of(note)).featureColumns())
        .containsExactly("NOTE");
  }

  @Test
  void new_noFeatureColumn_isRefused() {
    assertThatThrownBy(() -> new FeatureSchema(null, LABEL, List.of(), List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected at least one feature column, found none");
  }

  @Test
  void new_emptyIdName_isRefused() {
    assertThatThrownBy(() -> new FeatureSchema("", LABEL, List.of(AGE), List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("id column: expected a name or none, found an empty name");
  }

  @Test
  void numericColumn_singlePointRange_isAcceptedAndReversedRangeRefused() {
    assertThat(new FeatureSchema.NumericColumn("X", 1, 1).max()).isEqualTo(1);
    assertThatThrownBy(() -> new FeatureSchema.NumericColumn("X", 2, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("X: bad range [2.0, 1.0]");
  }

  @Test
  void new_emptyColumnName_isRefusedNamingWhatKindOfColumn() {
    assertThatThrownBy(() -> new FeatureSchema.NumericColumn("", 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("numeric column: expected a column name, found an empty name");
  }
}
