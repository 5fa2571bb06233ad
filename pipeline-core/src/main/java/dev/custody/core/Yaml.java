package dev.custody.core;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Strict YAML binding for Custody's own files (pipeline specs, trust policies): unknown keys,
 * duplicate keys, wrong types and missing required fields are errors that name the file, the key
 * path, the line and the column.
 */
public final class Yaml {
  private static final long MAX_BYTES = 1 << 20;

  private static final ObjectMapper MAPPER =
      YAMLMapper.builder(YAMLFactory.builder().build())
          .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  private Yaml() {}

  /**
   * Reads {@code file} into {@code type} (usually a record whose compact constructor validates).
   *
   * @throws PipelineException with {@code reason} and a {@code file:line:column: what} message
   */
  public static <T> T read(Path file, Class<T> type, Reason reason) throws IOException, PipelineException {
    long size = Files.size(file);
    if (size > MAX_BYTES) {
      throw new PipelineException(reason, file + ": expected at most " + MAX_BYTES + " bytes, found " + size);
    }
    byte[] bytes = Files.readAllBytes(file);
    try {
      T value = MAPPER.readValue(bytes, type);
      if (value == null) {
        throw new PipelineException(reason, file + ": the file is empty");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new PipelineException(reason, describe(file, e, bytes), e);
    }
  }

  /** Where the key at {@code path} starts, or null if the path cannot be followed. */
  static JsonLocation keyLocation(byte[] yaml, List<JsonMappingException.Reference> path) {
    try (JsonParser p = MAPPER.getFactory().createParser(yaml)) {
      JsonToken t = p.nextToken();
      for (int i = 0; i < path.size(); i++) {
        JsonMappingException.Reference r = path.get(i);
        boolean last = i == path.size() - 1;
        if (r.getFieldName() != null) {
          if (t != JsonToken.START_OBJECT) {
            return null;
          }
          boolean found = false;
          while (!found && (t = p.nextToken()) == JsonToken.FIELD_NAME) {
            if (r.getFieldName().equals(p.currentName())) {
              if (last) {
                return p.currentTokenLocation();
              }
              found = true;
            } else {
              p.nextToken();
              p.skipChildren();
            }
          }
          if (!found) {
            return null;
          }
          t = p.nextToken();
        } else {
          if (t != JsonToken.START_ARRAY || last) {
            return null;
          }
          for (int k = 0; k < r.getIndex(); k++) {
            p.nextToken();
            p.skipChildren();
          }
          t = p.nextToken();
        }
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static String describe(Path file, JsonProcessingException e) {
    return describe(file, e, null);
  }

  static String describe(Path file, JsonProcessingException e, byte[] bytes) {
    JsonLocation loc = e.getLocation();
    if (e instanceof UnrecognizedPropertyException u && bytes != null) {
      // Jackson reports where the enclosing mapping ended; point at the unknown key itself.
      JsonLocation key = keyLocation(bytes, u.getPath());
      loc = key != null ? key : loc;
    }
    String where = file + (loc == null ? "" : ":" + loc.getLineNr() + ":" + loc.getColumnNr());
    String path = "";
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      path =
          m.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(Collectors.joining(".")).replace(".[", "[");
    }
    String what;
    if (e instanceof UnrecognizedPropertyException u) {
      what =
          "unknown key '" + u.getPropertyName() + "'"
              + (u.getKnownPropertyIds() == null || u.getKnownPropertyIds().isEmpty()
                  ? ""
                  : " (expected one of " + u.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                      .collect(Collectors.joining(", ")) + ")");
    } else if (e instanceof InvalidFormatException f) {
      what = "expected " + simpleType(f.getTargetType()) + ", found '" + f.getValue() + "'";
    } else if (e instanceof ValueInstantiationException v && v.getCause() != null) {
      what = v.getCause().getMessage();
    } else if (e instanceof MismatchedInputException m) {
      what = "expected " + simpleType(m.getTargetType()) + ": " + e.getOriginalMessage().split("\n")[0];
    } else {
      what = e.getOriginalMessage().split("\n")[0];
    }
    return where + ": " + (path.isEmpty() ? "" : path + ": ") + what;
  }

  private static String simpleType(Class<?> t) {
    if (t == null) {
      return "a value";
    }
    if (t == Integer.class || t == int.class || t == Long.class || t == long.class) {
      return "an integer";
    }
    if (t == Double.class || t == double.class) {
      return "a number";
    }
    if (t == Boolean.class || t == boolean.class) {
      return "true or false";
    }
    if (t == String.class) {
      return "a string";
    }
    if (java.util.List.class.isAssignableFrom(t)) {
      return "a list";
    }
    if (java.util.Map.class.isAssignableFrom(t) || t.isRecord()) {
      return "a mapping";
    }
    return t.getSimpleName();
  }
}
