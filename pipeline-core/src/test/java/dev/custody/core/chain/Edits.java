package dev.custody.core.chain;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.core.Statement;
import java.util.List;
import java.util.function.Consumer;

/** One change to a record's JSON, named for the test that applies it. */
record Edits(String name, Consumer<ObjectNode> change) {
  static final JsonNodeFactory F = JsonNodeFactory.instance;

  @Override
  public String toString() {
    return name;
  }

  /** Sets the field at {@code pointer} (its parent must exist) to {@code value}. */
  static Edits put(String name, String pointer, JsonNode value) {
    return new Edits(
        name,
        root -> {
          JsonPointer p = JsonPointer.compile(pointer);
          JsonNode parent = root.at(p.head());
          if (parent instanceof ArrayNode a) {
            a.set(Integer.parseInt(p.last().getMatchingProperty()), value);
          } else {
            ((ObjectNode) parent).set(p.last().getMatchingProperty(), value);
          }
        });
  }

  /** Removes the field at {@code pointer}. */
  static Edits remove(String name, String pointer) {
    return new Edits(
        name,
        root -> {
          JsonPointer p = JsonPointer.compile(pointer);
          JsonNode parent = root.at(p.head());
          if (parent instanceof ArrayNode a) {
            a.remove(Integer.parseInt(p.last().getMatchingProperty()));
          } else {
            ((ObjectNode) parent).remove(p.last().getMatchingProperty());
          }
        });
  }

  /** Appends a copy of the array element at {@code pointer} to its array. */
  static Edits duplicate(String name, String pointer) {
    return new Edits(
        name,
        root -> {
          JsonPointer p = JsonPointer.compile(pointer);
          ((ArrayNode) root.at(p.head())).add(root.at(p).deepCopy());
        });
  }

  /** The statement with this change applied to its predicate. */
  Statement applyTo(Statement st) {
    ObjectNode p = (ObjectNode) st.predicate();
    change.accept(p);
    return new Statement(st.subjects(), st.predicateType(), p);
  }

  /** The statement with another predicate type. */
  static Statement retyped(Statement st, String type) {
    return new Statement(st.subjects(), type, st.predicate());
  }

  /** The statement with another subject. */
  static Statement resubjected(Statement st, Statement.Subject subject) {
    return new Statement(List.of(subject), st.predicateType(), st.predicate());
  }
}
