package dev.custody.train.fit;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.oracle.labs.mlrg.olcut.config.protobuf.protos.RootProvenanceProto;
import dev.custody.core.PipelineException;
import dev.custody.core.Reason;
import dev.custody.core.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.tribuo.Model;
import org.tribuo.classification.protos.TribuoClassificationCore;
import org.tribuo.classification.sgd.protos.TribuoClassificationSgd;
import org.tribuo.common.sgd.protos.TribuoCommonSgd;
import org.tribuo.common.sgd.protos.TribuoSgd;
import org.tribuo.common.tree.protos.TribuoTree;
import org.tribuo.math.protos.TribuoMath;
import org.tribuo.math.protos.TribuoMathImpl;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.protos.core.TribuoCore;
import org.tribuo.protos.core.TribuoCoreImpl;

/**
 * A model's exported bytes, and its <em>content digest</em>: the SHA-256 of what the model is,
 * without when, where and on which JVM it was trained.
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
 * The digest is the SHA-256 of the canonical {@code ModelProto}'s bytes. It is computed from
 * protobuf alone: {@link #digest(byte[])} loads no class named in the model, so it is safe on bytes
 * that have not been verified. A model holding a message type outside Tribuo's core,
 * classification, tree, SGD and math protos is refused.
 */
public final class ModelContent {
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
  private static final int MAX_ANY_DEPTH = 32;

  private static final Map<String, Descriptor> TYPES = knownTypes();

  private static final Comparator<Message> MAP_KEY_ORDER =
      (a, b) -> compareKeys(mapKey(a), mapKey(b));

  private ModelContent() {}

  /**
   * The model in Tribuo's protobuf format ({@code ModelProto}): the bytes Custody exports and
   * signs, and that {@code dev.custody.verify}'s safe loader deserializes.
   *
   * @throws IllegalStateException if the default locale is Turkish or Azeri, in which Tribuo 4.3.2
   *     cannot serialize a model
   */
  public static byte[] protobufBytes(Model<?> model) {
    String language = Locale.getDefault().getLanguage();
    if (language.equals("tr") || language.equals("az")) {
      // ProtoUtil.findMethod upper-cases field names with the default locale: "info" becomes
      // "İnfo" and serialization fails with "Unable to find method addAllİnfo".
      throw new IllegalStateException(
          "Tribuo 4.3.2 cannot serialize models when the default locale's language is '"
              + language
              + "'; run the JVM with -Duser.language=en (or call Locale.setDefault first)");
    }
    return model.serialize().toByteArray();
  }

  /**
   * The content digest of a model in memory: that of its {@link #protobufBytes}.
   *
   * @throws PipelineException with {@link Reason#UNSUPPORTED} if the model holds a message type
   *     Custody does not know
   */
  public static Sha256 digest(Model<?> model) throws PipelineException {
    return digest(protobufBytes(model));
  }

  /**
   * The content digest of a model in Tribuo's protobuf format, without deserializing it.
   *
   * @throws PipelineException with {@link Reason#MALFORMED} if the bytes are not a well-formed
   *     {@code ModelProto} (or nest too deeply), {@link Reason#UNSUPPORTED} if they hold a message
   *     type Custody does not know
   */
  public static Sha256 digest(byte[] protobufBytes) throws PipelineException {
    return Sha256.of(canonicalBytes(protobufBytes));
  }

  /** The canonical form of a {@code ModelProto}, whose SHA-256 is the content digest. */
  static byte[] canonicalBytes(byte[] protobufBytes) throws PipelineException {
    DynamicMessage model = parse(ModelProto.getDescriptor(), ByteString.copyFrom(protobufBytes));
    return deterministicBytes(canonical(model, 0));
  }

  private static Message canonical(Message input, int depth) throws PipelineException {
    Descriptor type = input.getDescriptorForType();
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

  private static Message canonicalField(Message value, int depth) throws PipelineException {
    Descriptor type = value.getDescriptorForType();
    if (!type.getFullName().equals(ANY)) {
      return canonical(value, depth);
    }
    if (depth >= MAX_ANY_DEPTH) {
      throw new PipelineException(
          Reason.MALFORMED, "model nests more than " + MAX_ANY_DEPTH + " Any messages");
    }
    FieldDescriptor typeUrlField = type.findFieldByName("type_url");
    FieldDescriptor valueField = type.findFieldByName("value");
    String typeUrl = (String) value.getField(typeUrlField);
    String typeName = typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
    Descriptor inner = TYPES.get(typeName);
    if (inner == null) {
      throw new PipelineException(
          Reason.UNSUPPORTED,
          "model holds message type '" + typeName + "', which Custody does not know");
    }
    Message unpacked = canonical(parse(inner, (ByteString) value.getField(valueField)), depth + 1);
    return DynamicMessage.newBuilder(type)
        .setField(typeUrlField, typeUrl)
        .setField(valueField, ByteString.copyFrom(deterministicBytes(unpacked)))
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

  private static DynamicMessage parse(Descriptor type, ByteString bytes) throws PipelineException {
    try {
      return DynamicMessage.parseFrom(type, bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new PipelineException(
          Reason.MALFORMED, "not a well-formed " + type.getFullName() + ": " + e.getMessage(), e);
    }
  }

  private static RootProvenanceProto parseRootProvenance(ByteString bytes)
      throws PipelineException {
    try {
      return RootProvenanceProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new PipelineException(
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

  /** Every message type of Tribuo's protos for the models Custody trains, by full name. */
  private static Map<String, Descriptor> knownTypes() {
    Map<String, Descriptor> out = new HashMap<>();
    for (FileDescriptor file :
        List.of(
            TribuoCore.getDescriptor(),
            TribuoCoreImpl.getDescriptor(),
            TribuoMath.getDescriptor(),
            TribuoMathImpl.getDescriptor(),
            TribuoClassificationCore.getDescriptor(),
            TribuoTree.getDescriptor(),
            TribuoSgd.getDescriptor(),
            TribuoCommonSgd.getDescriptor(),
            TribuoClassificationSgd.getDescriptor())) {
      addTypes(file, out);
    }
    return Map.copyOf(out);
  }

  private static void addTypes(FileDescriptor file, Map<String, Descriptor> out) {
    for (Descriptor d : file.getMessageTypes()) {
      addType(d, out);
    }
    for (FileDescriptor dependency : file.getDependencies()) {
      addTypes(dependency, out);
    }
  }

  private static void addType(Descriptor d, Map<String, Descriptor> out) {
    out.put(d.getFullName(), d);
    for (Descriptor nested : d.getNestedTypes()) {
      addType(nested, out);
    }
  }
}
