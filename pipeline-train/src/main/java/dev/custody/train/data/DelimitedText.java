package dev.custody.train.data;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits data bytes into records: strict UTF-8 (a leading BOM is skipped), records end with CRLF,
 * LF or the end of the file (a final newline is optional), and a CR anywhere else outside quotes is
 * an error. CSV follows RFC 4180: a field in double quotes may hold commas, line breaks and doubled
 * quotes; a quote inside an unquoted field is an error. In tab-separated text quotes are ordinary
 * characters.
 */
final class DelimitedText {
  /** Receives each record with the 1-based line it starts on. */
  @FunctionalInterface
  interface Sink {
    void record(long line, List<String> fields) throws PipelineException;
  }

  private DelimitedText() {}

  /** Decodes strict UTF-8, skipping a leading BOM; a bad byte is an error naming its line. */
  static String decode(byte[] bytes, String source) throws PipelineException {
    int start =
        bytes.length >= 3
                && (bytes[0] & 0xff) == 0xEF
                && (bytes[1] & 0xff) == 0xBB
                && (bytes[2] & 0xff) == 0xBF
            ? 3
            : 0;
    CharsetDecoder dec =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
    // Validates through a small buffer, then decodes once into a String: a char buffer the size
    // of the file would double the memory a large file needs at this point.
    CharBuffer out = CharBuffer.allocate(8192);
    CoderResult r;
    do {
      out.clear();
      r = dec.decode(in, out, true);
    } while (r.isOverflow());
    if (!r.isError()) {
      do {
        out.clear();
        r = dec.flush(out);
      } while (r.isOverflow());
    }
    if (r.isError()) {
      int at = in.position();
      long line = 1;
      for (int i = 0; i < at; i++) {
        if (bytes[i] == '\n') {
          line++;
        }
      }
      throw new PipelineException(
          Reason.DATA_INVALID,
          source
              + " line "
              + line
              + ": expected UTF-8 text, found the invalid byte 0x"
              + Integer.toHexString(bytes[at] & 0xff)
              + " at offset "
              + at);
    }
    return new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
  }

  /** RFC 4180 CSV records. */
  static void csv(String text, String source, Sink sink) throws PipelineException {
    int n = text.length();
    int pos = 0;
    long line = 1;
    while (pos < n) {
      long recordLine = line;
      List<String> fields = new ArrayList<>();
      boolean endOfRecord = false;
      while (!endOfRecord) {
        String value;
        if (pos < n && text.charAt(pos) == '"') {
          StringBuilder field = new StringBuilder();
          long quoteLine = line;
          int column = fields.size() + 1;
          pos++;
          while (true) {
            if (pos >= n) {
              throw error(
                  source,
                  quoteLine,
                  "column " + column + ": expected a closing quote, found the end of the file");
            }
            char c = text.charAt(pos);
            if (c == '"') {
              if (pos + 1 < n && text.charAt(pos + 1) == '"') {
                field.append('"');
                pos += 2;
                continue;
              }
              pos++;
              break;
            }
            if (c == '\n') {
              line++;
            }
            field.append(c);
            pos++;
          }
          if (pos < n && !isDelimiterOrEnd(text, pos, ',')) {
            throw error(
                source,
                line,
                "column "
                    + column
                    + ": expected a comma or the end of the line after a closing quote, found '"
                    + text.charAt(pos)
                    + "'");
          }
          value = field.toString();
        } else {
          // An unquoted field is a substring: appending it char by char cost most of the split.
          int start = pos;
          while (pos < n) {
            char c = text.charAt(pos);
            if (c == ',' || c == '\n' || c == '\r') {
              break;
            }
            if (c == '"') {
              throw error(
                  source,
                  line,
                  "column "
                      + (fields.size() + 1)
                      + ": expected no quote inside an unquoted field (RFC 4180), found '\"'");
            }
            pos++;
          }
          value = text.substring(start, pos);
        }
        fields.add(value);
        if (pos >= n) {
          endOfRecord = true;
        } else {
          char c = text.charAt(pos);
          if (c == ',') {
            pos++;
            if (pos >= n) {
              fields.add("");
              endOfRecord = true;
            }
          } else {
            pos = endOfLine(text, pos, source, line);
            line++;
            endOfRecord = true;
          }
        }
      }
      sink.record(recordLine, fields);
    }
  }

  /** Tab-separated lines: fields split at every TAB, quotes are ordinary characters. */
  static void tsv(String text, String source, Sink sink) throws PipelineException {
    int n = text.length();
    int pos = 0;
    long line = 1;
    while (pos < n) {
      List<String> fields = new ArrayList<>();
      int start = pos;
      while (pos < n && text.charAt(pos) != '\n' && text.charAt(pos) != '\r') {
        if (text.charAt(pos) == '\t') {
          fields.add(text.substring(start, pos));
          start = pos + 1;
        }
        pos++;
      }
      fields.add(text.substring(start, pos));
      if (pos < n) {
        pos = endOfLine(text, pos, source, line);
      }
      sink.record(line, fields);
      line++;
    }
  }

  private static boolean isDelimiterOrEnd(String text, int pos, char delimiter) {
    char c = text.charAt(pos);
    return c == delimiter || c == '\n' || c == '\r';
  }

  /** Consumes LF or CRLF at {@code pos}; a CR without LF is an error. */
  private static int endOfLine(String text, int pos, String source, long line)
      throws PipelineException {
    char c = text.charAt(pos);
    if (c == '\n') {
      return pos + 1;
    }
    if (pos + 1 < text.length() && text.charAt(pos + 1) == '\n') {
      return pos + 2;
    }
    throw error(source, line, "expected LF or CRLF to end the line, found a CR without LF");
  }

  static PipelineException error(String source, long line, String message) {
    return new PipelineException(Reason.DATA_INVALID, source + " line " + line + ": " + message);
  }
}
