package dev.custody.serve.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.serve.security.Authentication.Authenticated;
import dev.custody.serve.security.Authentication.Failure;
import dev.custody.serve.security.Authentication.Rejected;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokensTest {
  private static final String INFER_TOKEN = Tokens.generate(new SecureRandom());
  private static final String ADMIN_TOKEN = Tokens.generate(new SecureRandom());
  // Built per test, not in a static initializer, so that mutation testing sees it run.
  private final Tokens tokens =
      Tokens.of(
          TokenFile.empty()
              .with(new TokenFile.Entry(new Client("ci", Role.INFER), Tokens.digest(INFER_TOKEN)))
              .with(
                  new TokenFile.Entry(new Client("ops", Role.ADMIN), Tokens.digest(ADMIN_TOKEN))));

  @Test
  void authenticate_knownToken_returnsItsClient() {
    assertThat(tokens.authenticate("Bearer " + INFER_TOKEN))
        .isEqualTo(new Authenticated(new Client("ci", Role.INFER)));
    assertThat(tokens.authenticate("Bearer " + ADMIN_TOKEN))
        .isEqualTo(new Authenticated(new Client("ops", Role.ADMIN)));
  }

  @Test
  void authenticate_schemeInAnyCaseAndSeveralSpaces_returnsItsClient() {
    assertThat(tokens.authenticate("bEaReR   " + INFER_TOKEN))
        .isEqualTo(new Authenticated(new Client("ci", Role.INFER)));
  }

  @Test
  void authenticate_noHeader_isMissing() {
    assertThat(tokens.authenticate(null)).isEqualTo(new Rejected(Failure.MISSING));
    assertThat(tokens.authenticate("")).isEqualTo(new Rejected(Failure.MISSING));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer ",
        "Bearer    ",
        "Bearer a b",
        "Bearer a\tb",
        "Bearer ==",
        "Bearer a=b",
        "Bearer tökén",
        "Bearertoken",
        "Bearer a,Bearer b"
      })
  void authenticate_notBearerToken_isMalformed(String header) {
    assertThat(tokens.authenticate(header)).isEqualTo(new Rejected(Failure.MALFORMED));
  }

  @Test
  void authenticate_overlongHeader_isMalformed() {
    assertThat(tokens.authenticate("Bearer " + "a".repeat(2000)))
        .isEqualTo(new Rejected(Failure.MALFORMED));
  }

  @Test
  void authenticate_unknownToken_isUnknownAndMessageDoesNotEchoIt() {
    String other = Tokens.generate(new SecureRandom());

    Authentication a = tokens.authenticate("Bearer " + other);

    assertThat(a).isEqualTo(new Rejected(Failure.UNKNOWN));
    Rejected r = (Rejected) a;
    assertThat(r.reason()).isEqualTo(Reason.UNAUTHENTICATED);
    assertThat(r.message()).isEqualTo("unknown bearer token").doesNotContain(other);
  }

  @Test
  void authenticate_tokenDifferingInLastCharacter_isUnknown() {
    char last = INFER_TOKEN.charAt(INFER_TOKEN.length() - 1);
    String near = INFER_TOKEN.substring(0, INFER_TOKEN.length() - 1) + (last == 'A' ? 'B' : 'A');

    assertThat(tokens.authenticate("Bearer " + near)).isEqualTo(new Rejected(Failure.UNKNOWN));
  }

  @Test
  void authenticate_everyTokenCharacterAndLongestHeader_isKnown() {
    String edges = "AZaz09-._~+/==";
    String longest = "x".repeat(1024 - "Bearer ".length());
    Tokens t =
        Tokens.of(
            TokenFile.empty()
                .with(new TokenFile.Entry(new Client("edges", Role.INFER), Tokens.digest(edges)))
                .with(new TokenFile.Entry(new Client("long", Role.INFER), Tokens.digest(longest))));

    assertThat(t.authenticate("Bearer " + edges))
        .isEqualTo(new Authenticated(new Client("edges", Role.INFER)));
    assertThat(t.authenticate("Bearer " + longest))
        .isEqualTo(new Authenticated(new Client("long", Role.INFER)));
    assertThat(t.authenticate("Bearer " + longest + "x"))
        .isEqualTo(new Rejected(Failure.MALFORMED));
    for (String outside : new String[] {"@", "[", "`", "{", "/0:", "!", ","}) {
      assertThat(t.authenticate("Bearer a" + outside))
          .as(outside)
          .isEqualTo(new Rejected(Failure.MALFORMED));
    }
  }

  @Test
  void digest_overlongToken_throwsNamingTheLimit() {
    assertThat(Tokens.digest("x".repeat(1017))).isNotNull();
    assertThatThrownBy(() -> Tokens.digest("x".repeat(1018)))
        .hasMessage(
            "a token must be 1 to 1017 characters of A-Z a-z 0-9 - . _ ~ + / (then = padding)");
  }

  @Test
  void generate_always_isPrefixedUnpaddedBase64UrlOf32Bytes() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String t = Tokens.generate(new SecureRandom());
      assertThat(t).startsWith("cust_").hasSize(5 + 43).matches("cust_[A-Za-z0-9_-]{43}");
      seen.add(t);
    }
    assertThat(seen).hasSize(100);
  }

  @Test
  void digest_token_isSha256OfItsBytesAsSent() {
    assertThat(Tokens.digest("cust_abc"))
        .isEqualTo(Sha256.of("cust_abc".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void digest_notAToken_throwsWithoutEchoingIt() {
    assertThatThrownBy(() -> Tokens.digest("secret with spaces"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("secret");
  }

  @Test
  void toString_always_namesNoDigest() {
    assertThat(tokens.toString()).isEqualTo("Tokens[2 clients]");
    assertThat(tokens.size()).isEqualTo(2);
  }
}
