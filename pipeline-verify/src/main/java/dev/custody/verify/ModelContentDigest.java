package dev.custody.verify;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import com.oracle.labs.mlrg.olcut.config.protobuf.protos.RootProvenanceProto;
import dev.custody.core.Printable;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import dev.custody.core.VerificationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.tribuo.protos.core.ModelProto;

/**
 * A model's <em>content digest</em>: the SHA-256 of what the model is, without when, where and on
 * which JVM it was trained. Training writes it into the card and the provenance, reproduction
 * compares re-runs with it, and the chain verifier recomputes it from the verified {@code
 * model.tribuo} bytes, so that no signed record can claim a content the model does not have.
 *
 * <p>Tribuo writes volatile facts into a model's provenance, so two trainings on the same rows with
 * the same spec give different bytes. The content digest is defined over the model's protobuf form
 * ({@code tribuo.core.ModelProto}) made canonical:
 *
 * <ol>
 *   <li>every {@code google.protobuf.Any} (Tribuo nests each model, domain, node and transformer in
 *       one) is unpacked by its type name, made canonical in turn, and packed again with its type
 *       URL unchanged;
 *   <li>in every OLCUT provenance entry ({@code olcut.SimpleProvenanceProto}) that is volatile, the
 *       {@code value} is cleared and its key and class are kept. Volatile entries are those of
 *       class {@code DateTimeProvenance}, {@code DateProvenance} or {@code TimeProvenance}
 *       (training and data-source timestamps, file modification times), {@code FileProvenance} or
 *       {@code URLProvenance} (absolute paths and URLs on the training machine), and those keyed
 *       {@code java-version}, {@code os-name} or {@code os-arch} (the JVM and OS that trained).
 *       Everything else stays, the Tribuo version, trainer parameters and seeds included;
 *   <li>every provenance graph ({@code olcut.RootProvenanceProto}) is renumbered in an order fixed
 *       by its content (see {@link CanonicalProvenance}): OLCUT numbers it in the iteration order
 *       of hash maps, so a reloaded model would otherwise serialize to a different digest;
 *   <li>map entries are sorted by key, other fields keep their order, unknown fields are kept;
 *   <li>every message is written with protobuf's deterministic serialization.
 * </ol>
 *
 * The digest is the SHA-256 of the canonical {@code ModelProto}'s bytes.
 *
 * <h3>Security guarantees</h3>
 *
 * It is computed from protobuf alone, with the schemas of {@link TribuoSchemas} (a fixed list of
 * Tribuo and OLCUT generated classes, never a name read from the model): no class the model names
 * is loaded, so it is safe on bytes that have not been verified. A model holding a message type
 * outside those schemas is refused, as is nesting deeper than {@value #MAX_ANY_DEPTH} {@code Any}
 * messages.
 */
public final class ModelContentDigest {
  private static final String ANY = "google.protobuf.Any";
  private static final String ROOT_PROVENANCE = "olcut.RootProvenanceProto";
  private static final String SIMPLE_PROVENANCE = "olcut.SimpleProvenanceProto";
  private static final String OLCUT_PRIMITIVES =
      "com.oracle.labs.mlrg.olcut.provenance.primitives.";
  private static final Set<String> VOLATILE_CLASSES =
      Set.of(
          OLCUT_PRIMITIVES + "DateTimeProvenance",
          OLCUT_PRIMITIVES + "DateProvenance",
          OLCUT_PRIMITIVES + "TimeProvenance",
          OLCUT_PRIMITIVES + "FileProvenance",
          OLCUT_PRIMITIVES + "URLProvenance");
  // ModelProvenance's JAVA_VERSION_STRING, OS_STRING and ARCH_STRING (protected in Tribuo).
  private static final Set<String> VOLATILE_KEYS = Set.of("java-version", "os-name", "os-arch");

  /** Deepest nesting of Any messages accepted; a forest's leaf labels sit 4 deep in Tribuo. */
  static final int MAX_ANY_DEPTH = 32;

  private static final Comparator<Message> MAP_KEY_ORDER =
      (a, b) -> compareKeys(mapKey(a), mapKey(b));

  /** Whether a message type has no message-typed field, by type (the schemas are fixed). */
  private static final Map<Descriptor, Boolean> LEAF_TYPES = new ConcurrentHashMap<>();

  private ModelContentDigest() {}

  /**
   * The content digest of a model in Tribuo's protobuf format, without deserializing it.
   *
   * @param protobufBytes a serialized {@code tribuo.core.ModelProto}
   * @return the SHA-256 of its canonical form
   * @throws VerificationException {@link Reason#MALFORMED} if the bytes are not a well-formed
   *     {@code ModelProto} (or nest too deeply), {@link Reason#UNSUPPORTED} if they hold a message
   *     type Custody does not know
   */
  public static Sha256 of(byte[] protobufBytes) throws VerificationException {
    return Sha256.of(canonicalBytes(protobufBytes));
  }

