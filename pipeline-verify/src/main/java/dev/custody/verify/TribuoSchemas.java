package dev.custody.verify;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The protobuf schemas of the Tribuo (and OLCUT provenance) messages a model file can hold, so that
 * {@link ModelScan} can read inside every {@code Any}. The schemas come from the generated outer
 * classes named below, a fixed list in this file (never a name read from a model); modules absent
 * from the classpath are skipped, and a model that needs one is refused as unsupported.
 */
final class TribuoSchemas {
  /** Outer classes of the generated protobuf code in Tribuo 4.3.2 and OLCUT 5.3.1. */
  private static final List<String> OUTER_CLASSES =
      List.of(
          "org.tribuo.protos.core.TribuoCore",
          "org.tribuo.protos.core.TribuoCoreImpl",
          "org.tribuo.math.protos.TribuoMath",
          "org.tribuo.math.protos.TribuoMathImpl",
          "org.tribuo.classification.protos.TribuoClassificationCore",
          "org.tribuo.classification.sgd.protos.TribuoClassificationSgd",
          "org.tribuo.common.sgd.protos.TribuoSgd",
          "org.tribuo.common.tree.protos.TribuoTree",
          "com.oracle.labs.mlrg.olcut.config.protobuf.protos.OlcutProto");

  private static final Map<String, Descriptor> BY_FULL_NAME = load();

  private TribuoSchemas() {}

  /** The schema of the message type {@code fullName}, if its module is on the classpath. */
  static Optional<Descriptor> find(String fullName) {
    return Optional.ofNullable(BY_FULL_NAME.get(fullName));
  }

  private static Map<String, Descriptor> load() {
    Map<String, Descriptor> out = new HashMap<>();
    Set<String> seenFiles = new HashSet<>();
    Deque<FileDescriptor> files = new ArrayDeque<>();
    ClassLoader loader = TribuoSchemas.class.getClassLoader();
    for (String outer : OUTER_CLASSES) {
      try {
        Class<?> c = Class.forName(outer, true, loader);
        files.add((FileDescriptor) c.getMethod("getDescriptor").invoke(null));
      } catch (ClassNotFoundException e) {
        // That Tribuo module is not deployed: its model types cannot be read, and are refused.
      } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("not a generated protobuf outer class: " + outer, e);
      }
    }
    while (!files.isEmpty()) {
      FileDescriptor file = files.pop();
      if (!seenFiles.add(file.getFullName())) {
        continue;
      }
      files.addAll(file.getDependencies());
      Deque<Descriptor> types = new ArrayDeque<>(file.getMessageTypes());
      while (!types.isEmpty()) {
        Descriptor type = types.pop();
        out.put(type.getFullName(), type);
        types.addAll(type.getNestedTypes());
      }
    }
    return Collections.unmodifiableMap(out);
  }
}
