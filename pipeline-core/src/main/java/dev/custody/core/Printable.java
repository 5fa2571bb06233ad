package dev.custody.core;

/**
 * Text from untrusted input (file names, class names, JSON values) made safe for a one-line error
 * message: printable ASCII kept, every other code point shown as {@code ?}, bounded in length so a
 * hostile value cannot flood a log or forge extra lines.
 */
public final class Printable {
  private Printable() {}

  /**
   * At most {@code max} code points of {@code s}, non-printable ones as {@code ?}, and {@code …}
   * when {@code s} was longer.
   */
  public static String of(String s, int max) {
    StringBuilder out = new StringBuilder();
    s.codePoints().limit(max).forEach(c -> out.appendCodePoint(c >= 0x20 && c < 0x7f ? c : '?'));
    if (s.length() > max) {
      out.append('…');
    }
    return out.toString();
  }
}
