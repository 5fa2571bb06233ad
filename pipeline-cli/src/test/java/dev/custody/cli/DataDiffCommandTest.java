package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Digests;
import dev.custody.core.Json;
import dev.custody.core.Reason;
import dev.custody.core.Shared;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDiffCommandTest {
  @TempDir Path dir;
  Path baseline;
  Path changed;

  @BeforeEach
  void specs() throws Exception {
    baseline = Path.of(System.getProperty("custody.root")).resolve("examples/credit-rf.yaml");
    Path csv = Shared.require("data/default_credit_card.csv");
    List<String> lines =
        new ArrayList<>(
            Arrays.asList(Files.readString(csv, StandardCharsets.UTF_8).split("\r\n", -1)));
    for (int i : new int[] {10, 20, 30}) { // IDs 10, 20, 30: flip the label
      String l = lines.get(i);
      lines.set(i, l.substring(0, l.length() - 1) + (l.endsWith("0") ? "1" : "0"));
    }
    lines.remove(100); // ID 100 removed
    lines.add(lines.get(1).replaceFirst("^1,", "30001,")); // a new row, ID 30001
    Path data = dir.resolve("credit-v2.csv");
    Files.writeString(data, String.join("\r\n", lines), StandardCharsets.UTF_8);
    String spec =
        Files.readString(baseline)
            .replace("../../shared/data/default_credit_card.csv", data.toString())
            .replace(
                "8d124bd418e00f76189b2c4f18807139feac717b03646d72dca3377dfe44c01e",
                Digests.sha256(data).hex());
    changed = dir.resolve("credit-v2.yaml");
    Files.writeString(
        changed, spec.replace("canary:", "unused-canary:").replaceAll("(?s)gates:.*", ""));
  }

  @Test
  void diff_labelsFlippedRowRemovedRowAdded_namesEachRow() {
    Cli r = Cli.run("data", "diff", baseline.toString(), changed.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("matched by id: 1 added, 1 removed, 3 changed")
        .contains("added   id 30001")
        .contains("removed id 100,")
        .containsPattern("changed id 10, .* line 11: DEFAULT [01] -> [01]");
  }

  @Test
  void diff_json_listsEveryChangedField() throws Exception {
    Cli r = Cli.run("data", "diff", baseline.toString(), changed.toString(), "--json");
    JsonNode j = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "output");
    assertThat(j.path("changed")).hasSize(3);
    assertThat(j.path("changed").get(0).path("fields").has("DEFAULT")).isTrue();
    assertThat(j.path("oldRoot").asText()).isNotEqualTo(j.path("newRoot").asText());
  }

  @Test
  void diff_dataNotMatchingItsPin_exitsDigestMismatch() throws Exception {
    Files.writeString(
        changed,
        Files.readString(changed).replaceAll("sha256: [0-9a-f]{64}", "sha256: " + "0".repeat(64)));
    Cli r = Cli.run("data", "diff", baseline.toString(), changed.toString());
    assertThat(r.exit()).isEqualTo(Reason.DIGEST_MISMATCH.exitCode());
  }
}
