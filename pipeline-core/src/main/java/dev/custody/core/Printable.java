package dev.custody.core;

/**
 * Text from untrusted input (file names, class names, JSON values) made safe for a one-line error
 * message or a line of human output, bounded in length so a hostile value cannot flood a log, forge
 * extra lines or send terminal escape sequences. {@link #of} keeps printable ASCII only; {@link
 * #line} also keeps other printable Unicode and shows what it escapes.
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

  /**
   * At most {@code max} code points of {@code s} as one printable line: line breaks, tabs and other
   * C0/C1 control characters, DEL, Unicode line and paragraph separators, bidirectional formatting
   * characters (which reorder what a terminal shows) and U+FFFD (a byte that was not UTF-8, in a
   * file name) are written as escapes (<code>&#92;n</code>, <code>&#92;r</code>, <code>&#92;t
   * </code>, <code>&#92;x1b</code>, <code>&#92;u{202e}</code>); every other code point is kept.
   * {@code …} ends a longer string.
   */
  public static String line(String s, int max) {
    StringBuilder out = new StringBuilder();
    s.codePoints().limit(max).forEach(c -> appendEscaped(out, c));
    if (s.codePointCount(0, s.length()) > max) {
      out.append('…');
    }
    return out.toString();
  }

  private static void appendEscaped(StringBuilder out, int c) {
    switch (c) {
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      case '\t' -> out.append("\\t");
      default -> {
        if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
          out.append(String.format(java.util.Locale.ROOT, "\\x%02x", c));
        } else if (escapedUnicode(c)) {
          out.append(String.format(java.util.Locale.ROOT, "\\u{%04x}", c));
        } else {
          out.appendCodePoint(c);
        }
      }
    }
  }

  private static boolean escapedUnicode(int c) {
    return c == 0x2028 // line separator
        || c == 0x2029 // paragraph separator
        || c == 0x061c // Arabic letter mark
        || c == 0x200e // left-to-right mark
        || c == 0x200f // right-to-left mark
        || (c >= 0x202a && c <= 0x202e) // bidi embeddings and overrides
        || (c >= 0x2066 && c <= 0x2069) // bidi isolates
        || c == 0xfeff // zero-width no-break space (byte order mark)
        || c == 0xfffd // replacement character: bytes that were not UTF-8
        || Character.getType(c) == Character.UNASSIGNED
        || Character.getType(c) == Character.SURROGATE;
  }
}
