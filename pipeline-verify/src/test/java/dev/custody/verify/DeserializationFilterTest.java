package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DeserializationFilterTest {
  @BeforeAll
  static void install() {
    DeserializationFilter.install();
  }

  @Test
  void factory_insideCall_rejectsEveryClass() {
    DeserializationFilter.install();
    assertThat(DeserializationFilter.installed()).isTrue();
    BinaryOperator<ObjectInputFilter> factory = ObjectInputFilter.Config.getSerialFilterFactory();

    ObjectInputFilter inside =
        DeserializationFilter.call(
            () -> factory.apply(null, ObjectInputFilter.Config.getSerialFilter()));

    assertThat(inside).isNotNull();
    for (Class<?> c : new Class<?>[] {String.class, Integer.class, java.util.HashMap.class}) {
      assertThat(inside.checkInput(new Info(c, 0)))
          .as(c.getName())
          .isEqualTo(ObjectInputFilter.Status.REJECTED);
    }
  }

  @Test
  void factory_insideCall_rejectsStreamsOverLimits() {
    BinaryOperator<ObjectInputFilter> factory = ObjectInputFilter.Config.getSerialFilterFactory();

    ObjectInputFilter inside = DeserializationFilter.call(() -> factory.apply(null, null));

    assertThat(inside.checkInput(new Info(null, 1000)))
        .isEqualTo(ObjectInputFilter.Status.REJECTED);
  }

  @Test
  void factory_outsideCall_leavesStreamsToPreviousFactory() {
    BinaryOperator<ObjectInputFilter> factory = ObjectInputFilter.Config.getSerialFilterFactory();
    ObjectInputFilter global = ObjectInputFilter.Config.getSerialFilter();

    ObjectInputFilter outside = factory.apply(null, global);

    assertThat(DeserializationFilter.active()).isFalse();
    assertThat(outside).isSameAs(global);
  }

  @Test
  void install_twice_isANoOp() {
    DeserializationFilter.install();
    BinaryOperator<ObjectInputFilter> first = ObjectInputFilter.Config.getSerialFilterFactory();

    DeserializationFilter.install();

    assertThat(ObjectInputFilter.Config.getSerialFilterFactory()).isSameAs(first);
  }

  @Test
  void install_factorySetFirstInAnotherJvm_throwsNamingTheFactory() throws Exception {
    Child child = run(FactoryFirst.class);

    assertThat(child.exit()).as(child.output()).isEqualTo(3);
    assertThat(child.output())
        .startsWith(
            "cannot install Custody's deserialization filter: another deserialization"
                + " filter factory is already set (")
        .contains(FactoryFirst.class.getName())
        .contains("Call dev.custody.verify.DeserializationFilter.install() first thing in main");
  }

  @Test
  void install_streamCreatedFirstInAnotherJvm_throwsSayingAStreamWasCreated() throws Exception {
    Child child = run(StreamFirst.class);

    assertThat(child.exit()).as(child.output()).isEqualTo(3);
    assertThat(child.output())
        .startsWith(
            "cannot install Custody's deserialization filter: an ObjectInputStream was"
                + " already created in this JVM")
        .contains("Call dev.custody.verify.DeserializationFilter.install() first thing in main");
  }

  @Test
  void requireInstalled_notInstalledInAnotherJvm_throwsSayingHowToInstall() throws Exception {
    Child child = run(NeverInstalled.class);

    assertThat(child.exit()).as(child.output()).isEqualTo(3);
    assertThat(child.output())
        .isEqualTo(
            "Custody's deserialization filter is not installed: call"
                + " dev.custody.verify.DeserializationFilter.install() first thing in main, before"
                + " loading a model");
  }

  private record Child(int exit, String output) {}

  /** Runs {@code main} in a fresh JVM on this test's class path. */
  private static Child run(Class<?> main) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(java, "-cp", System.getProperty("java.class.path"), main.getName()))
            .redirectErrorStream(true)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Child(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
  }

  /** Sets its own filter factory, then tries to install Custody's. */
  static final class FactoryFirst implements BinaryOperator<ObjectInputFilter> {
    @Override
    public ObjectInputFilter apply(ObjectInputFilter current, ObjectInputFilter next) {
      return next;
    }

    public static void main(String[] args) {
      ObjectInputFilter.Config.setSerialFilterFactory(new FactoryFirst());
      tryInstall();
    }
  }

  /** Creates an ObjectInputStream, then tries to install the filter. */
  static final class StreamFirst {
    @SuppressForbidden("reads an empty stream this test wrote, to reproduce a host that did")
    public static void main(String[] args) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      new ObjectOutputStream(bytes).close();
      new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())).close();
      tryInstall();
    }
  }

  /** Never installs the filter, and asks for it. */
  static final class NeverInstalled {
    public static void main(String[] args) {
      try {
        DeserializationFilter.call(() -> "unreachable");
        System.exit(0);
      } catch (IllegalStateException e) {
        System.out.print(e.getMessage());
        System.exit(3);
      }
    }
  }

  private static void tryInstall() {
    try {
      DeserializationFilter.install();
      System.exit(0);
    } catch (IllegalStateException e) {
      System.out.print(e.getMessage());
      System.exit(3);
    }
  }

  /** What an ObjectInputStream reports to its filter. */
  private record Info(Class<?> serialClass, long depth) implements ObjectInputFilter.FilterInfo {
    @Override
    public long arrayLength() {
      return -1;
    }

    @Override
    public long references() {
      return 0;
    }

    @Override
    public long streamBytes() {
      return 0;
    }
  }
}
