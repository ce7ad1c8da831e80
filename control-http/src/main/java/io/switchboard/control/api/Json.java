package io.switchboard.control.api;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.media.cluster.ErrorCode;
import io.switchboard.media.session.EventPayload;
import io.switchboard.media.session.SessionEvent;

/**
 * The wire JSON of the control protocol: snake_case field names, frames built here and nowhere else.
 * Cluster records that appear on the wire (event payloads, session summaries) are rendered through
 * {@link #MAPPER}; their Java field names are the protocol's names in camelCase.
 */
public final class Json {

  public static final ObjectMapper MAPPER = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
      .addMixIn(EventPayload.class, WithoutTypeId.class);

  /** Event payloads carry a type id between nodes; on the wire the frame's "event" field names them. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NONE)
  private interface WithoutTypeId {}

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static JsonNode tree(Object value) {
    return MAPPER.valueToTree(value);
  }

  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  public static String result(JsonNode id, JsonNode result) {
    ObjectNode frame = object();
    frame.set("id", id);
    frame.set("result", result);
    return write(frame);
  }

  public static String error(JsonNode id, ErrorCode code, String message) {
    ObjectNode frame = object();
    frame.set("id", id);
    frame.putObject("error").put("code", code.name()).put("message", message);
    return write(frame);
  }

  public static String event(SessionEvent event) {
    ObjectNode frame = object();
    frame.put("event", event.payload().eventName());
    frame.put("seq", event.seq());
    frame.set("data", tree(event.payload()));
    return write(frame);
  }

  /** The connection-level notice that {@code count} events were dropped for this slow client. */
  public static String eventsDropped(long count) {
    ObjectNode frame = object();
    frame.put("event", "events.dropped");
    frame.putObject("data").put("count", count);
    return write(frame);
  }
}
