package dev.custody.serve.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RoleTest {
  @Test
  void allows_admin_mayInferAndAdminister() {
    assertThat(Role.ADMIN.allows(Role.ADMIN)).isTrue();
    assertThat(Role.ADMIN.allows(Role.INFER)).isTrue();
  }

  @Test
  void allows_infer_mayOnlyInfer() {
    assertThat(Role.INFER.allows(Role.INFER)).isTrue();
    assertThat(Role.INFER.allows(Role.ADMIN)).isFalse();
  }

  @Test
  void ofWord_words_areLowerCaseOnly() {
    assertThat(Role.ofWord("infer")).isEqualTo(Role.INFER);
    assertThat(Role.ofWord("admin")).isEqualTo(Role.ADMIN);
    assertThatThrownBy(() -> Role.ofWord("ADMIN"))
        .hasMessage("expected a role infer or admin, found \"ADMIN\"");
  }
}