  /**
   * The canonical form of a serialized {@code ModelProto}, whose SHA-256 is the content digest.
   *
   * @param protobufBytes a serialized {@code tribuo.core.ModelProto}
   * @return the canonical bytes
   * @throws VerificationException as {@link #of(byte[])}
   */
  public static byte[] canonicalBytes(byte[] protobufBytes) throws VerificationException {
    // Wrapped, not copied: a model may be 256 MiB, and the parser only reads the array.
    DynamicMessage model =
        parse(ModelProto.getDescriptor(), UnsafeByteOperations.unsafeWrap(protobufBytes));
    return deterministicBytes(canonical(model, 0));
  }

  private static Message canonical(Message input, int depth) throws VerificationException {
    Descriptor type = input.getDescriptorForType();
    if (isLeaf(type) && !type.getFullName().equals(SIMPLE_PROVENANCE)) {
      // No Any, map or provenance inside: the copy below would equal the input (a model's feature
      // map holds one such message per feature).
      return input;
    }
    Message message = input;
    if (type.getFullName().equals(ROOT_PROVENANCE)) {
      RootProvenanceProto graph =
          CanonicalProvenance.canonical(parseRootProvenance(input.toByteString()));
      message = parse(type, graph.toByteString());
    }
    DynamicMessage.Builder out = DynamicMessage.newBuilder(type);
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      Object value = e.getValue();
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        out.setField(field, value);
      } else if (field.isRepeated()) {
        List<Message> items = new ArrayList<>();
        for (Object item : (List<?>) value) {
          items.add(canonicalField((Message) item, depth));
        }
        if (field.isMapField()) {
          items.sort(MAP_KEY_ORDER);
        }
        for (Message item : items) {
          out.addRepeatedField(field, item);
        }
      } else {
        out.setField(field, canonicalField((Message) value, depth));
      }
    }
    out.setUnknownFields(message.getUnknownFields());
    if (type.getFullName().equals(SIMPLE_PROVENANCE) && isVolatile(message)) {
      out.clearField(type.findFieldByName("value"));
    }
    return out.build();
  }

  private static boolean isLeaf(Descriptor type) {
    return LEAF_TYPES.computeIfAbsent(
        type,
        t -> {
          for (FieldDescriptor f : t.getFields()) {
            if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
              return false;
            }
          }
          return true;
        });
  }

  private static Message canonicalField(Message value, int depth) throws VerificationException {
    Descriptor type = value.getDescriptorForType();
    if (!type.getFullName().equals(ANY)) {
      return canonical(value, depth);
    }
    if (depth >= MAX_ANY_DEPTH) {
      throw new VerificationException(
          Reason.MALFORMED, "model nests more than " + MAX_ANY_DEPTH + " Any messages");
    }
    FieldDescriptor typeUrlField = type.findFieldByName("type_url");
    FieldDescriptor valueField = type.findFieldByName("value");
    String typeUrl = (String) value.getField(typeUrlField);
    String typeName = typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
    Optional<Descriptor> inner = TribuoSchemas.find(typeName);
    if (inner.isEmpty()) {
      throw new VerificationException(
          Reason.UNSUPPORTED,
          "model holds message type '"
              + Printable.of(typeName, 200)
              + "', which Custody does not know");
    }
    Message unpacked =
        canonical(parse(inner.get(), (ByteString) value.getField(valueField)), depth + 1);
    return DynamicMessage.newBuilder(type)
        .setField(typeUrlField, typeUrl)
        .setField(valueField, UnsafeByteOperations.unsafeWrap(deterministicBytes(unpacked)))
        .setUnknownFields(value.getUnknownFields())
        .build();
  }

  private static boolean isVolatile(Message simpleProvenance) {
    Descriptor type = simpleProvenance.getDescriptorForType();
    String key = (String) simpleProvenance.getField(type.findFieldByName("key"));
    String className =
        (String) simpleProvenance.getField(type.findFieldByName("provenance_class_name"));
    return VOLATILE_KEYS.contains(key) || VOLATILE_CLASSES.contains(className);
  }

  private static Object mapKey(Message entry) {
    return entry.getField(entry.getDescriptorForType().findFieldByNumber(1));
  }

  @SuppressWarnings("unchecked")
  private static int compareKeys(Object a, Object b) {
    // Map keys are strings, integers or booleans, each Comparable with its own kind.
    return ((Comparable<Object>) a).compareTo(b);
  }

  private static DynamicMessage parse(Descriptor type, ByteString bytes)
      throws VerificationException {
    try {
      return DynamicMessage.parseFrom(type, bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new VerificationException(
          Reason.MALFORMED, "not a well-formed " + type.getFullName() + ": " + e.getMessage(), e);
    }
  }

  private static RootProvenanceProto parseRootProvenance(ByteString bytes)
      throws VerificationException {
    try {
      return RootProvenanceProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new VerificationException(
          Reason.MALFORMED, "not a well-formed provenance: " + e.getMessage(), e);
    }
  }

  private static byte[] deterministicBytes(Message message) {
    byte[] out = new byte[message.getSerializedSize()];
    CodedOutputStream stream = CodedOutputStream.newInstance(out);
    stream.useDeterministicSerialization();
    try {
      message.writeTo(stream);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing into an array of the exact size cannot fail
    }
    stream.checkNoSpaceLeft();
    return out;
  }
}
