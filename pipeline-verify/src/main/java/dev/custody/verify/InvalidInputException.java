package dev.custody.verify;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import java.util.Objects;

/**
 * An input row that the signed feature schema refuses: a missing or unknown column, a value that is
 * not a number, is not finite, is outside its range, or is not an allowed category. Its reason is
 * always {@link Reason#DATA_INVALID}; its message names the column, what was expected and what was
 * found.
 */
public final class InvalidInputException extends PipelineException {
  private static final long serialVersionUID = 1L;

  /** {@link #featureColumn()} when the fault is not in one feature column's value. */
  public static final int NO_FEATURE_COLUMN = -1;

  private final String column;
  private final int featureColumn;
  private final String detail;

  InvalidInputException(String column, int featureColumn, String detail) {
    super(Reason.DATA_INVALID, "column '" + column + "': " + detail);
    this.column = Objects.requireNonNull(column, "column");
    this.featureColumn = featureColumn;
    this.detail = Objects.requireNonNull(detail, "detail");
  }

  /** The column at fault. */
  public String column() {
    return column;
  }

  /**
   * The position of that column in {@link FeatureEncoder#featureColumns()}, or {@link
   * #NO_FEATURE_COLUMN} when the fault is the row's shape (an unknown column).
   */
  public int featureColumn() {
    return featureColumn;
  }

  /** What was expected and what was found, without the column name. */
  public String detail() {
    return detail;
  }
}
