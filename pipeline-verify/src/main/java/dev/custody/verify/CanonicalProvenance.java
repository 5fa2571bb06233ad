package dev.custody.verify;

import com.oracle.labs.mlrg.olcut.config.protobuf.protos.ListProvenanceProto;
import com.oracle.labs.mlrg.olcut.config.protobuf.protos.MapProvenanceProto;
import com.oracle.labs.mlrg.olcut.config.protobuf.protos.ObjectProvenanceProto;
import com.oracle.labs.mlrg.olcut.config.protobuf.protos.RootProvenanceProto;
import com.oracle.labs.mlrg.olcut.config.protobuf.protos.SimpleProvenanceProto;
import dev.custody.core.Reason;
import dev.custody.core.VerificationException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Puts an OLCUT provenance graph ({@code olcut.RootProvenanceProto}) in a canonical form.
 *
 * <p>OLCUT flattens provenance into numbered nodes: objects ({@code omp}) whose fields point by
 * index at simple values ({@code smp}), maps ({@code mmp}) and lists ({@code lmp}); a simple value
 * marked as a reference names another object ({@code "mutabledataset-1"}). The numbering and the
 * object names follow the iteration order of provenance maps, which is not stable: a model reloaded
 * and serialized again numbers the same provenance differently. This class renumbers the graph the
 * way OLCUT builds it, but in an order fixed by the content alone: objects breadth first from the
 * root (the first object, as OLCUT reads it), the fields of each object and map by key, list items
 * in order; each object is renamed {@code <prefix>-<position>}. The result is a valid {@code
 * RootProvenanceProto} with the same content.
 *
 * <p>Input that is not a well-formed graph (index collisions, dangling indices or references, nodes
 * unreachable from the root, one value node under two parents, nesting deeper than {@value
 * #MAX_NESTING}) is refused as {@link Reason#MALFORMED}.
 */
final class CanonicalProvenance {
  static final int MAX_NESTING = 64;

  private final Map<Integer, ObjectProvenanceProto> objects = new HashMap<>();
  private final Map<Integer, SimpleProvenanceProto> simples = new HashMap<>();
  private final Map<Integer, MapProvenanceProto> maps = new HashMap<>();
  private final Map<Integer, ListProvenanceProto> lists = new HashMap<>();
  private final Map<String, ObjectProvenanceProto> objectsByName = new HashMap<>();

  /** Old object name to new, in the order objects are numbered (breadth first). */
  private final Map<String, String> renamed = new LinkedHashMap<>();

  private final Queue<ObjectProvenanceProto> queue = new ArrayDeque<>();
  private final RootProvenanceProto.Builder out = RootProvenanceProto.newBuilder();
  private final Set<Integer> claimed = new HashSet<>();
  private final Set<Integer> visited = new HashSet<>();
  private int nextIndex;

  private CanonicalProvenance() {}

  static RootProvenanceProto canonical(RootProvenanceProto root) throws VerificationException {
    if (root.getOmpCount() == 0) {
      if (root.getSmpCount() + root.getMmpCount() + root.getLmpCount() > 0) {
        throw malformed("values without any object");
      }
      return root;
    }
    return new CanonicalProvenance().run(root);
  }

  private RootProvenanceProto run(RootProvenanceProto root) throws VerificationException {
    for (ObjectProvenanceProto p : root.getOmpList()) {
      claim(p.getIndex());
      objects.put(p.getIndex(), p);
      if (objectsByName.put(p.getObjectName(), p) != null) {
        throw malformed("two objects named '" + p.getObjectName() + "'");
      }
    }
    for (SimpleProvenanceProto p : root.getSmpList()) {
      claim(p.getIndex());
      simples.put(p.getIndex(), p);
    }
    for (MapProvenanceProto p : root.getMmpList()) {
      claim(p.getIndex());
      maps.put(p.getIndex(), p);
    }
    for (ListProvenanceProto p : root.getLmpList()) {
      claim(p.getIndex());
      lists.put(p.getIndex(), p);
    }
    enqueue(root.getOmp(0).getObjectName());
    while (!queue.isEmpty()) {
      ObjectProvenanceProto p = queue.poll();
      ObjectProvenanceProto.Builder b =
          p.toBuilder()
              .clearValues()
              .setIndex(nextIndex++)
              .setObjectName(renamed.get(p.getObjectName()));
      for (Map.Entry<String, Integer> e : new TreeMap<>(p.getValuesMap()).entrySet()) {
        b.putValues(e.getKey(), value(e.getValue(), 1));
      }
      out.addOmp(b);
    }
    if (renamed.size() != objects.size()) {
      throw malformed((objects.size() - renamed.size()) + " objects unreachable from the root");
    }
    int values = simples.size() + maps.size() + lists.size();
    if (visited.size() != values) {
      throw malformed((values - visited.size()) + " values unreachable from the root");
    }
    return out.build();
  }

  /** Numbers the value subtree at {@code index} and returns its new index. */
  private int value(int index, int depth) throws VerificationException {
    if (depth > MAX_NESTING) {
      throw malformed("values nested more than " + MAX_NESTING + " deep");
    }
    SimpleProvenanceProto s = simples.get(index);
    MapProvenanceProto m = maps.get(index);
    ListProvenanceProto l = lists.get(index);
    if (s == null && m == null && l == null) {
      throw malformed("index " + index + " is no value");
    }
    if (!visited.add(index)) {
      throw malformed("value " + index + " has two parents");
    }
    int mine = nextIndex++;
    if (s != null) {
      SimpleProvenanceProto.Builder b = s.toBuilder().setIndex(mine);
      if (s.getIsReference()) {
        b.setValue(enqueue(s.getValue()));
      }
      out.addSmp(b);
    } else if (m != null) {
      MapProvenanceProto.Builder b = m.toBuilder().clearValues().setIndex(mine);
      for (Map.Entry<String, Integer> e : new TreeMap<>(m.getValuesMap()).entrySet()) {
        b.putValues(e.getKey(), value(e.getValue(), depth + 1));
      }
      out.addMmp(b);
    } else {
      ListProvenanceProto.Builder b = l.toBuilder().clearValues().setIndex(mine);
      for (int item : l.getValuesList()) {
        b.addValues(value(item, depth + 1));
      }
      out.addLmp(b);
    }
    return mine;
  }

  private void claim(int index) throws VerificationException {
    if (!claimed.add(index)) {
      throw malformed("index " + index + " used twice");
    }
  }

  /** The new name of the object named {@code name}, numbering and queueing it on first sight. */
  private String enqueue(String name) throws VerificationException {
    String known = renamed.get(name);
    if (known != null) {
      return known;
    }
    ObjectProvenanceProto p = objectsByName.get(name);
    if (p == null) {
      throw malformed("reference to no object: '" + name + "'");
    }
    int dash = name.lastIndexOf('-');
    String prefix = dash < 0 ? name : name.substring(0, dash);
    String fresh = prefix + "-" + renamed.size();
    renamed.put(name, fresh);
    queue.add(p);
    return fresh;
  }

  private static VerificationException malformed(String what) {
    return new VerificationException(Reason.MALFORMED, "model provenance is malformed: " + what);
  }
}
