package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.Json;
import dev.custody.core.Reason;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code custody report}, and the report {@code custody run} writes, on a real signed model. */
class ReportCommandTest {
  @TempDir static Path work;
  static ReportFixture f;

  @BeforeAll
  static void model() throws Exception {
    f = ReportFixture.create(work);
  }

  @Test
  void run_byDefault_writesReportBesideTheModelAndTheChainStillVerifies() throws Exception {
    Path beside = work.resolve("credit-small-v1.report.html");
    assertThat(beside).isRegularFile();
    assertThat(f.model().resolve("credit-small-v1.report.html")).doesNotExist();
    String html = Files.readString(beside);
    assertEverySectionAndChart(parse(html));

    Cli verify = Cli.run("verify", f.model().toString(), "--policy", f.policy().toString());
    assertThat(verify.exit()).as(verify.err()).isZero();
  }

  @Test
  void run_noReport_writesNoReport() throws Exception {
    Path model = work.resolve("no-report");
    Cli run =
        Cli.run(
            "run",
            f.spec().toString(),
            "--key",
            f.key().toString(),
            "-o",
            model.toString(),
            "--quiet",
            "--no-report");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(work.resolve("no-report.report.html")).doesNotExist();
  }

  @Test
  void run_specWithoutGates_writesReportSayingSo() throws Exception {
    Path spec = work.resolve("ungated.yaml");
    Files.writeString(
        spec,
        Files.readString(f.spec())
            .replace("name: credit-small", "name: ungated")
            .replace("gates:\n  minimum: {accuracy: 0.5}\n", ""));
    Path model = work.resolve("ungated-v1");

    Cli run = Cli.run("run", spec.toString(), "--key", f.key().toString(), "-o", model.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).containsPattern("(?m)^run +report +\\d+\\.\\d\\d s  chain verified, ");
    String html = Files.readString(work.resolve("ungated-v1.report.html"));
    assertThat(html).contains("No gate attestation");
    assertEverySectionAndChart(parse(html));
  }

