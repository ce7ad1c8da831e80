package io.switchboard.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.media.cluster.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Typed access to a request's params; a missing or wrong-typed value is INVALID_PARAMS naming the field. */
public record Params(ObjectNode node) {

  public String requiredString(String name) {
    return optionalString(name).orElseThrow(() -> missing(name, "a string"));
  }

  public Optional<String> optionalString(String name) {
    JsonNode v = present(name);
    if (v == null) return Optional.empty();
    if (!v.isTextual()) throw wrongType(name, "a string");
    return Optional.of(v.asText());
  }

  public Optional<Long> optionalLong(String name, long min, long max) {
    JsonNode v = present(name);
    if (v == null) return Optional.empty();
    if (!v.isIntegralNumber() || !v.canConvertToLong()) throw wrongType(name, "an integer");
    long value = v.asLong();
    if (value < min || value > max) {
      throw new ProtocolError(ErrorCode.INVALID_PARAMS, "\"" + name + "\" must be between " + min + " and " + max);
    }
    return Optional.of(value);
  }

  public Optional<Boolean> optionalBoolean(String name) {
    JsonNode v = present(name);
    if (v == null) return Optional.empty();
    if (!v.isBoolean()) throw wrongType(name, "true or false");
    return Optional.of(v.asBoolean());
  }

  /** A number (integer or decimal), range-checked. */
  public Optional<Double> optionalNumber(String name, double min, double max) {
    JsonNode v = present(name);
    if (v == null) return Optional.empty();
    if (!v.isNumber()) throw wrongType(name, "a number");
    double value = v.asDouble();
    if (!(value >= min && value <= max)) {
      throw new ProtocolError(ErrorCode.INVALID_PARAMS, "\"" + name + "\" must be between " + min + " and " + max);
    }
    return Optional.of(value);
  }

  public long requiredLong(String name, long min, long max) {
    return optionalLong(name, min, max).orElseThrow(() -> missing(name, "an integer"));
  }

  /** True when the field is present with the value null (which some parameters give a meaning of its own). */
  public boolean isNull(String name) {
    JsonNode v = node.get(name);
    return v != null && v.isNull();
  }

  /** Any JSON value, as given. */
  public Optional<JsonNode> optionalValue(String name) {
    return Optional.ofNullable(present(name));
  }

  /** An object whose values are all strings, e.g. HTTP headers. */
  public Map<String, String> optionalStringMap(String name) {
    JsonNode v = present(name);
    if (v == null) return Map.of();
    if (!v.isObject()) throw wrongType(name, "an object of strings");
    Map<String, String> out = new LinkedHashMap<>();
    v.fields().forEachRemaining(e -> {
      if (!e.getValue().isTextual()) throw wrongType(name + "." + e.getKey(), "a string");
      out.put(e.getKey(), e.getValue().asText());
    });
    return out;
  }

  /** An array of strings. */
  public Optional<java.util.List<String>> optionalStringList(String name) {
    JsonNode v = present(name);
    if (v == null) return Optional.empty();
    if (!v.isArray()) throw wrongType(name, "an array of strings");
    java.util.List<String> out = new java.util.ArrayList<>();
    for (JsonNode item : v) {
      if (!item.isTextual()) throw wrongType(name + "[]", "a string");
      out.add(item.asText());
    }
    return Optional.of(out);
  }

  private JsonNode present(String name) {
    JsonNode v = node.get(name);
    return v == null || v.isNull() ? null : v;
  }

  private static ProtocolError missing(String name, String type) {
    return new ProtocolError(ErrorCode.INVALID_PARAMS, "missing parameter \"" + name + "\" (" + type + ")");
  }

  private static ProtocolError wrongType(String name, String type) {
    return new ProtocolError(ErrorCode.INVALID_PARAMS, "parameter \"" + name + "\" must be " + type);
  }
}
