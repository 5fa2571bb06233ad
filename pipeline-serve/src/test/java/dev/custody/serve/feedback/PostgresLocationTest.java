package dev.custody.serve.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PostgresLocationTest {

  @Test
  void parse_passwordInUrl_keptOutOfDisplayAndJdbcUrl() throws PipelineException {
    PostgresLocation l =
        PostgresLocation.parse(
            "postgresql://db.example:5433/feedback?user=custody&password=p%40ss&ssl=true",
            Optional.of("from-environment"));

    assertThat(l.display())
        .isEqualTo("postgresql://db.example:5433/feedback?user=custody&ssl=true");
    assertThat(l.jdbcUrl())
        .isEqualTo("jdbc:postgresql://db.example:5433/feedback?user=custody&ssl=true");
    assertThat(l.connectionProperties().getProperty("password")).isEqualTo("p@ss");
    assertThat(l.secrets()).containsExactly("p@ss");
  }

  @Test
  void parse_noPasswordInUrl_takesPgpassword() throws PipelineException {
    PostgresLocation l =
        PostgresLocation.parse(
            "postgresql://localhost/feedback?user=custody", Optional.of("from-environment"));

    assertThat(l.display()).isEqualTo("postgresql://localhost/feedback?user=custody");
    assertThat(l.connectionProperties().getProperty("password")).isEqualTo("from-environment");
  }

  @Test
  void parse_sslPassword_isASecretToo() throws PipelineException {
    PostgresLocation l =
        PostgresLocation.parse(
            "postgresql://localhost/feedback?user=custody&sslpassword=key-pw", Optional.empty());

    assertThat(l.display()).doesNotContain("key-pw");
    assertThat(l.secrets()).containsExactly("key-pw");
  }

  @Test
  void parse_noTimeoutsGiven_setsDefaultsSoARequestCannotHang() throws PipelineException {
    PostgresLocation l =
        PostgresLocation.parse(
            "postgresql://localhost/feedback?user=custody&socketTimeout=5", Optional.empty());

    assertThat(l.connectionProperties().getProperty("connectTimeout")).isEqualTo("10");
    assertThat(l.connectionProperties().getProperty("socketTimeout")).isEqualTo("5");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "jdbc:postgresql://localhost/feedback?user=custody&password=topsecret",
        "postgresql:///feedback?user=custody&password=topsecret",
        "postgresql://custody:topsecret@localhost/feedback",
        "postgresql://localhost/?user=custody&password=topsecret",
        "postgresql://localhost/feedback?password=topsecret",
        "postgresql://localhost/feedback?user=custody&topsecret",
        "postgresql://local host/feedback?user=custody&password=topsecret"
      })
  void parse_malformedLocation_refusedWithoutRepeatingIt(String location) {
    assertThatThrownBy(() -> PostgresLocation.parse(location, Optional.empty()))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageStartingWith("feedback store: expected postgresql://HOST[:PORT]/DATABASE")
        .hasMessageNotContaining("topsecret");
  }
}