  @Test
  void report_withSpecDir_drawsCurvesFromRepredictedVerifiedTestSplit() throws Exception {
    Path out = work.resolve("with-data.html");

    Cli r = report(out, "--spec-dir", work.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("report of verified credit-small v1 written to ");
    String html = Files.readString(out);
    assertEverySectionAndChart(parse(html));
    assertThat(html).contains("scores re-predicted by the verified model");
    // The same scores as the run's own evaluation: the same curves, point for point.
    String runs = Files.readString(work.resolve("credit-small-v1.report.html"));
    assertThat(polylines(html)).isEqualTo(polylines(runs));
  }

  @Test
  void report_html_isWellFormedSelfContainedAndEscapesHostileData() throws Exception {
    Path out = work.resolve("escaped.html");
    assertThat(report(out, "--spec-dir", work.toString()).exit()).isZero();
    String html = Files.readString(out);

    parse(html); // well-formed: an XML parser reads it
    assertThat(html).doesNotContain("<script").doesNotContain("\u202e");
    assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;\\u{202e}");
    // No resource from anywhere: no src, href, CSS url() or import, and no URL but the SVG
    // namespace name (an identifier, never fetched).
    assertThat(html)
        .doesNotContain("src=")
        .doesNotContain("href=")
        .doesNotContain("url(")
        .doesNotContain("@import")
        .doesNotContain("<link");
    assertThat(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")).doesNotContain("http");
  }

  @Test
  void report_withoutSpecDir_leavesCurvesOutSayingWhy() throws Exception {
    Path out = work.resolve("no-data.html");

    Cli r = report(out);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("(no curves: pass --spec-dir to draw them)");
    String html = Files.readString(out);
    Document doc = parse(html);
    for (String id : HtmlReport.SECTIONS) {
      assertThat(byId(doc, id)).as(id).isNotNull();
    }
    assertThat(html).doesNotContain("<svg").contains("run custody report with --spec-dir");
  }

  @Test
  void report_dataChanged_failsDigestMismatchAndWritesNothing() throws Exception {
    Path other = Files.createDirectories(work.resolve("changed"));
    byte[] csv = Files.readAllBytes(work.resolve("credit-small.csv"));
    csv[csv.length - 2] = (byte) (csv[csv.length - 2] == '0' ? '1' : '0');
    Files.write(other.resolve("credit-small.csv"), csv);
    Path out = work.resolve("changed.html");

    Cli r = report(out, "--spec-dir", other.toString());

    assertThat(r.exit()).isEqualTo(Reason.DIGEST_MISMATCH.exitCode());
    assertThat(r.err()).startsWith("custody report: DIGEST_MISMATCH: ");
    assertThat(out).doesNotExist();
  }

  @Test
  void report_untrustedSigner_failsClosedAndWritesNothing() throws Exception {
    Path otherKey = work.resolve("other.key");
    assertThat(Cli.run("keygen", "-o", otherKey.toString()).exit()).isZero();
    Path policy = work.resolve("other-policy.yaml");
    Files.writeString(
        policy,
        "version: 1\nstages:\n  ingest: {keys: [other.key.pub]}\n  train: {keys: [other.key.pub]}\n"
            + "  evaluate: {keys: [other.key.pub]}\n");
    Path out = work.resolve("untrusted.html");

    Cli r =
        Cli.run(
            "report", f.model().toString(), "-o", out.toString(), "--policy", policy.toString());

    assertThat(r.exit()).isEqualTo(Reason.UNTRUSTED_SIGNER.exitCode());
    assertThat(out).doesNotExist();
  }

  @Test
  void report_json_printsOneDocument() throws Exception {
    Path out = work.resolve("json.html");

    Cli r = report(out, "--json");

    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode doc = Json.parse(r.out().getBytes(StandardCharsets.UTF_8), "report output");
    assertThat(doc.path("ok").asBoolean()).isTrue();
    assertThat(doc.path("command").asText()).isEqualTo("custody report");
    assertThat(doc.path("model").asText()).isEqualTo("credit-small");
    assertThat(doc.path("report").asText()).isEqualTo(out.toString());
    assertThat(doc.path("curves").asBoolean()).isFalse();
  }

  /**
   * The page as headless Chromium builds it ({@code --dump-dom}): every section is there and every
   * chart has an SVG with a drawn line. Skips without Chromium, except under CI, whose .ci/run
   * installs it.
   */
  @Test
  void report_renderedByHeadlessChromium_hasEverySectionAndChart() throws Exception {
    Optional<Path> chromium =
        Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser")
            .map(Path::of)
            .filter(Files::isExecutable)
            .findFirst();
    if (chromium.isEmpty()) {
      assertThat(System.getenv("CI"))
          .as("CI must install chromium for the render test (see .ci/run)")
          .isNotEqualTo("true");
      Assumptions.abort("skipped: chromium is not installed (apt-get install -y chromium)");
    }
    Path out = work.resolve("rendered.html");
    assertThat(report(out, "--spec-dir", work.toString()).exit()).isZero();
    Path profile = Files.createTempDirectory(work, "chromium-");
    Path dom = work.resolve("dom.html");
    Process p =
        new ProcessBuilder(
                chromium.get().toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--dump-dom",
                out.toUri().toString())
            .redirectOutput(dom.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
    assertThat(p.exitValue()).isZero();

    String rendered = Files.readString(dom);
    for (String id : HtmlReport.SECTIONS) {
      assertThat(rendered).as("section " + id).contains("<section id=\"" + id + "\">");
    }
    for (String id : HtmlReport.CHARTS) {
      String section = rendered.substring(rendered.indexOf("<section id=\"" + id + "\">"));
      section = section.substring(0, section.indexOf("</section>"));
      assertThat(section)
          .as("chart " + id)
          .contains("<svg")
          .containsPattern("<polyline[^>]* points=\"[0-9.]+,[0-9.]+ [0-9.]+,");
    }
  }

  private static Cli report(Path out, String... more) {
    String[] base = {
      "report", f.model().toString(), "-o", out.toString(), "--policy", f.policy().toString()
    };
    String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return Cli.run(args);
  }

  /** Every section by id, and an SVG with a drawn line in every chart section. */
  static void assertEverySectionAndChart(Document doc) {
    for (String id : HtmlReport.SECTIONS) {
      assertThat(byId(doc, id)).as("section " + id).isNotNull();
    }
    for (String id : HtmlReport.CHARTS) {
      NodeList svgs = byId(doc, id).getElementsByTagName("svg");
      assertThat(svgs.getLength()).as("svg in " + id).isEqualTo(1);
      NodeList lines = ((Element) svgs.item(0)).getElementsByTagName("polyline");
      assertThat(lines.getLength()).as("line in " + id).isEqualTo(1);
      assertThat(((Element) lines.item(0)).getAttribute("points").split(" "))
          .as("points in " + id)
          .hasSizeGreaterThan(2);
    }
  }

  static Document parse(String html) throws Exception {
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    dbf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    dbf.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    return dbf.newDocumentBuilder()
        .parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
  }

  private static Element byId(Document doc, String id) {
    NodeList sections = doc.getElementsByTagName("section");
    for (int i = 0; i < sections.getLength(); i++) {
      Element e = (Element) sections.item(i);
      if (id.equals(e.getAttribute("id"))) {
        return e;
      }
    }
    return null;
  }

  private static java.util.List<String> polylines(String html) {
    return java.util.regex.Pattern.compile("points=\"([^\"]*)\"")
        .matcher(html)
        .results()
        .map(m -> m.group(1))
        .toList();
  }
}
