package io.switchboard.control.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.media.cluster.ErrorCode;
import org.junit.jupiter.api.Test;

class RequestTest {

  private static Request.Invalid invalid(String text) {
    return assertThrows(Request.Invalid.class, () -> Request.parse(text));
  }

  @Test
  void parsesAWellFormedRequest() {
    Request r = Request.parse("{\"id\":\"a1\",\"method\":\"session.attach\",\"params\":{\"session_id\":\"x\",\"last_seq\":4}}");
    assertEquals("a1", r.id().asText());
    assertEquals("session.attach", r.method());
    assertEquals("x", r.params().requiredString("session_id"));
    assertEquals(4L, r.params().optionalLong("last_seq", 0, 10).orElseThrow());
  }

  @Test
  void paramsMayBeAbsentOrNull() {
    assertTrue(Request.parse("{\"id\":1,\"method\":\"session.list\"}").params().node().isEmpty());
    assertTrue(Request.parse("{\"id\":1,\"method\":\"session.list\",\"params\":null}").params().node().isEmpty());
  }

  @Test
  void textThatIsNotJsonIsAParseErrorWithNullId() {
    for (String text : new String[] {"{", "nope", "{\"id\":1,}", "{\"id\":1} trailing", ""}) {
      Request.Invalid e = invalid(text);
      assertEquals(ErrorCode.PARSE_ERROR, e.error.code(), text);
      assertTrue(e.id.isNull());
    }
  }

  @Test
  void jsonThatIsNotARequestIsInvalidRequest() {
    assertEquals(ErrorCode.INVALID_REQUEST, invalid("[1,2]").error.code());
    assertEquals(ErrorCode.INVALID_REQUEST, invalid("{\"method\":\"session.list\"}").error.code());
    assertEquals(ErrorCode.INVALID_REQUEST, invalid("{\"id\":{},\"method\":\"session.list\"}").error.code());
    assertEquals(ErrorCode.INVALID_REQUEST, invalid("{\"id\":1.5,\"method\":\"session.list\"}").error.code());
    Request.Invalid noMethod = invalid("{\"id\":7,\"method\":3}");
    assertEquals(ErrorCode.INVALID_REQUEST, noMethod.error.code());
    assertEquals(7, noMethod.id.asInt(), "the id is echoed when it could be read");
  }

  @Test
  void paramsThatAreNotAnObjectAreInvalidParams() {
    assertEquals(ErrorCode.INVALID_PARAMS, invalid("{\"id\":1,\"method\":\"m\",\"params\":[1]}").error.code());
  }

  @Test
  void wrongTypedOrOutOfRangeParamsNameTheField() {
    Params p = Request.parse("{\"id\":1,\"method\":\"m\",\"params\":{\"s\":5,\"n\":\"x\",\"big\":99,\"h\":{\"a\":1}}}").params();
    ProtocolError e = assertThrows(ProtocolError.class, () -> p.requiredString("s"));
    assertEquals(ErrorCode.INVALID_PARAMS, e.code());
    assertTrue(e.getMessage().contains("\"s\""));
    assertEquals(ErrorCode.INVALID_PARAMS, assertThrows(ProtocolError.class, () -> p.optionalLong("n", 0, 9)).code());
    assertEquals(ErrorCode.INVALID_PARAMS, assertThrows(ProtocolError.class, () -> p.optionalLong("big", 0, 9)).code());
    assertEquals(ErrorCode.INVALID_PARAMS, assertThrows(ProtocolError.class, () -> p.requiredString("missing")).code());
    assertEquals(ErrorCode.INVALID_PARAMS, assertThrows(ProtocolError.class, () -> p.optionalStringMap("h")).code());
  }
}
