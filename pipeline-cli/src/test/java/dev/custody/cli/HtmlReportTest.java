package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** The report's escaping, charts and curves, without a model. */
class HtmlReportTest {
  private static final String HOSTILE_NAME =
      "</title><script>alert('x')</script><img src=\"https://evil.example/x\"/>\u001b[2J\u202e";

  @Test
  void h_hostileModelName_becomesInertText() {
    String shown = HtmlReport.h(HOSTILE_NAME);

    assertThat(shown)
        .doesNotContain("<")
        .doesNotContain(">")
        .doesNotContain("\"")
        .doesNotContain("'")
        .doesNotContain("\u001b")
        .doesNotContain("\u202e")
        .isEqualTo(
            "&lt;/title&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img"
                + " src=&quot;https://evil.example/x&quot;/&gt;\\x1b[2J\\u{202e}");
  }

  @Test
  void svg_hostileTitle_isWellFormedAndEscaped() throws Exception {
    String svg =
        HtmlReport.svg(
            HOSTILE_NAME,
            "x & y",
            "y",
            List.of(new double[] {0, 0}, new double[] {0.5, 0.8}, new double[] {1, 1}),
            List.of(new double[] {0.5, 0.8}),
            true);

    Document doc = ReportCommandTest.parse(svg);
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    assertThat(doc.getElementsByTagName("title").item(0).getTextContent())
        .startsWith("</title><script>");
    assertThat(doc.getElementsByTagName("polyline").item(0).getAttributes()).isNotNull();
    assertThat(svg).doesNotContain("<script").doesNotContain("src=\"");
  }

  @Test
  void roc_perfectRanking_goesThroughTheTopLeftCorner() {
    List<Curves.Scored> rows =
        List.of(
            new Curves.Scored(true, 0.9),
            new Curves.Scored(true, 0.8),
            new Curves.Scored(false, 0.3),
            new Curves.Scored(false, 0.1));

    assertThat(Curves.roc(rows))
        .extracting(p -> List.of(p[0], p[1]))
        .containsExactly(
            List.of(0.0, 0.0),
            List.of(0.0, 0.5),
            List.of(0.0, 1.0),
            List.of(0.5, 1.0),
            List.of(1.0, 1.0));
  }

  @Test
  void roc_tiedScores_enterTogether() {
    List<Curves.Scored> rows = List.of(new Curves.Scored(true, 0.5), new Curves.Scored(false, 0.5));

    assertThat(Curves.roc(rows))
        .extracting(p -> List.of(p[0], p[1]))
        .containsExactly(List.of(0.0, 0.0), List.of(1.0, 1.0));
    assertThat(Curves.precisionRecall(rows))
        .extracting(p -> List.of(p[0], p[1]))
        .containsExactly(List.of(1.0, 0.5));
  }

  @Test
  void roc_oneClassOnly_isEmpty() {
    assertThat(Curves.roc(List.of(new Curves.Scored(true, 0.7)))).isEmpty();
    assertThat(Curves.precisionRecall(List.of(new Curves.Scored(false, 0.7)))).isEmpty();
  }

  @Test
  void reliability_scoresInTwoBins_meanScoreAndFractionPositivePerBin() {
    List<Curves.Scored> rows =
        List.of(
            new Curves.Scored(false, 0.05),
            new Curves.Scored(false, 0.15),
            new Curves.Scored(true, 0.95),
            new Curves.Scored(false, 0.91),
            new Curves.Scored(true, 1.0));

    List<Curves.Bin> bins = Curves.reliability(rows);

    assertThat(bins).hasSize(3);
    assertThat(bins.get(2).rows()).isEqualTo(3);
    assertThat(bins.get(2).fractionPositive()).isEqualTo(2.0 / 3);
    assertThat(bins.get(2).meanScore())
        .isCloseTo((0.95 + 0.91 + 1.0) / 3, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(Curves.probabilities(rows)).isTrue();
    assertThat(Curves.probabilities(List.of(new Curves.Scored(true, 2.5)))).isFalse();
  }
}
