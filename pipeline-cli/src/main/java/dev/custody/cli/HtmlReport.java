package dev.custody.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Printable;
import dev.custody.core.chain.DatasetPredicate;
import dev.custody.core.chain.GatePredicate;
import dev.custody.core.chain.ReproductionSummary;
import dev.custody.verify.VerifiedChain;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One self-contained HTML page about a verified model: the chain, the data and its screens, the
 * test metrics, confusion matrix, ROC, precision-recall and reliability curves, the per-class table
 * and the gates. No script and no external resource: the style is in the page and every chart is
 * inline SVG drawn here, so the file opens offline and cannot call anywhere. Every piece of text
 * from a signed record or the data (names, labels, flagged-row details) is escaped.
 *
 * <p>The page is XHTML-compatible (every element closed, attributes quoted), so an XML parser reads
 * it too.
 */
final class HtmlReport {
  /** Section ids, in page order: what the render test looks for. */
  static final List<String> SECTIONS =
      List.of(
          "chain",
          "data",
          "screens",
          "metrics",
          "confusion",
          "roc",
          "pr",
          "calibration",
          "classes",
          "gates");

  /** The sections that hold a chart. */
  static final List<String> CHARTS = List.of("roc", "pr", "calibration");

  /** Longest untrusted value shown: a hostile name cannot make a page of megabytes. */
  private static final int MAX_TEXT = 500;

  /** Flagged rows listed per screen (the count says how many there were). */
  private static final int MAX_FLAGGED = Inspection.MAX_FLAGGED_SHOWN;

  private static final int W = 340;
  private static final int H = 300;
  private static final int LEFT = 52;
  private static final int RIGHT = 16;
  private static final int TOP = 16;
  private static final int BOTTOM = 44;

  private static final String STYLE =
      "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}"
          + "h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}"
          + "table{border-collapse:collapse;margin:.5em 0}"
          + "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}"
          + "th{background:#f3f3f3}code{font-size:.8em;word-break:break-all}"
          + ".ok{color:#176117;font-weight:bold}.bad{color:#a31515;font-weight:bold}"
          + ".note{color:#555;font-style:italic}.charts{display:flex;flex-wrap:wrap;gap:1em}"
          + ".charts section{flex:0 0 auto}td.num{text-align:right}td{overflow-wrap:anywhere}"
          + "table.chain{width:100%;table-layout:fixed}.chain th:nth-child(1){width:2.5em}"
          + ".chain th:nth-child(2){width:11%}.chain th:nth-child(3){width:30%}"
          + ".chain th:nth-child(4){width:20%}.chain td{font-size:.9em}";

  private final VerifiedChain chain;
  private final Optional<List<Curves.Scored>> scored;
  private final String scoresSource;
  private final StringBuilder out = new StringBuilder();

  /**
   * @param chain the verified chain
   * @param scored the positive label's score for every test row, if known
   * @param scoresSource where the scores came from, or why there are none
   */
  HtmlReport(VerifiedChain chain, Optional<List<Curves.Scored>> scored, String scoresSource) {
    this.chain = chain;
    this.scored = scored;
    this.scoresSource = scoresSource;
  }

  /** The page. */
  String render() {
    String title = "Custody report: " + chain.name() + " v" + chain.version();
    out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>")
        .append("<meta name=\"viewport\" content=\"width=device-width\"/><title>")
        .append(h(title))
        .append("</title><style>")
        .append(STYLE)
        .append("</style></head><body>\n<h1>")
        .append(h(title))
        .append("</h1>\n<p>Trainer <b>")
        .append(h(chain.card().trainer()))
        .append("</b>, positive label <b>")
        .append(h(chain.card().positiveLabel()))
        .append("</b>, ")
        .append(chain.card().features().size())
        .append(" features. Root digest <code>")
        .append(chain.rootDigest().hex())
        .append("</code>.</p>\n");
    chainSection();
    dataSection();
    screensSection();
    JsonNode m = chain.card().metrics();
    metricsSection(m);
    confusionSection(m.path("confusion"));
    chartSections();
    classesSection(m.path("classes"));
    gatesSection();
    out.append("</body></html>\n");
    return out.toString();
  }

