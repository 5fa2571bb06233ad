package dev.custody.serve.feedback;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A {@code postgresql://host[:port]/database?user=NAME[&password=...]} location split into what may
 * be shown (the JDBC URL without any password parameter) and what may not (the passwords, handed to
 * the driver as connection properties only). The password comes from the URL or, when the URL has
 * none, from the {@code PGPASSWORD} environment variable, as for {@code psql}.
 */
record PostgresLocation(String display, String jdbcUrl, Properties connectionProperties) {

  static final String SCHEME = "postgresql://";

  /**
   * Connect, login and socket timeouts (seconds) unless the URL sets them: never hang a request.
   */
  private static final Map<String, String> DEFAULT_TIMEOUTS =
      Map.of("connectTimeout", "10", "loginTimeout", "10", "socketTimeout", "30");

  PostgresLocation {
    connectionProperties = copy(connectionProperties);
  }

  @Override
  public Properties connectionProperties() {
    return copy(connectionProperties);
  }

  /** The secret values (passwords), to scrub them from any message that could echo one. */
  List<String> secrets() {
    List<String> out = new ArrayList<>();
    for (String name : connectionProperties.stringPropertyNames()) {
      if (isSecret(name)) {
        out.add(connectionProperties.getProperty(name));
      }
    }
    return out;
  }

  /**
   * Parses {@code location}; {@code environmentPassword} is {@code PGPASSWORD}'s value, if set.
   *
   * @throws PipelineException {@code MALFORMED} for a location that is not such a URL (the message
   *     never repeats the location, which may hold a password)
   */
  static PostgresLocation parse(String location, Optional<String> environmentPassword)
      throws PipelineException {
    if (!location.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      throw malformed("it does not start with " + SCHEME);
    }
    URI uri;
    try {
      uri = new URI(location);
    } catch (URISyntaxException e) {
      throw malformed("it is not a valid URI (character " + e.getIndex() + ")");
    }
    if (uri.getHost() == null) {
      throw malformed("it names no host");
    }
    if (uri.getRawUserInfo() != null) {
      throw malformed("user or password before the host; use ?user=NAME and PGPASSWORD");
    }
    String database = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (database.length() < 2 || database.indexOf('/', 1) >= 0) {
      throw malformed("it names no database (expected /DATABASE after the host)");
    }
    Properties properties = new Properties();
    List<String> shown = new ArrayList<>();
    if (uri.getRawQuery() != null) {
      for (String parameter : uri.getRawQuery().split("&", -1)) {
        int eq = parameter.indexOf('=');
        if (eq <= 0) {
          throw malformed("a query parameter is not NAME=VALUE");
        }
        String name = URLDecoder.decode(parameter.substring(0, eq), StandardCharsets.UTF_8);
        String value = URLDecoder.decode(parameter.substring(eq + 1), StandardCharsets.UTF_8);
        properties.setProperty(name, value);
        if (!isSecret(name)) {
          shown.add(parameter);
        }
      }
    }
    if (!properties.containsKey("user")) {
      throw malformed("it names no user (expected ?user=NAME)");
    }
    if (!properties.containsKey("password")) {
      environmentPassword.ifPresent(p -> properties.setProperty("password", p));
    }
    DEFAULT_TIMEOUTS.forEach(properties::putIfAbsent);
    String hostPort = uri.getRawAuthority();
    String display = SCHEME + hostPort + database + "?" + String.join("&", shown);
    // Only shown parameters go into the URL; the passwords travel as connection properties.
    String jdbcUrl = "jdbc:" + display;
    return new PostgresLocation(display, jdbcUrl, properties);
  }

  private static boolean isSecret(String name) {
    return name.toLowerCase(Locale.ROOT).endsWith("password");
  }

  private static PipelineException malformed(String why) {
    return new PipelineException(
        Reason.MALFORMED,
        "feedback store: expected postgresql://HOST[:PORT]/DATABASE?user=NAME (password in"
            + " PGPASSWORD or &password=), but "
            + why);
  }

  private static Properties copy(Properties from) {
    Properties to = new Properties();
    for (String name : from.stringPropertyNames()) {
      to.setProperty(name, from.getProperty(name));
    }
    return to;
  }
}
