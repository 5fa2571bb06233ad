import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Summarizes PIT's XML reports: the mutation score of each module, then every mutant no test
 * detected (survived, or not covered by any test), by class and line, for triage. Run through
 * {@code scripts/mutation-report} after {@code ./mvnw -Pmutation verify}.
 */
public final class MutationReport {
  private record Mutant(String module, String status, String clazz, int line, String mutator,
      String method, String description) {}

  private MutationReport() {}

  public static void main(String[] args) throws Exception {
    List<Mutant> undetected = new ArrayList<>();
    int modules = 0;
    for (String module : args) {
      Path xml = Path.of(module, "target", "pit-reports", "mutations.xml");
      if (!Files.isRegularFile(xml)) {
        System.err.println(module + ": no " + xml + " (run ./mvnw -Pmutation verify first)");
        System.exit(1);
      }
      modules++;
      Map<String, Integer> byStatus = new TreeMap<>();
      int total = 0;
      int detected = 0;
      NodeList list = parse(xml.toFile()).getElementsByTagName("mutation");
      for (int i = 0; i < list.getLength(); i++) {
        Element m = (Element) list.item(i);
        String status = m.getAttribute("status");
        byStatus.merge(status, 1, Integer::sum);
        total++;
        if (Boolean.parseBoolean(m.getAttribute("detected"))) {
          detected++;
        } else {
          String mutator = text(m, "mutator");
          undetected.add(new Mutant(module, status, text(m, "mutatedClass"),
              Integer.parseInt(text(m, "lineNumber")),
              mutator.substring(mutator.lastIndexOf('.') + 1), text(m, "mutatedMethod"),
              text(m, "description")));
        }
      }
      System.out.printf(Locale.ROOT, "%s: mutation score %d%% (%d of %d mutants detected) %s%n",
          module, total == 0 ? 0 : Math.round(100.0 * detected / total), detected, total, byStatus);
    }
    if (modules == 0) {
      System.err.println("usage: MutationReport MODULE...");
      System.exit(2);
    }
    undetected.sort(Comparator.comparing(Mutant::module).thenComparing(Mutant::clazz)
        .thenComparingInt(Mutant::line).thenComparing(Mutant::mutator));
    System.out.printf(Locale.ROOT, "%nundetected mutants (%d): module class:line mutator (method) description%n",
        undetected.size());
    for (Mutant m : undetected) {
      System.out.printf(Locale.ROOT, "%-11s %s %s:%d %s (%s) %s%n", m.status(), m.module(), m.clazz(),
          m.line(), m.mutator(), m.method(), m.description());
    }
  }

  private static Document parse(File file) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setExpandEntityReferences(false);
    return f.newDocumentBuilder().parse(file);
  }

  private static String text(Element e, String tag) {
    NodeList n = e.getElementsByTagName(tag);
    return n.getLength() == 0 ? "" : n.item(0).getTextContent();
  }
}
