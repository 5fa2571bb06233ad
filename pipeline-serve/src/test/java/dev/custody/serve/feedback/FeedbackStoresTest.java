package dev.custody.serve.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeedbackStoresTest {
  @TempDir Path dir;

  @Test
  void open_path_opensAJournal() throws Exception {
    Path file = dir.resolve("feedback.journal");

    try (FeedbackStore s = FeedbackStores.open(file.toString(), Optional.empty())) {
      assertThat(s).isInstanceOf(JournalStore.class);
      assertThat(s.describe()).isEqualTo(file.toAbsolutePath().toString());
    }
    assertThat(file).exists();
  }

  @Test
  void open_otherScheme_isMalformed() {
    assertThatThrownBy(() -> FeedbackStores.open("MySQL://db/feedback", Optional.empty()))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessage(
            "feedback store: expected a file path or a postgresql:// URL, found a mysql:// URL");
  }

  @Test
  void open_replicaForAJournal_isMalformed() {
    Path file = dir.resolve("feedback.journal");

    assertThatThrownBy(() -> FeedbackStores.open(file.toString(), Optional.of("replica-a")))
        .isInstanceOfSatisfying(
            PipelineException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("found one for the journal");
    assertThat(file).doesNotExist();
  }
}
