package dev.custody.examples;

import dev.custody.core.AtomicFiles;
import dev.custody.core.BundleSigner;
import dev.custody.core.KeyBundleVerifier;
import dev.custody.core.SigningKey;
import dev.custody.core.VerificationException;
import dev.custody.verify.ClasspathLock;
import dev.custody.verify.DeserializationFilter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Seed 001, a tampered dependency (OWASP ML06), at run time. Three real jars of this JVM's
 * classpath are copied into a lib directory and pinned by a signed {@link ClasspathLock}; then one
 * byte of one jar is altered, and, separately, a different jar is put in place under the same name.
 * Each time {@link ClasspathLock#requireMatch} refuses with {@code DEPENDENCY_MISMATCH} naming the
 * jar, with its locked and found digests. The build-time half (a dependency altered in the local
 * Maven repository fails the build) is {@code scripts/check-tampered-dependency}.
 *
 * <p>Usage: {@code Seed001TamperedDependency [PROJECT_ROOT [WORK_DIR]]}
 */
public final class Seed001TamperedDependency {
  private Seed001TamperedDependency() {}

  /** The jars the demo pins, by file-name prefix: small, and on every Custody classpath. */
  static final List<String> PINNED = List.of("commons-codec-", "gson-", "snakeyaml-");

  /** What the demo measured. */
  public record Result(
      Map<String, String> locked,
      String alteredJar,
      VerificationException altered,
      String swappedJar,
      String swappedIn,
      VerificationException swapped) {}

  public static void main(String[] args) throws Exception {
    DeserializationFilter.install(); // first thing: before anything creates an ObjectInputStream
    run(Demos.work(args, "seed001-"), System.out);
  }

  /** Runs the demo in {@code work}, printing each step to {@code out}. */
  public static Result run(Path work, PrintStream out) throws Exception {
    out.println(
        "== seed 001: a tampered dependency (run-time half; build-time half: scripts/check-tampered-dependency)");
    Path lib = Files.createDirectories(work.resolve("lib"));
    List<Path> jars = new ArrayList<>();
    for (String prefix : PINNED) {
      Path jar =
          ClasspathLock.runningClasspathEntries().stream()
              .filter(
                  p ->
                      p.getFileName().toString().startsWith(prefix)
                          && p.getFileName().toString().endsWith(".jar"))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalStateException("no " + prefix + "*.jar on the classpath"));
      jars.add(
          Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING));
    }

    SigningKey key = SigningKey.generate();
    Path lockFile = work.resolve("deps.lock.sigstore.json");
    ClasspathLock lock = ClasspathLock.of(jars);
    AtomicFiles.write(lockFile, BundleSigner.create(key).signStatement(lock.toStatement()));
    out.println("signed lock " + lockFile.getFileName() + ":");
    lock.jars().forEach((name, digest) -> out.println("  " + name + "  " + digest));

    KeyBundleVerifier verifier = KeyBundleVerifier.builder().trust(key.publicKey()).build();
    ClasspathLock signed =
        ClasspathLock.fromStatement(
            verifier.verifyStatement(Files.readAllBytes(lockFile)).statement());
    signed.requireMatch(ClasspathLock.of(jars));
    out.println("untouched lib/: matches the signed lock (" + signed.jars().size() + " jars)");

    // The attack, once: one byte of one jar altered.
    Path victim = jars.get(0);
    byte[] original = Files.readAllBytes(victim);
    byte[] altered = original.clone();
    altered[altered.length / 2] ^= 0x01;
    Files.write(victim, altered);
    out.println(
        "attacker: one byte of "
            + victim.getFileName()
            + " altered (offset "
            + altered.length / 2
            + " of "
            + altered.length
            + ")");
    VerificationException byte1 = refusal(signed, jars);
    out.println("refused: " + byte1.reason() + ": " + byte1.getMessage());
    Files.write(victim, original);

    // Twice: a different jar under the same name.
    Path swappedJar = jars.get(1);
    Path other = jars.get(2);
    Files.copy(other, swappedJar, StandardCopyOption.REPLACE_EXISTING);
    out.println(
        "attacker: "
            + swappedJar.getFileName()
            + " replaced by the bytes of "
            + other.getFileName());
    VerificationException swap = refusal(signed, jars);
    out.println("refused: " + swap.reason() + ": " + swap.getMessage());

    Map<String, String> locked = new java.util.TreeMap<>();
    signed.jars().forEach((n, d) -> locked.put(n, d.toString()));
    return new Result(
        locked,
        victim.getFileName().toString(),
        byte1,
        swappedJar.getFileName().toString(),
        other.getFileName().toString(),
        swap);
  }

  private static VerificationException refusal(ClasspathLock signed, List<Path> jars)
      throws IOException {
    try {
      signed.requireMatch(ClasspathLock.of(jars));
    } catch (VerificationException e) {
      return e;
    }
    throw new IllegalStateException("a tampered jar matched the signed lock");
  }
}