  private void chainSection() {
    open("chain", "Verified chain of custody");
    out.append("<p class=\"ok\">Every link below verified under the trust policy.</p>");
    out.append("<table class=\"chain\"><tr>");
    List.of("", "link", "file and SHA-256", "signed by", "checked")
        .forEach(c -> out.append("<th>").append(c).append("</th>"));
    out.append("</tr>");
    for (VerifiedChain.Link l : chain.links()) {
      row(
          List.of(
              "<span class=\"ok\">ok</span>",
              h(l.what()),
              h(l.file()) + "<br/>" + code(l.digest().hex()),
              "<code>" + h(l.signer()) + "</code>",
              h(l.checked())));
    }
    out.append("</table>");
    chain
        .reproduction()
        .ifPresent(
            r -> {
              ReproductionSummary s = r.predicate();
              out.append("<p>Reproduced: ")
                  .append(h(s.result()))
                  .append(" at ")
                  .append(h(s.timeVerified().toString()))
                  .append(", content <code>")
                  .append(s.reproducedContentDigest().hex())
                  .append("</code>.</p>");
            });
    close();
  }

  private void dataSection() {
    DatasetPredicate d = chain.dataset().predicate();
    open("data", "Data");
    out.append("<p>Dataset digest D <code>")
        .append(d.datasetDigest().hex())
        .append("</code>, format ")
        .append(h(d.format()))
        .append(".</p>");
    table(List.of("file", "SHA-256", "bytes", "rows"));
    for (DatasetPredicate.DataFile f : d.files()) {
      row(List.of(h(f.source()), code(f.sha256().hex()), num(f.bytes()), num(f.rows())));
    }
    out.append("</table>");
    table(List.of("rows", "count", "by label"));
    row(List.of("read", num(d.rows().count()), labels(d.rows().labels())));
    row(List.of("kept after screens", num(d.kept().count()), labels(d.kept().labels())));
    out.append("</table>");
    close();
  }

  private void screensSection() {
    DatasetPredicate d = chain.dataset().predicate();
    open("screens", "Screens");
    if (d.screens().isEmpty()) {
      out.append("<p class=\"note\">No screen ran.</p>");
    }
    for (DatasetPredicate.Screen s : d.screens()) {
      out.append("<h3>")
          .append(h(s.screen()))
          .append(" (policy ")
          .append(h(s.policy()))
          .append(")</h3><p>")
          .append(s.rowsChecked())
          .append(" rows checked, ")
          .append(s.flagged())
          .append(" flagged, ")
          .append(s.dropped())
          .append(" dropped.");
      for (Map.Entry<String, Double> e : s.statistics().entrySet()) {
        out.append(" ").append(h(e.getKey())).append(" ").append(fmt(e.getValue())).append(";");
      }
      out.append("</p>");
      if (!s.firstRows().isEmpty()) {
        table(List.of("file", "line", "id", "label", "why"));
        s.firstRows().stream()
            .limit(MAX_FLAGGED)
            .forEach(
                r ->
                    row(
                        List.of(
                            h(r.source()), num(r.line()), h(r.id()), h(r.label()), h(r.detail()))));
        out.append("</table>");
        long shown = Math.min(MAX_FLAGGED, s.firstRows().size());
        if (s.flagged() > shown) {
          out.append("<p class=\"note\">")
              .append(s.flagged() - shown)
              .append(" more flagged row(s) not listed.</p>");
        }
      }
    }
    close();
  }

  private void metricsSection(JsonNode m) {
    open("metrics", "Test metrics");
    table(List.of("metric", "value"));
    row(List.of("test rows", num(m.path("rows").asLong())));
    row(List.of("accuracy", fmt(m.path("accuracy"))));
    row(
        List.of(
            "ROC AUC (positive " + h(m.path("positiveLabel").asText()) + ")",
            fmt(m.path("rocAuc"))));
    double macro = 0;
    for (JsonNode c : m.path("classes")) {
      macro += c.path("f1").asDouble();
    }
    if (m.path("classes").size() > 0) {
      row(List.of("macro F1", fmt(macro / m.path("classes").size())));
    }
    out.append("</table>");
    close();
  }

