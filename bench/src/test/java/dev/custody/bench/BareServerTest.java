package dev.custody.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BareServerTest {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @ParameterizedTest
  @EnumSource(BareServer.Stack.class)
  void start_smallJsonPost_answersFixedJson(BareServer.Stack stack) throws Exception {
    try (BareServer.Running server = BareServer.start(stack, 0)) {
      for (int i = 0; i < 3; i++) { // a kept-alive connection answers every request
        HttpResponse<String> response =
            CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/x"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"income\": [52000.0]}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body())
            .isEqualTo(new String(BareServer.ANSWER, StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void parse_cliNames_roundTrip() {
    for (BareServer.Stack stack : BareServer.Stack.values()) {
      assertThat(BareServer.Stack.parse(stack.cliName())).isEqualTo(stack);
    }
  }

  @Test
  void parse_unknownName_namesTheChoices() {
    assertThatThrownBy(() -> BareServer.Stack.parse("netty"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'netty'")
        .hasMessageContaining("jetty-blocking");
  }
}
