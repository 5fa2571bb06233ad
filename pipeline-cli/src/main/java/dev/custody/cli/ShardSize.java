package dev.custody.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Reads {@code --shard-size}: bytes, or a number with a decimal ({@code KB}, {@code MB}, {@code
 * GB}, {@code TB}: powers of 1000, so {@code 1GB} is model_signing's default shard of 1,000,000,000
 * bytes) or binary ({@code KiB} … {@code TiB}: powers of 1024) unit. model_signing's CLI has no
 * shard option; its API takes {@code shard_size} in bytes.
 */
final class ShardSize implements CommandLine.ITypeConverter<Long> {
  private static final Pattern SIZE =
      Pattern.compile("([0-9]{1,19})\\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)?");

  @Override
  public Long convert(String value) {
    Matcher m = SIZE.matcher(value.trim().toUpperCase(Locale.ROOT));
    if (!m.matches()) {
      throw new CommandLine.TypeConversionException(
          "expected a positive number of bytes, optionally with a unit (1000000, 1GB, 512MiB),"
              + " found '"
              + Errors.shown(value)
              + "'");
    }
    String unit = m.group(2) == null ? "B" : m.group(2);
    long multiplier =
        switch (unit) {
          case "KB" -> 1_000L;
          case "MB" -> 1_000_000L;
          case "GB" -> 1_000_000_000L;
          case "TB" -> 1_000_000_000_000L;
          case "KIB" -> 1L << 10;
          case "MIB" -> 1L << 20;
          case "GIB" -> 1L << 30;
          case "TIB" -> 1L << 40;
          default -> 1L;
        };
    long bytes;
    try {
      bytes = Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new CommandLine.TypeConversionException(
          "shard size too large: '" + Errors.shown(value) + "'");
    }
    if (bytes <= 0) {
      throw new CommandLine.TypeConversionException(
          "expected a positive shard size, found '" + Errors.shown(value) + "'");
    }
    return bytes;
  }
}
