package dev.custody.train.feedback;

import dev.custody.core.chain.FeatureSchema;
import dev.custody.train.data.CanonicalRow;
import dev.custody.train.spec.FeedbackSpec;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The key that says which feedback records are about the same item: the canonical feature fields of
 * a row, with its text columns normalised when the spec asks for {@code normalise: text}.
 */
final class ItemKey {
  private static final Pattern PUNCTUATION = Pattern.compile("[\\p{P}\\p{S}]+");
  private static final Pattern SPACE = Pattern.compile("\\s+");
  private static final char SEPARATOR = '\u001f';

  private final FeedbackSpec.Normalise normalise;
  private final int firstText;

  ItemKey(FeatureSchema schema, FeedbackSpec.Normalise normalise) {
    this.normalise = normalise;
    // Canonical fields: the label, then numeric, categorical and text columns; text comes last.
    this.firstText = 1 + schema.numeric().size() + schema.categorical().size();
  }

  /** The item key of a row (data or feedback): its feature fields, normalised as configured. */
  String of(CanonicalRow row) {
    List<String> fields = row.fields();
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < fields.size(); i++) {
      if (i > 1) {
        b.append(SEPARATOR);
      }
      String f = fields.get(i);
      b.append(normalise == FeedbackSpec.Normalise.TEXT && i >= firstText ? text(f) : f);
    }
    return b.toString();
  }

  /**
   * Unicode NFKC (full-width and ligature look-alikes become their plain letters), lower case,
   * punctuation and symbols removed, runs of whitespace collapsed to one space, trimmed.
   */
  static String text(String s) {
    String n = Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    n = PUNCTUATION.matcher(n).replaceAll("");
    return SPACE.matcher(n).replaceAll(" ").strip();
  }
}