  private void confusionSection(JsonNode confusion) {
    open("confusion", "Confusion matrix");
    JsonNode labels = confusion.path("labels");
    JsonNode counts = confusion.path("counts");
    long max = 1;
    for (JsonNode r : counts) {
      for (JsonNode c : r) {
        max = Math.max(max, c.asLong());
      }
    }
    List<String> head = new ArrayList<>();
    head.add("true \\ predicted");
    labels.forEach(l -> head.add(h(l.asText())));
    table(head);
    for (int t = 0; t < labels.size(); t++) {
      out.append("<tr><th>").append(h(labels.get(t).asText())).append("</th>");
      for (int p = 0; p < labels.size(); p++) {
        long c = counts.path(t).path(p).asLong();
        double shade = 0.08 + 0.6 * c / max;
        out.append(
                String.format(
                    Locale.ROOT,
                    "<td class=\"num\" style=\"background:rgba(%s,%.2f)\">",
                    t == p ? "30,120,60" : "200,40,40",
                    shade))
            .append(c)
            .append("</td>");
      }
      out.append("</tr>");
    }
    out.append("</table>");
    close();
  }

  private void chartSections() {
    String positive = chain.card().positiveLabel();
    out.append("<p class=\"note\">Curves for the positive label ")
        .append(h(positive))
        .append(" against the rest: ")
        .append(h(scoresSource))
        .append("</p><div class=\"charts\">");
    List<Curves.Scored> rows = scored.orElse(List.of());
    open("roc", "ROC curve");
    List<double[]> roc = Curves.roc(rows);
    if (roc.isEmpty()) {
      missing();
    } else {
      out.append(svg("ROC", "false positive rate", "true positive rate", roc, List.of(), true));
    }
    close();
    open("pr", "Precision-recall curve");
    List<double[]> pr = Curves.precisionRecall(rows);
    if (pr.isEmpty()) {
      missing();
    } else {
      out.append(svg("Precision-recall", "recall", "precision", pr, List.of(), false));
    }
    close();
    open("calibration", "Reliability (calibration)");
    if (rows.isEmpty()) {
      missing();
    } else if (!Curves.probabilities(rows)) {
      out.append(
          "<p class=\"note\">Scores are not probabilities in [0, 1]: no reliability curve.</p>");
    } else {
      List<double[]> pts = new ArrayList<>();
      for (Curves.Bin b : Curves.reliability(rows)) {
        pts.add(new double[] {b.meanScore(), b.fractionPositive()});
      }
      out.append(svg("Reliability", "mean predicted score", "fraction positive", pts, pts, true));
    }
    close();
    out.append("</div>");
  }

  private void missing() {
    out.append("<p class=\"note\">Not drawn: no per-row test scores (see above).</p>");
  }

  private void classesSection(JsonNode classes) {
    open("classes", "Per class");
    table(List.of("label", "precision", "recall", "F1", "support"));
    for (JsonNode c : classes) {
      row(
          List.of(
              h(c.path("label").asText()),
              fmt(c.path("precision")),
              fmt(c.path("recall")),
              fmt(c.path("f1")),
              num(c.path("support").asLong())));
    }
    out.append("</table>");
    close();
  }

  private void gatesSection() {
    open("gates", "Gates");
    Optional<VerifiedChain.Attestation<GatePredicate>> gate = chain.gate();
    if (gate.isEmpty()) {
      out.append("<p class=\"note\">No gate attestation (the policy does not require one).</p>");
    } else {
      out.append("<p>Signed by ").append(h(gate.get().signer())).append(".</p>");
      table(List.of("", "gate", "metric", "required", "observed", "rows", "evaluated on"));
      for (GatePredicate.Gate g : gate.get().predicate().gates()) {
        row(
            List.of(
                g.passed() ? "<span class=\"ok\">pass</span>" : "<span class=\"bad\">FAIL</span>",
                h(g.name()),
                h(g.metric()),
                h(g.comparator()) + " " + fmt(g.threshold()),
                fmt(g.observed()),
                num(g.sampleSize()),
                h(g.dataset().name())));
      }
      out.append("</table>");
    }
    close();
  }

