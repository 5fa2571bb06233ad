package dev.custody.serve.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import java.security.SecureRandom;

/**
 * Fuzzes the token file reader and the {@code Authorization} header check. Without {@code
 * JAZZER_FUZZ} this runs the committed inputs in {@code TokenFileFuzzTestInputs/} (CONTRIBUTING.md,
 * "Fuzzing").
 */
class TokenFileFuzzTest {
  private static final String TOKEN = Tokens.generate(new SecureRandom());
  private static final Tokens TOKENS =
      Tokens.of(
          TokenFile.empty()
              .with(new TokenFile.Entry(new Client("ci", Role.INFER), Tokens.digest(TOKEN))));

  /**
   * Any bytes as a token file are read or refused as {@link Reason#TOKENS_INVALID}; a file read is
   * written back ({@link TokenFile#toYaml}) and read again to an equal file.
   */
  @FuzzTest
  void parse_fuzzedYaml_parsesOrRefuses(FuzzedDataProvider data) throws Exception {
    TokenFile f;
    try {
      f = TokenFile.parse(data.consumeRemainingAsBytes(), "tokens.yaml");
    } catch (PipelineException e) {
      assertThat(e.reason()).isEqualTo(Reason.TOKENS_INVALID);
      return;
    }
    assertThat(TokenFile.parse(f.toYaml(), "again")).isEqualTo(f);
  }

  /** Any header value is authenticated or refused; nothing is thrown. */
  @FuzzTest
  void authenticate_fuzzedHeader_authenticatesOrRefuses(FuzzedDataProvider data) {
    String header = data.consumeRemainingAsString();
    Authentication a = TOKENS.authenticate(header);
    if (a instanceof Authentication.Authenticated ok) {
      assertThat(ok.client().id()).isEqualTo("ci");
    }
  }
}
