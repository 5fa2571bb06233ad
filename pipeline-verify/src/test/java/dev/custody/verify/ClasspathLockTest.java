package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.BundleSigner;
import dev.custody.core.KeyBundleVerifier;
import dev.custody.core.Reason;
import dev.custody.core.SigningKey;
import dev.custody.core.VerificationException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClasspathLockTest {
  @TempDir Path dir;
  Path a;
  Path b;

  @BeforeEach
  void jars() throws Exception {
    a = jar("alpha-1.0.jar", "A", null);
    b = jar("beta-2.0.jar", "B", null);
  }

  @Test
  void listed_moreThanTwentyDifferences_namesTwentyAndCountsTheRest() {
    List<String> diff =
        java.util.stream.IntStream.range(0, 25).mapToObj(n -> "added: j" + n + ".jar").toList();
    String line = ClasspathLock.listed(diff);
    assertThat(line).contains("added: j19.jar; and 5 more").doesNotContain("j20.jar");
    assertThat(ClasspathLock.listed(diff.subList(0, 20))).endsWith("added: j19.jar");
  }

  @Test
  void requireMatch_sameJars_passes() throws Exception {
    ClasspathLock lock = ClasspathLock.of(List.of(a, b));
    lock.requireMatch(ClasspathLock.of(List.of(b, a)));
    assertThat(lock.jars()).containsOnlyKeys("alpha-1.0.jar", "beta-2.0.jar");
  }

  @Test
  void requireMatch_jarAlteredByOneByte_failsNamingIt() throws Exception {
    ClasspathLock lock = ClasspathLock.of(List.of(a, b));
    byte[] bytes = Files.readAllBytes(b);
    bytes[bytes.length / 2] ^= 1;
    Files.write(b, bytes);
    assertThatThrownBy(() -> lock.requireMatch(ClasspathLock.of(List.of(a, b))))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("changed: beta-2.0.jar")
        .extracting(e -> ((VerificationException) e).reason())
        .isEqualTo(Reason.DEPENDENCY_MISMATCH);
  }

  @Test
  void requireMatch_jarAddedAndRemoved_namesBoth() throws Exception {
    ClasspathLock lock = ClasspathLock.of(List.of(a, b));
    Path evil = jar("evil-0.1.jar", "E", null);
    assertThat(lock.differencesFrom(ClasspathLock.of(List.of(a, evil))))
        .containsExactly("removed: beta-2.0.jar", "added: evil-0.1.jar");
  }

  @Test
  void of_directoryOnClasspath_isRefused() {
    assertThatThrownBy(() -> ClasspathLock.of(List.of(a, dir)))
        .isInstanceOf(VerificationException.class)
        .hasMessageContaining("is a directory");
  }

  @Test
  void expandManifestClassPath_followsClassPathOfLauncherJar() throws Exception {
    Files.createDirectories(dir.resolve("lib"));
    Path libJar = jar("lib/gamma-3.jar", "G", null);
    Path launcher = jar("app.jar", "main", "lib/gamma-3.jar");
    assertThat(ClasspathLock.expandManifestClassPath(List.of(launcher)))
        .containsExactly(launcher.toAbsolutePath(), libJar.toAbsolutePath());
  }

  @Test
  void signedLock_roundTripsThroughABundle() throws Exception {
    SigningKey key = SigningKey.generate();
    ClasspathLock lock = ClasspathLock.of(List.of(a, b));
    byte[] bundle = BundleSigner.create(key).signStatement(lock.toStatement());
    var verified =
        KeyBundleVerifier.builder().trust(key.publicKey()).build().verifyStatement(bundle);
    ClasspathLock back = ClasspathLock.fromStatement(verified.statement());
    assertThat(back.jars()).isEqualTo(lock.jars());
  }

  private Path jar(String name, String content, String classPath) throws Exception {
    Path p = dir.resolve(name);
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (classPath != null) {
      m.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
    }
    try (OutputStream out = Files.newOutputStream(p);
        JarOutputStream jar = new JarOutputStream(out, m)) {
      jar.putNextEntry(new ZipEntry("content.txt"));
      jar.write(content.getBytes(StandardCharsets.UTF_8));
      jar.closeEntry();
    }
    return p;
  }

  @Test
  void runningClasspathEntries_underSurefire_listsClassesDirectoryAndJarsThatExist()
      throws Exception {
    List<Path> entries = ClasspathLock.runningClasspathEntries();

    assertThat(entries).allSatisfy(p -> assertThat(p).isAbsolute().exists());
    assertThat(entries)
        .anySatisfy(p -> assertThat(p).isDirectory().endsWith(Path.of("target", "classes")));
    assertThat(entries)
        .anySatisfy(p -> assertThat(p.getFileName().toString()).startsWith("tribuo-core-"));
  }

  @Test
  void requireRunningClasspathAllowed_policyWithoutDependencyRule_passes() throws Exception {
    ClasspathLock.requireRunningClasspathAllowed(GoldenChains.policyBuilder().build());
  }

  @Test
  void requireRunningClasspathAllowed_lockOfOtherJars_throwsDependencyMismatch() {
    // The golden lock names made-up jars; this test JVM runs on others (and on directories).
    assertThatThrownBy(() -> ClasspathLock.requireRunningClasspathAllowed(GoldenChains.policy(1)))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.DEPENDENCY_MISMATCH));
  }

  @Test
  void requireAllowed_jarsOfTheSignedLock_passes() throws Exception {
    ClasspathLock.requireAllowed(GoldenChains.policy(1), lockedJars(""));
  }

  @Test
  void requireAllowed_oneLockedJarChanged_throwsNamingIt() throws Exception {
    assertThatThrownBy(() -> ClasspathLock.requireAllowed(GoldenChains.policy(1), lockedJars("!")))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.DEPENDENCY_MISMATCH))
        .hasMessageContaining("changed: gamma-3.1.jar");
  }

  @Test
  void requireAllowed_allowList_passesListedJarsAndNamesOthers() throws Exception {
    ClasspathLock running = lockedJars("");
    TrustPolicy allowsAll =
        GoldenChains.policyBuilder().allowJarDigests(running.jars().values()).build();
    ClasspathLock.requireAllowed(allowsAll, running);

    TrustPolicy allowsTwo =
        GoldenChains.policyBuilder()
            .allowJarDigests(
                List.of(running.jars().get("alpha-1.0.jar"), running.jars().get("beta-2.0.jar")))
            .build();
    assertThatThrownBy(() -> ClasspathLock.requireAllowed(allowsTwo, running))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.DEPENDENCY_MISMATCH))
        .hasMessage(
            "the running classpath holds 1 jar(s) outside the policy's allow-list: gamma-3.1.jar ("
                + running.jars().get("gamma-3.1.jar")
                + ")");
  }

  /** The three made-up jars the golden lock pins, the last with {@code suffix} appended. */
  private ClasspathLock lockedJars(String suffix) throws Exception {
    Path d = Files.createDirectories(dir.resolve("locked"));
    List<Path> jars = new java.util.ArrayList<>();
    for (String j : List.of("alpha-1.0.jar", "beta-2.0.jar", "gamma-3.1.jar")) {
      Path p = d.resolve(j);
      Files.writeString(p, "jar " + j + (j.startsWith("gamma") ? suffix : ""));
      jars.add(p);
    }
    return ClasspathLock.of(jars);
  }

  @Test
  void requireRunningClasspathAllowed_allowListOfOtherJars_throwsDependencyMismatch() {
    TrustPolicy policy =
        GoldenChains.policyBuilder()
            .allowJarDigests(List.of(dev.custody.core.Sha256.of(new byte[] {1})))
            .build();
    assertThatThrownBy(() -> ClasspathLock.requireRunningClasspathAllowed(policy))
        .isInstanceOfSatisfying(
            VerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.DEPENDENCY_MISMATCH));
  }
}