  /** A line chart on the unit square: a polyline, optional dots and an optional diagonal. */
  static String svg(
      String title,
      String xLabel,
      String yLabel,
      List<double[]> line,
      List<double[]> dots,
      boolean diagonal) {
    StringBuilder s = new StringBuilder();
    s.append(
            String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0"
                    + " %d %d\" role=\"img\"><title>",
                W,
                H,
                W,
                H))
        .append(h(title))
        .append("</title>");
    for (int i = 0; i <= 4; i++) {
      double v = i / 4.0;
      s.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  + "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\">%.2f</text>"
                  + "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%.2f</text>",
              x(v),
              y(0),
              x(v),
              y(1),
              x(0),
              y(v),
              x(1),
              y(v),
              x(v),
              y(0) + 16,
              v,
              x(0) - 6,
              y(v) + 4,
              v));
    }
    s.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\""
                + " stroke=\"#888\"/>",
            x(0),
            y(1),
            x(1) - x(0),
            y(0) - y(1)));
    if (diagonal) {
      s.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\""
                  + " stroke-dasharray=\"4 4\"/>",
              x(0),
              y(0),
              x(1),
              y(1)));
    }
    StringBuilder pts = new StringBuilder();
    for (double[] p : line) {
      pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(p[0]), y(p[1])));
    }
    s.append("<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\" points=\"")
        .append(pts.toString().trim())
        .append("\"/>");
    for (double[] p : dots) {
      s.append(
          String.format(
              Locale.ROOT,
              "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#1f5fa8\"/>",
              x(p[0]),
              y(p[1])));
    }
    s.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">",
                (x(0) + x(1)) / 2,
                H - 6))
        .append(h(xLabel))
        .append("</text>")
        .append(
            String.format(
                Locale.ROOT,
                "<text x=\"14\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\""
                    + " transform=\"rotate(-90 14 %.1f)\">",
                (y(0) + y(1)) / 2,
                (y(0) + y(1)) / 2))
        .append(h(yLabel))
        .append("</text></svg>");
    return s.toString();
  }

  private static double x(double v) {
    return LEFT + v * (W - LEFT - RIGHT);
  }

  private static double y(double v) {
    return H - BOTTOM - v * (H - TOP - BOTTOM);
  }

  private void open(String id, String title) {
    out.append("<section id=\"").append(id).append("\"><h2>").append(h(title)).append("</h2>");
  }

  private void close() {
    out.append("</section>\n");
  }

  private void table(List<String> head) {
    out.append("<table><tr>");
    head.forEach(c -> out.append("<th>").append(c).append("</th>"));
    out.append("</tr>");
  }

  /** A table row of cells that are already HTML. */
  private void row(List<String> cells) {
    out.append("<tr>");
    cells.forEach(c -> out.append("<td>").append(c).append("</td>"));
    out.append("</tr>");
  }

  private static String labels(Map<String, Long> byLabel) {
    List<String> parts = new ArrayList<>();
    byLabel.forEach((k, v) -> parts.add(h(k) + ": " + v));
    return String.join(", ", parts);
  }

  private static String code(String hex) {
    return "<code>" + h(hex) + "</code>";
  }

  private static String num(long n) {
    return Long.toString(n);
  }

  private static String fmt(JsonNode v) {
    return v.isNumber() ? fmt(v.asDouble()) : "undefined";
  }

  private static String fmt(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "undefined";
  }

  /**
   * Untrusted text as HTML: control characters and bidirectional overrides shown as escapes ({@link
   * Printable#line}), then the five characters HTML gives meaning escaped.
   */
  static String h(String s) {
    String printable = Printable.line(s, MAX_TEXT);
    StringBuilder b = new StringBuilder(printable.length());
    for (int i = 0; i < printable.length(); i++) {
      char c = printable.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
