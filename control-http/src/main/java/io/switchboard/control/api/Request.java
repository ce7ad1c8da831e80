package io.switchboard.control.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.media.cluster.ErrorCode;

/**
 * One control request {@code {"id","method","params"}}. {@link #parse} refuses anything else with the
 * error a client can act on: PARSE_ERROR for text that is not JSON, INVALID_REQUEST for JSON that is
 * not a request, INVALID_PARAMS for params that are not an object.
 */
public record Request(JsonNode id, String method, Params params) {

  /** A request that failed to parse, with the id it carried (JSON null when none could be read). */
  public static final class Invalid extends RuntimeException {
    public final JsonNode id;
    public final ProtocolError error;

    Invalid(JsonNode id, ProtocolError error) {
      super(error.getMessage(), null, false, false);
      this.id = id;
      this.error = error;
    }
  }

  public static Request parse(String text) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new Invalid(NullNode.instance, new ProtocolError(ErrorCode.PARSE_ERROR, "not valid JSON: " + e.getOriginalMessage()));
    }
    if (root == null || root.isMissingNode()) {
      throw new Invalid(NullNode.instance, new ProtocolError(ErrorCode.PARSE_ERROR, "empty message"));
    }
    if (!root.isObject()) {
      throw new Invalid(NullNode.instance, new ProtocolError(ErrorCode.INVALID_REQUEST, "a request must be a JSON object"));
    }
    JsonNode id = root.get("id");
    if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
      throw new Invalid(id != null && id.isValueNode() ? id : NullNode.instance,
          new ProtocolError(ErrorCode.INVALID_REQUEST, "\"id\" must be a string or an integer"));
    }
    JsonNode method = root.get("method");
    if (method == null || !method.isTextual()) {
      throw new Invalid(id, new ProtocolError(ErrorCode.INVALID_REQUEST, "\"method\" must be a string"));
    }
    JsonNode params = root.get("params");
    if (params != null && !params.isNull() && !params.isObject()) {
      throw new Invalid(id, new ProtocolError(ErrorCode.INVALID_PARAMS, "\"params\" must be an object"));
    }
    ObjectNode p = params instanceof ObjectNode o ? o : Json.object();
    return new Request(id, method.asText(), new Params(p));
  }
}
