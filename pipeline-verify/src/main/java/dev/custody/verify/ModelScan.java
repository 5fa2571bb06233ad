package dev.custody.verify;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.custody.core.Reason;
import dev.custody.core.VerificationException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads every Java class name and every {@code Any} type out of a parsed model, without loading any
 * class. The walk is generic, by protobuf reflection over every set field of every message, so that
 * nested models (ensemble members), provenance, feature and output domains, transformers and
 * anything else inside an {@code Any} are all covered; it does not depend on which Tribuo message
 * holds what.
 *
 * <p>What counts as a class name, from the Tribuo 4.3.2 and OLCUT 5.3.1 schemas:
 *
 * <ul>
 *   <li>every string field named {@code class_name} or ending in {@code _class_name}: Tribuo's
 *       {@code class_name} and OLCUT's {@code provenance_class_name} are passed to {@code
 *       Class.forName}; OLCUT's {@code object_class_name} is only recorded, and is checked all the
 *       same;
 *   <li>the {@code additional} field of an OLCUT {@code SimpleProvenanceProto}, which holds the
 *       enum class of an {@code EnumProvenance} (loaded with {@code Class.forName}); only a {@code
 *       HashProvenance}'s {@code additional}, a hash-type constant, is exempt.
 * </ul>
 *
 * <p>Every {@code Any} is read with the schema of its type, found among {@link TribuoSchemas}, and
 * walked in turn; an {@code Any} whose type is not allowed is recorded and not opened. Fields the
 * schema does not know, and nesting deeper than the limit, make the model malformed.
 */
final class ModelScan {
  /** A name read from the model, and the field path where it was found. */
  record Found(String name, String path) {}

  static final String ANY = "google.protobuf.Any";
  static final String TYPE_URL_PREFIX = "type.googleapis.com/";
  private static final String SIMPLE_PROVENANCE = "olcut.SimpleProvenanceProto";
  private static final String HASH_PROVENANCE =
      "com.oracle.labs.mlrg.olcut.provenance.primitives.HashProvenance";

  private final ModelAllowList allow;
  private final int maxDepth;
  private final List<Found> classNames = new ArrayList<>();
  private final List<Found> protoTypes = new ArrayList<>();
  private final List<Found> unreadable = new ArrayList<>();

  private ModelScan(ModelAllowList allow, int maxDepth) {
    this.allow = allow;
    this.maxDepth = maxDepth;
  }

  /**
   * Walks {@code root} and everything inside it.
   *
   * @param allow decides which {@code Any} types are opened (others are recorded, not parsed)
   * @param maxDepth the deepest message nesting accepted, counted across {@code Any} boundaries
   * @throws VerificationException {@link Reason#MALFORMED} if a message has fields its schema does
   *     not define, an {@code Any} does not parse as its type, or nesting exceeds {@code maxDepth}
   */
  static ModelScan scan(Message root, ModelAllowList allow, int maxDepth)
      throws VerificationException {
    ModelScan scan = new ModelScan(allow, maxDepth);
    scan.walk(root, root.getDescriptorForType().getName(), 1);
    return scan;
  }

  /** Every class name, in the order found (depth first, by field number). */
  List<Found> classNames() {
    return Collections.unmodifiableList(classNames);
  }

  /** Every {@code Any} type (the full name, or the whole URL if it has no known prefix). */
  List<Found> protoTypes() {
    return Collections.unmodifiableList(protoTypes);
  }

  /** Allowed {@code Any} types whose schema is not on the classpath, so they could not be read. */
  List<Found> unreadable() {
    return Collections.unmodifiableList(unreadable);
  }

  private void walk(Message m, String path, int depth) throws VerificationException {
    if (depth > maxDepth) {
      throw new VerificationException(
          Reason.MALFORMED, "model nesting is deeper than " + maxDepth + " at " + path);
    }
    Descriptor type = m.getDescriptorForType();
    if (!m.getUnknownFields().asMap().isEmpty()) {
      throw new VerificationException(
          Reason.MALFORMED,
          "model has fields "
              + m.getUnknownFields().asMap().keySet()
              + " that "
              + type.getFullName()
              + " does not define, at "
              + path);
    }
    if (type.getFullName().equals(ANY)) {
      walkAny(m, path, depth);
      return;
    }
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      FieldDescriptor.JavaType kind = f.getJavaType();
      if (kind != FieldDescriptor.JavaType.MESSAGE
          && !(kind == FieldDescriptor.JavaType.STRING && holdsClassName(m, f))) {
        // Numbers, booleans, enums, bytes and other strings name no class: skipped before their
        // paths are built (a tree's repeated numbers would build one string per element).
        continue;
      }
      String fieldPath = path + "." + f.getName();
      if (f.isRepeated()) {
        List<?> values = (List<?>) e.getValue();
        for (int i = 0; i < values.size(); i++) {
          visit(f, values.get(i), fieldPath + "[" + i + "]", depth);
        }
      } else {
        visit(f, e.getValue(), fieldPath, depth);
      }
    }
  }

  private void visit(FieldDescriptor f, Object value, String path, int depth)
      throws VerificationException {
    switch (f.getJavaType()) {
      case MESSAGE -> walk((Message) value, path, depth + 1);
      case STRING -> classNames.add(new Found((String) value, path)); // a class name (walk)
      default -> throw new IllegalStateException("walk skips " + f.getFullName());
    }
  }

  private static boolean holdsClassName(Message host, FieldDescriptor f) {
    String name = f.getName();
    if (name.equals("class_name") || name.endsWith("_class_name")) {
      return true;
    }
    if (host.getDescriptorForType().getFullName().equals(SIMPLE_PROVENANCE)
        && name.equals("additional")) {
      FieldDescriptor provenance =
          host.getDescriptorForType().findFieldByName("provenance_class_name");
      return provenance == null || !HASH_PROVENANCE.equals(host.getField(provenance));
    }
    return false;
  }

  private void walkAny(Message any, String path, int depth) throws VerificationException {
    Descriptor type = any.getDescriptorForType();
    String url = (String) any.getField(type.findFieldByName("type_url"));
    ByteString value = (ByteString) any.getField(type.findFieldByName("value"));
    String fullName =
        url.startsWith(TYPE_URL_PREFIX) ? url.substring(TYPE_URL_PREFIX.length()) : url;
    String typePath = path + "{" + fullName + "}";
    protoTypes.add(new Found(fullName, typePath));
    if (!allow.allowsProtoType(fullName)) {
      return; // refused by the caller; never parsed
    }
    Optional<Descriptor> schema = TribuoSchemas.find(fullName);
    if (schema.isEmpty()) {
      unreadable.add(new Found(fullName, typePath));
      return;
    }
    DynamicMessage inner;
    try {
      CodedInputStream in = value.newCodedInput();
      in.setRecursionLimit(Math.max(1, maxDepth - depth));
      inner = DynamicMessage.newBuilder(schema.get()).mergeFrom(in).build();
      in.checkLastTagWas(0);
      if (!in.isAtEnd()) {
        throw new InvalidProtocolBufferException("trailing bytes");
      }
    } catch (IOException e) {
      throw new VerificationException(
          Reason.MALFORMED,
          "model's " + fullName + " at " + path + " does not parse: " + e.getMessage(),
          e);
    }
    walk(inner, typePath, depth + 1);
  }
}
