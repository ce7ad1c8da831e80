package io.switchboard.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A client that stops reading loses normal events, learns how many, and slows nobody else down. */
class SlowClientTest {

  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start("""
        switchboard.control.event-queue-size = 8
        switchboard.session.http-response-timeout = 20ms
        switchboard.session.max-pending-http-requests = 1000
        """);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void slowClientGetsEventsDroppedWithTheCountWhileOthersAreServed() {
    String body = "z".repeat(60_000);
    try (ControlClient slow = ControlClient.connect(node.ws());
         ControlClient other = ControlClient.connect(node.ws())) {
      JsonNode created = slow.ok("session.create", null);
      slow.awaitEvent("app.started");
      other.ok("session.create", null);
      other.awaitEvent("app.started");
      String url = created.get("media_session_access_url").asText();
      long droppedBefore = droppedTotal();

      // Stop reading: the socket buffers fill up, then the server-side queue. How much the kernel
      // absorbs first depends on the machine's TCP autotuning, so keep sending until the node says
      // it dropped something.
      slow.autoRead = false;
      int requests = 0;
      while (droppedTotal() == droppedBefore) {
        assertTrue(requests < 4_000, "a client that reads nothing must lose events at some point");
        List<CompletableFuture<Http.Reply>> sent = new ArrayList<>();
        for (int i = 0; i < 40; i++) sent.add(CompletableFuture.supplyAsync(() -> Http.post(url, body)));
        sent.forEach(f -> assertEquals(202, f.join().status(), "the access URL never waits for a slow controller"));
        requests += sent.size();
      }

      // meanwhile another controller is served at once
      assertEquals("controlled", other.ok("session.info", null).get("state").asText());

      slow.autoRead = true;
      slow.socket.request(Long.MAX_VALUE);
      long delivered = 0;
      long dropped = 0;
      while (delivered + dropped < requests) {
        JsonNode frame = slow.next(10);
        String event = frame.get("event").asText();
        if (event.equals("app.http_request")) delivered++;
        if (event.equals("events.dropped")) dropped += frame.get("data").get("count").asLong();
      }
      assertTrue(dropped > 0, "some events had to be dropped");
      assertEquals(requests, delivered + dropped, "every event is either delivered or counted");
    }
  }

  private static long droppedTotal() {
    Matcher m = Pattern.compile("(?m)^switchboard_events_dropped_total (\\S+)$")
        .matcher(Http.get(node.http() + "/metrics").body());
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }
}
