package dev.custody.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java snippets of the README's "The library" section compile as written against the modules
 * they name: each becomes the body of a method whose parameters are the variables the README leaves
 * to the reader ({@code root}, {@code work}, {@code modelDir}, {@code key}), with the packages the
 * section names imported.
 */
class ReadmeSnippetsTest {
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  private static final String IMPORTS =
      String.join(
          "\n",
          "import dev.custody.core.*;",
          "import dev.custody.core.chain.*;",
          "import dev.custody.train.*;",
          "import dev.custody.train.spec.*;",
          "import dev.custody.verify.*;",
          "import java.nio.file.Path;",
          "import java.util.List;",
          "import java.util.Map;");

  /** Free variables a snippet may use without declaring them, with their types. */
  private static final List<String[]> GIVEN =
      List.of(
          new String[] {"Path", "root"},
          new String[] {"Path", "work"},
          new String[] {"Path", "modelDir"},
          new String[] {"SigningKey", "key"});

  @TempDir Path out;

  @Test
  void librarySection_everyJavaSnippet_compilesAsWritten() throws Exception {
    String readme = Files.readString(Examples.root().resolve("README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("\n## The library\n");
    int end = readme.indexOf("\n## ", start + 1);
    assertThat(start).as("README section 'The library'").isPositive();
    Matcher m = JAVA_BLOCK.matcher(readme.substring(start, end));
    List<JavaFileObject> sources = new ArrayList<>();
    while (m.find()) {
      sources.add(source("Snippet" + sources.size(), m.group(1)));
    }
    assertThat(sources).as("Java snippets in 'The library'").hasSizeGreaterThanOrEqualTo(4);

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter diagnostics = new StringWriter();
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    boolean compiled =
        javac
            .getTask(
                diagnostics,
                null,
                null,
                List.of("-proc:none", "-classpath", classpath, "-d", out.toString()),
                null,
                sources)
            .call();
    assertThat(compiled).as("javac on the README's snippets:%n%s", diagnostics).isTrue();
  }

  private static JavaFileObject source(String name, String snippet) {
    List<String> params = new ArrayList<>();
    for (String[] given : GIVEN) {
      boolean used = Pattern.compile("\\b" + given[1] + "\\b").matcher(snippet).find();
      boolean declared =
          Pattern.compile("\\b[A-Z]\\w*(<[^>]*>)?\\s+" + given[1] + "\\s*=")
              .matcher(snippet)
              .find();
      if (used && !declared) {
        params.add(given[0] + " " + given[1]);
      }
    }
    boolean returns = Pattern.compile("(?m)^\\s*return\\b").matcher(snippet).find();
    String code =
        IMPORTS
            + "\nclass "
            + name
            + " {\n  static void log(Object... parts) {}\n  static "
            + (returns ? "Object" : "void")
            + " snippet("
            + String.join(", ", params)
            + ") throws Exception {\n"
            + snippet
            + "\n  }\n}\n";
    return new SimpleJavaFileObject(
        java.net.URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return code;
      }
    };
  }
}
